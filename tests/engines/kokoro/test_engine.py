"""The Kokoro engine on the installed model: repeatable bytes, rate, word timings, identity."""

from __future__ import annotations

import pytest

from narration.adapters.allocator import release_free_memory
from narration.engines.kokoro import assets
from narration.engines.kokoro.engine import KokoroEngine
from narration.engines.kokoro.vocab import VOCAB
from narration.engines.voices import find_voice, phoneme_symbols
from narration.errors import InputError
from narration.pipeline.engine import SynthesisParams
from narration.production.loaded_engines import ReleasesMemory

pytestmark = pytest.mark.skipif(
    not assets.model_path().is_file(), reason="Kokoro is not installed: narrate voices install"
)
TEXT = "The boat came in. It was late."


@pytest.fixture(scope="module")
def engine() -> KokoroEngine:
    return KokoroEngine.load(find_voice("af_heart"), threads=1)


def test_a_kokoro_name_is_a_kokoro_voice() -> None:
    voice = find_voice("bm_george")
    assert (voice.engine, voice.language, voice.sample_rate) == ("kokoro", "en-GB", 24_000)
    assert phoneme_symbols(voice) == frozenset(VOCAB)
    with pytest.raises(InputError, match="jf_alpha needs Japanese or Chinese G2P"):
        find_voice("jf_alpha")


def test_the_same_text_gives_the_same_bytes(engine: KokoroEngine) -> None:
    first = engine.synthesize(TEXT, SynthesisParams(seed=1))
    again = engine.synthesize(TEXT, SynthesisParams(seed=2))
    assert first.sample_rate == 24_000
    assert first.pcm.tobytes() == again.pcm.tobytes()
    assert 1.0 < first.duration_s < 4.0


def test_a_shorter_length_scale_speaks_faster(engine: KokoroEngine) -> None:
    usual = engine.synthesize(TEXT, SynthesisParams()).duration_s
    faster = engine.synthesize(TEXT, SynthesisParams(length_scale=0.8)).duration_s
    assert faster < 0.9 * usual


def test_every_word_is_timed_in_order_inside_the_audio(engine: KokoroEngine) -> None:
    made = engine.synthesize(TEXT, SynthesisParams())
    assert [w.text for w in made.words] == ["The", "boat", "came", "in", "It", "was", "late"]
    ends = [0.0]
    for word in made.words:
        assert ends[-1] <= word.start_s < word.end_s <= made.duration_s
        ends.append(word.end_s)
    # The sentence pause lies between "in" and "It".
    assert made.words[4].start_s - made.words[3].end_s > 0.1


def test_the_identity_names_runtime_model_and_voice(engine: KokoroEngine) -> None:
    assert engine.identity.startswith("kokoro (onnxruntime ")
    assert assets.MODEL_SHA256 in engine.identity
    assert assets.VOICE_SHA256["af_heart"] in engine.identity
    assert engine.facts.to_dict()["precision"] == "int8"


def test_a_spanish_voice_reads_numbers_in_spanish_through_spanish_g2p() -> None:
    dora = KokoroEngine.load(find_voice("ef_dora"), threads=1)
    prepared = dora.prepare_text("Llamó al 112 ayer.")
    assert prepared == "Llamó al ciento doce ayer."
    assert dora.g2p.espeak_voice == "es"
    said = dora.synthesize(prepared, SynthesisParams(seed=1))
    assert len(said.pcm) / said.sample_rate > 1.0


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


@pytest.mark.integration  # a long render to grow the arena, 35 s: the full tier
def test_release_memory_gives_the_runs_memory_back_and_changes_nothing(
    engine: KokoroEngine,
) -> None:
    """An idle worker's release (`production.idle_memory`) shrinks the runtime's arena, which
    the allocator then returns; the next chunk comes out the same. The allocator alone gives
    back little (measured: 36 MB of 590 grown on this text); the arena holds the rest (a
    release took the process from 1,180 to 300 MB)."""
    assert isinstance(engine, ReleasesMemory)
    long_text = " ".join([TEXT] * 12)
    before = engine.synthesize(long_text, SynthesisParams()).pcm.tobytes()
    release_free_memory()
    grown = _rss_mb()
    engine.release_memory()
    assert release_free_memory()
    assert _rss_mb() < grown - 150
    assert engine.synthesize(long_text, SynthesisParams()).pcm.tobytes() == before
