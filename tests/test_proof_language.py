"""`--proof` is refused at submit for a voice that does not read English: its recogniser hears
English only, so every chunk of such a job would be called a suspect and rendered again."""

from __future__ import annotations

import pytest

from narration.engines.kokoro import assets
from narration.errors import InputError
from narration.jobs import check_proof_language
from narration.pipeline.defaults import DEFAULT_VOICE_NAME
from narration.pipeline.plan import JobOptions
from narration.settings import Settings

kokoro = pytest.mark.skipif(
    not assets.model_path().is_file(), reason="Kokoro is not installed: narrate voices install"
)


def test_an_english_voice_is_proofed() -> None:
    check_proof_language(Settings(), JobOptions(voice=DEFAULT_VOICE_NAME, proof=True))


@kokoro
def test_a_spanish_voice_is_refused_with_proof_and_accepted_without() -> None:
    with pytest.raises(InputError, match=r"--proof hears English only.*ef_dora reads es"):
        check_proof_language(Settings(), JobOptions(voice="ef_dora", proof=True))
    check_proof_language(Settings(), JobOptions(voice="ef_dora", proof=False))


@kokoro
def test_a_cast_with_a_spanish_speaker_is_refused() -> None:
    options = JobOptions(
        voice="af_heart", proof=True, cast=(("HOST", "af_heart"), ("GUEST", "em_alex"))
    )
    with pytest.raises(InputError, match="em_alex reads es"):
        check_proof_language(Settings(), options)
