"""render_chunk with the real Piper voice: re-renders are byte-identical, joins are clean.

Three short chunks (a sentence join, then a paragraph join) are rendered in order, stitched by the
stitcher's own chunk pass from an in-memory store, and brought to its loudness target.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pytest

from narration.engines.piper import PiperEngine
from narration.engines.voices import default_voice
from narration.pipeline import audio, mastering, prosody, timeline
from narration.pipeline.chunk_meta import ChunkMeta, loudness_of
from narration.pipeline.defaults import DEFAULT_TARGET_LUFS
from narration.pipeline.loudness import LoudnessMeter, gain_for_target
from narration.pipeline.plan import PlannedChunk
from narration.pipeline.render import (
    RenderedChunk,
    ahead_state,
    engine_call,
    render_chunk,
    speak_chunk,
)
from narration.pipeline.step_loudness import StepTimeline

CHUNKS = (
    PlannedChunk(0, 0, 0, 0, "The tide came in slowly. Gulls waited on the wall.", "sentence"),
    PlannedChunk(1, 0, 1, 0, "A boat crossed the bay with its sails half set.", "paragraph"),
    PlannedChunk(2, 0, 2, 0, "Later that evening, the wind dropped.", "chapter"),
)
GUARD_S = 0.050
PAUSE_TOLERANCE_S = 0.020
STITCHER_META_KEYS = {
    "seq",
    "segment",
    "index",
    "chapter",
    "text",
    "boundary_after",
    "sample_rate",
    "samples",
    "duration_s",
    "pause_after_s",
    "words",
    "words_from_spoken_text",
    "state_in",
    "state_out",
}


@dataclass(frozen=True)
class Stitched:
    pcm: np.ndarray
    rate: int
    placed: list[timeline.Placed]
    gain_db: float


@pytest.fixture(scope="module")
def engine() -> PiperEngine:
    return PiperEngine.load(default_voice(), threads=2)


@pytest.fixture(scope="module")
def rendered(engine: PiperEngine) -> list[RenderedChunk]:
    state = prosody.initial_state(engine.voice.name, user_seed=7)
    out = []
    for chunk in CHUNKS:
        result = render_chunk(engine, chunk, state)
        out.append(result)
        state = result.next_state
    return out


@pytest.fixture(scope="module")
def stitched(rendered: list[RenderedChunk], tmp_path_factory: pytest.TempPathFactory) -> Stitched:
    metas = [r.meta for r in rendered]
    rate = metas[0]["sample_rate"]
    laid = timeline.place_chunks(metas, rate)
    placed = laid.placed
    # Through the stitcher's own timeline, so whatever it does to each chunk is measured too.
    pcms = [audio.from_wav_bytes(result.wav)[0] for result in rendered]
    pcm = np.concatenate(list(timeline.timeline_blocks(placed, lambda number: pcms[number])))
    assert len(pcm) == laid.total
    meter = LoudnessMeter(rate)
    meter.add(pcm)
    gain_db = gain_for_target(meter.integrated_lufs(), DEFAULT_TARGET_LUFS)
    gain = np.float32(audio.db_to_gain(gain_db))
    return Stitched((pcm * gain).astype(np.float32), rate, placed, gain_db)


def test_meta_is_stored_in_the_typed_record_s_key_order(rendered: list[RenderedChunk]) -> None:
    """The stored JSON keeps its shape: `ChunkMeta`'s keys in order (a break's only after one,
    a take's only on a take a proof asked for, a speaker's only in a script)."""
    optional = ("break_s", "take", "speaker")
    fields = [name for name in ChunkMeta.__annotations__ if name not in optional]
    for result in rendered:
        assert list(json.loads(json.dumps(result.meta))) == fields


def test_meta_keeps_what_the_stitcher_reads(rendered: list[RenderedChunk]) -> None:
    for result in rendered:
        assert result.meta.keys() >= STITCHER_META_KEYS
        assert result.meta["samples"] == len(audio.from_wav_bytes(result.wav)[0])
        for word in result.meta["words"]:
            assert {"text", "start", "end", "start_s", "end_s"} <= word.keys()
            assert 0.0 <= word["start_s"] <= word["end_s"] <= result.meta["duration_s"]


def test_the_state_after_a_chunk_is_known_before_its_audio_is_shaped(
    engine: PiperEngine, rendered: list[RenderedChunk]
) -> None:
    """A worker hands the next chunk its state as soon as this one is spoken, and shapes,
    measures and encodes it on another thread: together that is exactly `render_chunk`."""
    state = prosody.SessionState.from_dict(rendered[1].meta["state_in"])
    spoken = speak_chunk(engine, CHUNKS[1], state)
    assert spoken.next_state == rendered[1].next_state
    assert spoken.meta["loudness"] is None
    with ThreadPoolExecutor(1) as writer:
        finished = writer.submit(spoken.finish).result()
    assert finished.wav == rendered[1].wav
    assert json.dumps(finished.meta) == json.dumps(rendered[1].meta)


def test_the_next_chunk_s_engine_call_is_known_before_this_chunk_is_heard(
    engine: PiperEngine, rendered: list[RenderedChunk]
) -> None:
    """`ahead_state` gives the next chunk the engine call its real state gives, so a synthesis
    made ahead and shaped once the state is known is the chunk made in turn."""
    for before, chunk, result in zip(CHUNKS[:-1], CHUNKS[1:], rendered[1:], strict=True):
        state_in = prosody.SessionState.from_dict(result.meta["state_in"])
        before_state = prosody.SessionState.from_dict(rendered[before.index].meta["state_in"])
        guessed = ahead_state(before_state, before)
        assert guessed != state_in  # nothing measured is known ahead...
        call = engine_call(engine, chunk, guessed)
        assert call == engine_call(engine, chunk, state_in)  # ...and the call needs none of it
        made = engine.synthesize(call.text, call.params)
        spoken = speak_chunk(engine, chunk, state_in, synthesis=made)
        assert spoken.finish().wav == result.wav
        assert spoken.next_state == result.next_state


def test_state_is_small_json(rendered: list[RenderedChunk]) -> None:
    for result in rendered:
        encoded = json.dumps(result.meta["state_out"]).encode()
        assert len(encoded) <= prosody.MAX_STATE_BYTES
        assert prosody.SessionState.from_dict(json.loads(encoded)) == result.next_state


def test_rerender_from_stored_state_is_byte_identical(
    engine: PiperEngine, rendered: list[RenderedChunk]
) -> None:
    for chunk, result in zip(CHUNKS[1:], rendered[1:], strict=True):
        stored = json.loads(json.dumps(result.meta))
        again = render_chunk(engine, chunk, prosody.SessionState.from_dict(stored["state_in"]))
        assert again.wav == result.wav
        assert again.meta == result.meta


def test_no_clicks_at_joins(stitched: Stitched) -> None:
    """From the last word of one chunk to the first of the next (and `GUARD_S` into each), no
    sample steps out of its surroundings (`audio.clicks`): each chunk's edges are faded to
    zero and the pause between is digital silence."""
    rate, pcm = stitched.rate, stitched.pcm
    for before, after in zip(stitched.placed, stitched.placed[1:], strict=False):
        first = before.start + round((before.meta["words"][-1]["end_s"] - GUARD_S) * rate)
        last = after.start + round((after.meta["words"][0]["start_s"] + GUARD_S) * rate)
        assert audio.clicks(pcm, rate, first, last).size == 0, before.meta["seq"]


def test_a_join_without_its_fades_clicks(stitched: Stitched) -> None:
    """What the test above catches: a chunk whose tail is cut mid-wave, unfaded."""
    rate, pcm = stitched.rate, stitched.pcm.copy()
    before, after = stitched.placed[0], stitched.placed[1]
    words_end = before.start + round(before.meta["words"][-1]["end_s"] * rate)
    crest = words_end - 400 + int(np.argmax(np.abs(pcm[words_end - 400 : words_end])))
    pcm[crest + 1 : before.end] = 0.0
    assert audio.clicks(pcm, rate, words_end - 2000, after.start).tolist() == [crest]


def test_the_quiet_tail_is_faded_out_across_its_length(
    engine: PiperEngine, rendered: list[RenderedChunk]
) -> None:
    """A final "s" decays as hiss well below speech; a 10 ms fade left its sample steps just
    before the pause (bench/seams.py counted them as clicks), so the whole quiet tail, up to
    `TAIL_FADE_S`, fades out."""
    for chunk, result in zip(CHUNKS, rendered, strict=True):
        state = prosody.SessionState.from_dict(result.meta["state_in"])
        spoken = speak_chunk(engine, chunk, state)
        tail_quiet_s = result.meta["duration_s"] - result.meta["speech_end_s"]
        assert tail_quiet_s >= audio.TAIL_MIN_S - 2e-4
        assert spoken.fade_out_s == pytest.approx(min(audio.TAIL_FADE_S, tail_quiet_s), abs=2e-4)


def test_pause_between_chunks_is_the_designed_one(stitched: Stitched) -> None:
    """The quiet a listener hears between two chunks' words is the designed pause."""
    rate, pcm = stitched.rate, stitched.pcm
    for before, after in zip(stitched.placed, stitched.placed[1:], strict=False):
        last_word_end = before.start / rate + before.meta["words"][-1]["end_s"]
        next_word_start = after.start / rate + after.meta["words"][0]["start_s"]
        start = round((last_word_end - GUARD_S) * rate)
        window = pcm[start : round((next_word_start + GUARD_S) * rate)]
        # Quiet relative to the chunk's speech level as rendered (the stitcher's peak taming
        # lowers the measured level of the whole, not what a listener hears as speech).
        level = before.meta["level_db"] + before.meta["gain_db"] + stitched.gain_db
        threshold = level - audio.QUIET_BELOW_SPEECH_DB
        quiet = audio.frame_levels_db(window, rate) < threshold
        longest = run = 0
        for silent in quiet:
            run = run + 1 if silent else 0
            longest = max(longest, run)
        designed = before.meta["pause_designed_s"]
        heard = longest * int(rate * audio.FRAME_S) / rate
        assert heard == pytest.approx(designed, abs=PAUSE_TOLERANCE_S)
        # The stitcher places the rest of the pause as digital silence.
        assert before.pause_after == round(before.meta["pause_after_s"] * rate)
        assert 0.0 <= before.meta["pause_after_s"] <= designed


def test_gain_is_clamped(rendered: list[RenderedChunk]) -> None:
    first = rendered[0].meta
    assert first["level_db"] + first["gain_db"] == pytest.approx(prosody.REFERENCE_LEVEL_DB)
    for result in rendered[1:]:
        assert abs(result.meta["gain_db"] - first["gain_db"]) <= prosody.MAX_GAIN_DB
        assert result.meta["state_in"]["first_gain_db"] == first["gain_db"]


def test_programme_loudness_is_known_before_the_audio(stitched: Stitched) -> None:
    """Rendered at the reference level, a reading lands near the calibrated loudness.

    Three short chunks and a chapter pause are the hard case (pauses are a larger share of
    the whole than in a book: measured 0.42 LU under); the stitch corrects what misses."""
    meter = LoudnessMeter(stitched.rate)
    meter.add(stitched.pcm * np.float32(audio.db_to_gain(-stitched.gain_db)))
    assert meter.integrated_lufs() == pytest.approx(mastering.CALIBRATED_LUFS, abs=0.6)


def test_stored_loudness_steps_add_up_to_the_timeline(
    rendered: list[RenderedChunk], stitched: Stitched
) -> None:
    """The stored 100 ms step energies of pieces that meet in silence add up to the programme's.

    They add up exactly where each piece starts on a step: the chunks are laid here on the
    steps nearest their places, and the sum matches a measurement of that audio. On the
    stitcher's own timeline, `StepTimeline` moves each piece to its nearest step, by up to
    50 ms, and that alone is what separates the sum from the programme (this timeline's first
    chunk starts half a step in, after the 0.25 s lead-in). On three short chunks (~9 s, ~87
    gating blocks) a block that crosses a gate moves the result by up to 0.15 LU: measured
    -0.12 to +0.15 LU over 26 seeds, 0.000 every time with the pieces on the steps; the old
    0.05 LU bound held only for the seeds it was set with. A book has thousands of blocks and
    the sum is within 0.02 LU there (`pipeline.step_loudness`)."""
    rate = stitched.rate
    on_steps = StepTimeline(rate, len(stitched.pcm))
    pcm = np.zeros(len(stitched.pcm) + on_steps.hop, dtype=np.float32)
    for item, result in zip(stitched.placed, rendered, strict=True):
        start = round(item.start / on_steps.hop) * on_steps.hop
        chunk = audio.from_wav_bytes(result.wav)[0]
        pcm[start : start + len(chunk)] += chunk
        on_steps.add(start, loudness_of(item.meta)["steps"])
    meter = LoudnessMeter(rate)
    meter.add(pcm)
    assert on_steps.integrated_lufs() == pytest.approx(meter.integrated_lufs(), abs=0.002)

    programme = LoudnessMeter(rate)
    programme.add(stitched.pcm * np.float32(audio.db_to_gain(-stitched.gain_db)))
    steps = StepTimeline(rate, len(stitched.pcm))
    for item in stitched.placed:
        steps.add(item.start, loudness_of(item.meta)["steps"])
    assert steps.integrated_lufs() == pytest.approx(programme.integrated_lufs(), abs=0.2)
    for result in rendered:
        chunk = audio.from_wav_bytes(result.wav)[0]
        # The stored figure is rounded to 0.001 dB.
        peak_db = 20 * np.log10(np.abs(chunk).max())
        assert loudness_of(result.meta)["true_peak_dbtp"] >= peak_db - 0.0005


def test_an_ssml_rate_and_break_reach_the_engine_and_the_pause(engine: PiperEngine) -> None:
    text = "A boat crossed the bay with its sails half set."
    state = prosody.initial_state(engine.voice.name)
    normal = render_chunk(engine, PlannedChunk(0, 0, 0, 0, text, "sentence"), state)
    slow = render_chunk(engine, PlannedChunk(0, 0, 0, 0, text, "sentence", rate=0.6), state)

    def speech_s(meta: ChunkMeta) -> float:
        return float(meta["speech_end_s"] - meta["speech_start_s"])

    # joe's duration predictor answers a length scale of 1/0.6 with 1.46-1.55 times the speech
    # (8 seeds; the engine alone gives 1.50-1.53 times the samples), not the full 1.67.
    ratio = speech_s(slow.meta) / speech_s(normal.meta)
    assert 1.4 < ratio < 1 / 0.6 * 1.1
    paused = render_chunk(engine, PlannedChunk(0, 0, 0, 0, text, "sentence", pause_s=2.0), state)
    assert paused.meta["pause_designed_s"] == 2.0
    fields = list(paused.meta)
    assert fields[fields.index("lead_pad_s") + 1] == "break_s"
    assert paused.meta["key"] != normal.meta["key"] != slow.meta["key"]
