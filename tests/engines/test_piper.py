"""PiperEngine against the real bundled voice: determinism, levels, word timings."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pytest

from narration.adapters.allocator import release_free_memory
from narration.engines.alignment import align_words
from narration.engines.piper import PiperEngine
from narration.engines.sentence_pool import SentencePool
from narration.engines.voices import default_voice
from narration.pipeline.engine import SynthesisParams

TEXT = "Hello there. It's a test!"
OTHER = "Something else, in between."
WORDS_TEXT = "Dr. Smith paid $42.50 for it in 1999; of the U.S. ones, to be or not to be."


@pytest.fixture(scope="module")
def engine() -> PiperEngine:
    return PiperEngine.load(default_voice(), threads=2)


def _bytes(engine: PiperEngine, text: str, seed: int = 0) -> bytes:
    return engine.synthesize(text, SynthesisParams(seed=seed)).pcm.tobytes()


def test_same_seed_gives_same_bytes_whatever_came_before(engine: PiperEngine) -> None:
    first = _bytes(engine, TEXT, seed=3)
    engine.synthesize(OTHER, SynthesisParams(seed=3))
    engine.synthesize(OTHER, SynthesisParams(seed=11))
    assert _bytes(engine, TEXT, seed=3) == first


def test_fresh_engine_gives_same_bytes(engine: PiperEngine) -> None:
    fresh = PiperEngine.load(default_voice(), threads=2)
    fresh.synthesize(OTHER, SynthesisParams(seed=1))
    assert _bytes(fresh, TEXT, seed=5) == _bytes(engine, TEXT, seed=5)


def test_different_seeds_differ_slightly(engine: PiperEngine) -> None:
    a = engine.synthesize(TEXT, SynthesisParams(seed=1))
    b = engine.synthesize(TEXT, SynthesisParams(seed=2))
    assert a.pcm.tobytes() != b.pcm.tobytes()
    # Natural variation, not a different rendering: durations stay within a few percent.
    assert abs(a.duration_s - b.duration_s) < 0.1 * a.duration_s


@contextmanager
def _starved(engine: PiperEngine) -> Iterator[None]:
    """Noise buffer estimates of zero, so every call takes the draw-again path."""
    saved = engine._noise_base, engine._noise_per_id
    engine._noise_base = [0.0] * len(saved[0])
    engine._noise_per_id = [0.0] * len(saved[1])
    try:
        yield
    finally:
        engine._noise_base, engine._noise_per_id = saved


def test_short_noise_buffer_rerun_gives_same_bytes(engine: PiperEngine) -> None:
    expected = _bytes(engine, TEXT, seed=4)
    with _starved(engine):
        assert _bytes(engine, TEXT, seed=4) == expected


def test_returns_raw_float32_mono(engine: PiperEngine) -> None:
    result = engine.synthesize("Quiet words.", SynthesisParams())
    assert result.pcm.dtype == np.float32
    assert result.pcm.ndim == 1
    assert result.sample_rate == engine.sample_rate == 22050
    peak = float(np.abs(result.pcm).max())
    assert 0.05 < peak <= 1.0
    assert peak < 0.999  # not peak-normalised per sentence, as piper's synthesize would


def test_params_are_honoured(engine: PiperEngine) -> None:
    normal = engine.synthesize(TEXT, SynthesisParams(seed=1))
    slow = engine.synthesize(TEXT, SynthesisParams(seed=1, length_scale=1.5))
    assert slow.duration_s > 1.3 * normal.duration_s


def test_empty_text_gives_no_audio(engine: PiperEngine) -> None:
    result = engine.synthesize("  ", SynthesisParams())
    assert len(result.pcm) == 0
    assert result.words == []


def test_word_timings_cover_every_word_in_order(engine: PiperEngine) -> None:
    text = WORDS_TEXT
    result = engine.synthesize(text, SynthesisParams(seed=2))
    words = re.findall(r"[^\W_]+(?:['’.,\-][^\W_]+)*", text)
    assert [w.text for w in result.words] == words
    previous_end = 0.0
    for word in result.words:
        assert text[word.char_start : word.char_end] == word.text
        assert previous_end <= word.start_s <= word.end_s <= result.duration_s
        previous_end = word.end_s
    spoken = [w for w in result.words if w.end_s > w.start_s]
    assert len(spoken) >= len(words) - 1
    # Long expansions get long spans: "$42.50" is read "dollar forty two point five zero".
    by_text = {w.text: w for w in result.words}
    assert by_text["42.50"].end_s - by_text["42.50"].start_s > 0.8


def test_word_timings_line_up_with_sentences(engine: PiperEngine) -> None:
    one = engine.synthesize("First sentence here.", SynthesisParams(seed=1))
    both = engine.synthesize("First sentence here. Second one.", SynthesisParams(seed=1))
    assert both.pcm[: len(one.pcm)].tobytes() == one.pcm.tobytes()
    second = both.words[3]
    assert second.text == "Second"
    assert second.start_s >= one.duration_s


def test_align_words_exact_and_merged() -> None:
    # "of the cat": espeak says "ʌvðə kˈæt" (two groups), the words alone "ʌv", "ðə", "kæt".
    expected = [("ʌ", "v"), ("ð", "ə"), ("k", "æ", "t")]
    actual = ["ʌ", "v", "ð", "ə", "k", "æ", "t"]
    groups = [0, 0, 0, 0, 1, 1, 1]
    assert align_words(expected, actual, groups) == [(0, 2), (2, 4), (4, 7)]


def test_align_words_reduced_and_unmatched() -> None:
    # "for a dog": "for" alone is "fɔːɹ" but "fɚ" in speech; "a" alone "eɪ" but "ɐ".
    expected = [("f", "ɔ", "ː", "ɹ"), ("e", "ɪ"), ("d", "ɑ", "ɡ")]
    actual = ["f", "ɚ", "ɐ", "d", "ɑ", "ɡ"]
    groups = [0, 0, 1, 2, 2, 2]
    assert align_words(expected, actual, groups) == [(0, 2), (2, 3), (3, 6)]


def test_align_words_with_no_match_spreads_proportionally() -> None:
    expected = [("a",), ("b", "b", "b")]
    actual = ["x", "y", "z", "w"]
    spans = align_words(expected, actual, [0, 0, 1, 1])
    assert spans == [(0, 1), (1, 4)]


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def test_release_memory_gives_the_runs_memory_back_and_changes_nothing(
    engine: PiperEngine,
) -> None:
    """An idle worker's release (`production.idle_memory`) shrinks the runtime's arena, which
    the allocator then returns; the next chunk comes out the same."""
    before = _bytes(engine, WORDS_TEXT * 3, seed=9)
    grown = _rss_mb()
    engine.release_memory()
    assert release_free_memory()
    assert _rss_mb() < grown - 20
    assert _bytes(engine, WORDS_TEXT * 3, seed=9) == before


def test_sentences_rendered_at_once_give_the_same_bytes() -> None:
    """Each sentence is a one-thread run of its own, as a worker's engine makes it: a helper
    thread changes no byte."""
    text = "First, a sentence. Then a longer one, with a clause in it! Short. And the last?"
    alone = PiperEngine.load(default_voice(), threads=1)
    pooled = PiperEngine.load(default_voice(), threads=1, sentences=SentencePool(1))
    assert len(alone.text.sentences(text)) == 4
    for seed in (1, 2, 3):
        assert _bytes(pooled, text, seed) == _bytes(alone, text, seed)
    assert pooled.sentence_pool.helped > 0
