"""Session state: JSON round trip, size bound, seeds, gains and the baselines it carries."""

from __future__ import annotations

import json

import pytest

from narration.pipeline import prosody
from narration.pipeline.prosody import SessionState, SessionStateJson


def _long_state() -> SessionState:
    state = prosody.initial_state("en_US-joe-medium", user_seed=2**31 - 1)
    for number in range(500):
        text = f"Sentence number {number}, with “quotes”, ünïcödé and some length. " * 6
        state = prosody.advance(state, text, 15.3, -27.123456, 1.5, 15.8)
    return state


def test_state_round_trips_through_json() -> None:
    state = _long_state()
    again = SessionState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert again == state
    assert again.to_dict() == state.to_dict()


def test_state_json_keeps_its_shape_through_a_task_message() -> None:
    """The JSON a synth task receives and returns: the typed record's keys, in field order,
    and the same bytes after a round trip through the typed state."""
    encoded = json.dumps(_long_state().to_dict(), ensure_ascii=False)
    decoded = json.loads(encoded)
    keys = list(SessionStateJson.__annotations__)
    assert list(decoded) == [key for key in keys if key not in ("speaker", "held")]
    assert json.dumps(SessionState.from_dict(decoded).to_dict(), ensure_ascii=False) == encoded
    cast = prosody.for_speaker(_long_state(), "HOST", "af_heart", prosody.PAUSES_S)
    cast = prosody.for_speaker(cast, "GUEST", "am_michael", prosody.PAUSES_S)
    encoded = json.dumps(cast.to_dict(), ensure_ascii=False)
    assert list(json.loads(encoded)) == keys
    assert json.dumps(SessionState.from_dict(json.loads(encoded)).to_dict()) == json.dumps(
        cast.to_dict()
    )


def test_state_stays_under_the_size_bound() -> None:
    state = _long_state()
    assert state.encoded_size() == len(json.dumps(state.to_dict()).encode())
    assert state.encoded_size() <= prosody.MAX_STATE_BYTES
    assert len(state.previous_text) == prosody.CONTEXT_CHARS


def test_params_follow_the_state() -> None:
    state = prosody.initial_state("v", user_seed=9)
    params = prosody.params_for(state, 4)
    assert params.seed == 4
    assert params.length_scale == 1.0


@pytest.mark.parametrize(
    ("baseline", "level", "expected"),
    [
        (-25.0, -26.5, 1.5),
        (-25.0, -10.0, -prosody.MAX_GAIN_DB),
        (-25.0, -60.0, prosody.MAX_GAIN_DB),
        (-25.0, -120.0, 0.0),  # silence gets no gain
    ],
)
def test_gain_matches_the_baseline_within_the_clamp(
    baseline: float, level: float, expected: float
) -> None:
    state = SessionState(voice="v", user_seed=0, level_db=baseline, chunks=3)
    assert prosody.gain_for(state, level) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("level", "expected"),
    [(-24.0, 4.0), (-20.0, 0.0), (-14.5, -5.5), (-40.0, 12.0), (-200.0, 0.0)],
)
def test_first_chunk_is_brought_to_the_reference_level(level: float, expected: float) -> None:
    assert prosody.REFERENCE_LEVEL_DB == -20.0
    assert prosody.gain_for(prosody.initial_state("v", 0), level) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("first_gain", "level", "expected"),
    [
        (5.0, -25.5, 5.5),  # a quiet voice's later chunk reaches the baseline, as its first did
        (5.0, -30.0, 5.0 + prosody.MAX_GAIN_DB),
        (5.0, -12.0, 5.0 - prosody.MAX_GAIN_DB),
        (-3.0, -14.0, -6.0),
    ],
)
def test_later_gains_are_clamped_around_the_first_chunks(
    first_gain: float, level: float, expected: float
) -> None:
    state = SessionState(voice="v", user_seed=0, level_db=-20.0, first_gain_db=first_gain, chunks=2)
    assert prosody.gain_for(state, level) == pytest.approx(expected)


def test_the_first_gain_is_kept_along_the_segment() -> None:
    state = prosody.initial_state("v", 0)
    gain = prosody.gain_for(state, -25.2)
    state = prosody.advance(state, "x" * 150, 10.0, -25.2, gain, 10.2)
    assert state.first_gain_db == pytest.approx(5.2)
    for level in (-24.0, -26.5, -25.0, -25.8):
        gain = prosody.gain_for(state, level)
        state = prosody.advance(state, "x" * 150, 10.0, level, gain, 10.2)
        assert state.level_db == pytest.approx(prosody.REFERENCE_LEVEL_DB)
    assert state.first_gain_db == pytest.approx(5.2)


def test_a_speakers_first_gain_is_held_for_its_next_turn() -> None:
    host = prosody.for_speaker(prosody.initial_state("v", 0), "HOST", "v", prosody.PAUSES_S)
    host = prosody.advance(host, "x" * 150, 10.0, -26.0, 6.0, 10.2)
    guest = prosody.for_speaker(host, "GUEST", "w", prosody.PAUSES_S)
    assert (guest.chunks, guest.first_gain_db) == (0, 0.0)
    guest = prosody.advance(guest, "x" * 150, 10.0, -18.0, -2.0, 10.2)
    back = prosody.for_speaker(guest, "HOST", "v", prosody.PAUSES_S)
    assert (back.chunks, back.first_gain_db, back.level_db) == (1, 6.0, -20.0)
    again = SessionState.from_dict(json.loads(json.dumps(back.to_dict())))
    assert again == back


def test_level_baseline_holds_the_gained_level() -> None:
    state = prosody.advance(prosody.initial_state("v", 0), "x" * 150, 10.0, -26.0, 1.0, 10.2)
    assert state.level_db == -25.0
    after = prosody.advance(state, "x" * 150, 10.0, -29.0, 4.0, 10.2)
    assert after.level_db == pytest.approx(-25.0)
    clamped = prosody.advance(after, "x" * 150, 10.0, -35.0, 4.0, 10.2)
    weight = prosody.BASELINE_WEIGHT
    assert clamped.level_db == pytest.approx((1 - weight) * -25.0 + weight * -31.0)
    assert after.rate_cps == pytest.approx(15.0)
    assert after.position_s == pytest.approx(20.4)
    assert after.chunks == 2
    assert after.length_scale == 1.0


def test_pauses_come_from_the_state_with_a_sentence_fallback() -> None:
    state = prosody.initial_state("v", 0)
    for boundary, pause in prosody.PAUSES_S.items():
        assert prosody.pause_after(state, boundary) == pause
    assert prosody.pause_after(state, "unknown") == prosody.PAUSES_S["sentence"]
    assert (
        prosody.PAUSES_S["clause"]
        < prosody.PAUSES_S["sentence"]
        < prosody.PAUSES_S["list_item"]
        < prosody.PAUSES_S["paragraph"]
        < prosody.PAUSES_S["section"]
        < prosody.PAUSES_S["chapter"]
    )
