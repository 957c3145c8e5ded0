"""A chunk that continues a sentence starts at the level the chunk before it ended at.

A long sentence cut at a comma is rendered as two chunks with the real Piper voice; the voice
restarts each chunk high (it declines over an utterance), so without levelling the second half
starts louder than the first half ended (`pipeline.continuation`, docs/SEAMS.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

import numpy as np
import pytest

from narration.engines.piper import PiperEngine
from narration.engines.voices import default_voice
from narration.pipeline import audio, continuation, prosody
from narration.pipeline.plan import PlannedChunk
from narration.pipeline.render import RenderedChunk, render_chunk

CUT = PlannedChunk(
    0,
    0,
    0,
    0,
    "Subject to the terms and conditions of this agreement, each of the partners who signed it "
    "hereby grants to every other partner a lasting, worldwide, free and irrevocable licence to "
    "copy the work, to prepare other works from it, and to show the work in public,",
    "clause",
)
CONTINUED = PlannedChunk(
    1,
    0,
    1,
    0,
    "and to share it with anyone who asks for it, in any form they choose and on any terms "
    "they like, for as long as the work and the notices that come with it are kept whole.",
    "paragraph",
)
SEEDS = (0, 1, 2)


@dataclass(frozen=True)
class Join:
    cut: RenderedChunk
    levelled: RenderedChunk
    unlevelled: RenderedChunk


@pytest.fixture(scope="module")
def joins() -> list[Join]:
    engine = PiperEngine.load(default_voice(), threads=2)
    found = []
    for seed in SEEDS:
        cut = render_chunk(engine, CUT, prosody.initial_state(engine.voice.name, user_seed=seed))
        levelled = render_chunk(engine, CONTINUED, cut.next_state)
        # The same chunk from the same state but for the level the cut ended at: as before.
        unlevelled = render_chunk(engine, CONTINUED, replace(cut.next_state, tail_level_db=0.0))
        found.append(Join(cut, levelled, unlevelled))
    return found


def step_db(before: RenderedChunk, after: RenderedChunk) -> float:
    """The level of the first `continuation.EDGE_S` of speech of the chunk after, as stored,
    less that of the last `EDGE_S` of the chunk before."""
    pcm, rate = audio.from_wav_bytes(before.wav)
    tail_quiet = len(pcm) - round(before.meta["speech_end_s"] * rate)
    tail = continuation.tail_level_db(pcm, rate, tail_quiet)
    pcm, rate = audio.from_wav_bytes(after.wav)
    head = continuation.head_level_db(pcm, rate, round(after.meta["speech_start_s"] * rate))
    return head - tail


def test_a_continuation_starts_at_the_level_the_sentence_reached(joins: list[Join]) -> None:
    """Unlevelled, the second half starts at another level than the first ended at (the voice
    restarts each utterance; 0.30-0.31 dB on this short sentence, seeds 0-2); levelled, it
    starts where the first half ended."""
    before = [step_db(join.cut, join.unlevelled) for join in joins]
    after = [step_db(join.cut, join.levelled) for join in joins]
    assert float(np.median(np.abs(before))) >= 0.25, before
    # Levelled before peak taming, measured after it: 0.11-0.38 dB off (median 0.17).
    assert float(np.median(np.abs(after))) <= 0.2, after
    assert float(np.median(np.abs(after))) < float(np.median(np.abs(before)))


def test_only_a_chunk_cut_inside_a_sentence_leaves_its_level(joins: list[Join]) -> None:
    for join in joins:
        assert join.cut.next_state.tail_level_db < -10.0
        assert join.levelled.next_state.tail_level_db == 0.0
        meta = join.levelled.meta
        assert "lead_gain_db" not in join.cut.meta
        assert 0.0 < abs(meta["lead_gain_db"]) <= continuation.MAX_LEAD_DB
        fields = list(meta)
        assert fields[fields.index("gain_db") + 1] == "lead_gain_db"


def test_a_levelled_continuation_renders_again_byte_for_byte(joins: list[Join]) -> None:
    engine = PiperEngine.load(default_voice(), threads=2)
    join = joins[0]
    stored = json.loads(json.dumps(join.levelled.meta))
    again = render_chunk(engine, CONTINUED, prosody.SessionState.from_dict(stored["state_in"]))
    assert again.wav == join.levelled.wav
    assert again.meta == join.levelled.meta


def test_the_gain_holds_the_lead_then_ramps_to_the_chunk_s_own() -> None:
    rate = 1000
    curve = 20 * np.log10(continuation.gain_curve(5 * rate, rate, 2.0, -1.5))
    hold = round(continuation.HOLD_S * rate)
    ramped = hold + round(continuation.RAMP_S * rate)
    assert curve[:hold] == pytest.approx(0.5, abs=1e-5)
    assert np.all(np.diff(curve[hold:ramped]) >= -1e-6)
    assert curve[ramped:] == pytest.approx(2.0, abs=1e-5)


def test_the_lead_gain_is_bounded_and_only_after_a_cut() -> None:
    assert continuation.lead_gain_db(0.0, -20.0) == 0.0
    assert continuation.lead_gain_db(-21.0, -120.0) == 0.0
    assert continuation.lead_gain_db(-21.0, -20.0) == -1.0
    assert continuation.lead_gain_db(-30.0, -20.0) == -continuation.MAX_LEAD_DB
    assert continuation.lead_gain_db(-10.0, -20.0) == continuation.MAX_LEAD_DB
