"""A script's cast, resolved and checked at submit, before anything is stored or queued.

`--cast "HOST=af_heart,GUEST=am_michael"` (or the `[cast]` table of the config file) names each
speaker's voice; `--narrator VOICE` gives the text outside any turn a voice of its own (speaker
`NARRATOR`). Every speaker the script has must have a voice, and every voice must be installed;
otherwise one line lists the speakers found and what is missing (exit 2, HTTP 400). All voices
of one cast are of one family with one sample rate: one engine kind renders the job and one
sample rate runs through its timeline (docs/SCRIPTS.md).
"""

from __future__ import annotations

from dataclasses import replace

from narration.engines.voices import find_voice
from narration.errors import InputError
from narration.job_options import SubmitRequest
from narration.pipeline.cast import NARRATOR, outside_speaker
from narration.pipeline.document import Document
from narration.pipeline.engine import VoiceInfo
from narration.pipeline.ingest.script import is_script, speakers_of
from narration.settings import Settings


def parse_cast(text: str) -> dict[str, str]:
    """`SPEAKER=voice,...` as a mapping, in the order given."""
    cast: dict[str, str] = {}
    for item in text.split(","):
        if not item.strip():
            continue
        speaker, sign, voice = item.partition("=")
        speaker, voice = speaker.strip(), voice.strip()
        if not sign or not speaker or not voice:
            raise InputError(f"--cast: {item.strip()!r} is not SPEAKER=voice")
        cast[speaker] = voice
    return cast


def resolve_cast(
    settings: Settings, request: SubmitRequest, document: Document
) -> tuple[tuple[tuple[str, str], ...], SubmitRequest]:
    """The script's cast in order (its speakers in order of their first turn, then NARRATOR),
    and the request with the voice of the text outside any turn as its `voice`. A document that
    is not a script has no cast and keeps its request."""
    if not is_script(document):
        return (), request
    given = parse_cast(request.cast or settings.cast)
    found = speakers_of(document)
    speakers = found or list(given)[:1]
    unvoiced = [speaker for speaker in speakers if speaker not in given]
    cast = {speaker: given[speaker] for speaker in speakers if speaker in given}
    if request.narrator:
        cast[NARRATOR] = request.narrator
    missing = []
    voices: dict[str, VoiceInfo] = {}
    for voice in dict.fromkeys(cast.values()):
        try:
            voices[voice] = find_voice(voice, settings.voice_dirs)
        except InputError:
            missing.append(voice)
    if not speakers or unvoiced or missing:
        raise InputError(
            f"script speakers: {', '.join(found) or 'none'}; "
            f"no voice in the cast for: {', '.join(unvoiced) or 'none'}; "
            f"voices not installed: {', '.join(missing) or 'none'}"
        )
    _check_one_family(voices)
    pairs = tuple(cast.items())
    outside = dict(pairs)[outside_speaker(pairs)]
    return pairs, replace(request, voice=outside)


def _check_one_family(voices: dict[str, VoiceInfo]) -> None:
    kinds = {(voice.engine, voice.sample_rate) for voice in voices.values()}
    if len(kinds) > 1:
        listed = ", ".join(f"{name} ({v.engine}, {v.sample_rate} Hz)" for name, v in voices.items())
        raise InputError(f"a cast's voices must be of one family and sample rate, not: {listed}")
