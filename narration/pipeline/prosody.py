"""Session state carried from chunk to chunk along a segment, and what it decides.

The state is a small JSON object (≤ 4 KB) stored beside every chunk, so any chunk can be re-made
from it alone. It decides the engine parameters of the next chunk (its seed; the length scale stays
1.0, see docs/SEAMS.md for the rate nudge we measured and dropped), the gain that matches the
chunk's speech level to the running baseline of the segment, and the pause after it.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Final, NotRequired, TypedDict, cast

from narration.pipeline.engine import SynthesisParams

STATE_VERSION: Final = 7
"""2: pauses count the chunks' quiet edges; the length scale is no longer nudged.
3: seeds come from each chunk's content (`pipeline.chunk_key`); `user_seed` is only mixed in.
4: a segment's first chunk is brought to `REFERENCE_LEVEL_DB`, not left at its own level.
5: the pause at a sentence join is the voice's own between sentences (`sentence_pause_s`).
6: the pause at a clause join is the voice's own at clause punctuation (`clause_pause_s`).
7: a later chunk's gain is clamped around the segment's first chunk's (`first_gain_db`)."""
MAX_STATE_BYTES: Final = 4096
CONTEXT_CHARS: Final = 200
MAX_GAIN_DB: Final = 4.0
"""How far a later chunk's gain may stray from the gain of its segment's first chunk: a chunk
spoken much louder or quieter than the rest keeps some of its difference."""
REFERENCE_LEVEL_DB: Final = -20.0
"""The speech level every segment starts at (`audio.speech_level_db`), so that all segments
share one level and the programme's loudness is known before its audio exists
(`pipeline.mastering.CALIBRATED_LUFS`). Piper speaks at about -24 dB."""
MAX_FIRST_GAIN_DB: Final = 12.0
BASELINE_WEIGHT: Final = 0.3
"""Weight of the newest chunk in the running baselines (exponential moving average)."""
HEARD_PAUSE_S: Final = (0.12, 0.40)
"""Bounds on a sentence pause taken from the voice's own: a stray long silence inside a chunk
must not stretch every join after it."""
HEARD_CLAUSE_PAUSE_S: Final = (0.08, 0.40)
"""Bounds on a clause pause taken from the voice's own (a comma may be said with little quiet)."""
PAUSES_S: Final = {
    "clause": 0.12,
    "sentence": 0.17,
    "list_item": 0.35,
    "paragraph": 0.65,
    "section": 1.0,
    "chapter": 1.6,
}
"""Designed pause after a chunk, by what follows it: the quiet a listener hears from the end of
one chunk's speech to the start of the next, its quiet edges included (render places the rest as
silence). The sentence pause is Piper's own median pause between sentences inside one synthesis
call on plain prose (bench/seams.py): a segment starts from it, and once a chunk has sentences of
its own, joins take the voice's pause as heard there (`SessionState.sentence_pause_s`); clause
joins likewise take the voice's pause at the clause marks inside chunks (`clause_pause_s`). A list
item's pause sits between the sentence and paragraph pauses; the pause before a section title
between paragraph and chapter."""
TURN_PAUSE_S: Final = 0.4
"""The pause where a script's speaker changes (boundary `turn`): longer than a sentence pause,
shorter than a paragraph pause, like a quick reply (docs/SEAMS.md). Kept out of the profiles,
so the states, and the keys, of jobs without speakers stay as they were."""

Held = tuple[str, str, float, float, float, int]
"""Another speaker's own chain while someone else speaks: (speaker, voice, rate_cps,
level_db, first_gain_db, chunks)."""


class SessionStateJson(TypedDict):
    """A `SessionState` as JSON: in a synth task's message and result, and as a chunk's
    `state_in`/`state_out` (keys in field order, as `SessionState.to_dict` writes them)."""

    voice: str
    user_seed: int
    length_scale: float
    rate_cps: float
    level_db: float
    first_gain_db: float
    chunks: int
    position_s: float
    previous_text: str
    sentence_pause_s: float
    clause_pause_s: float
    pauses: dict[str, float]
    version: int
    speaker: NotRequired[str]
    held: NotRequired[list[list[str | float | int]]]


@dataclass(frozen=True)
class SessionState:
    voice: str
    user_seed: int
    length_scale: float = 1.0
    rate_cps: float = 0.0
    level_db: float = 0.0
    first_gain_db: float = 0.0
    """The gain of the segment's first chunk, which brought it to the reference level: later
    chunks' gains are clamped around it, so a voice that speaks well under the reference keeps
    every chunk near it, not only the first (`gain_for`)."""
    chunks: int = 0
    position_s: float = 0.0
    previous_text: str = ""
    sentence_pause_s: float = 0.0
    """The voice's own pause between sentences inside this segment's chunks so far (a running
    average; 0 until one is heard): the pause at a sentence join, so that joins sound like the
    boundaries inside chunks (`pipeline.voice_pauses`)."""
    clause_pause_s: float = 0.0
    """The same at clause punctuation inside chunks: the pause at a clause join."""
    pauses: tuple[tuple[str, float], ...] = tuple(PAUSES_S.items())
    version: int = STATE_VERSION
    speaker: str = ""
    """The script speaker whose chain this is (`for_speaker`); "" without speakers."""
    held: tuple[Held, ...] = ()
    """The other speakers' chains, kept for their next turn."""

    def to_dict(self) -> SessionStateJson:
        data = asdict(self)
        data["pauses"] = dict(self.pauses)
        if not self.speaker:  # a job without speakers keeps its states, and keys, as they were
            del data["speaker"], data["held"]
        return cast(SessionStateJson, data)

    @classmethod
    def from_dict(cls, data: SessionStateJson) -> SessionState:
        values: dict[str, object] = dict(data)
        pauses = values.pop("pauses", PAUSES_S)
        assert isinstance(pauses, dict)
        held = tuple(tuple(item) for item in values.pop("held", ()))  # type: ignore[attr-defined]
        return cls(
            **values,  # type: ignore[arg-type]
            pauses=tuple((str(k), float(v)) for k, v in pauses.items()),
            held=held,
        )

    def encoded_size(self) -> int:
        return len(json.dumps(self.to_dict()).encode())


def initial_state(
    voice: str,
    user_seed: int = 0,
    speed: float = 1.0,
    pauses: Mapping[str, float] | None = None,
) -> SessionState:
    """Every segment starts from the job's voice profile, so segments are independent.

    `user_seed` (`--seed`, 0 for none) and the speaking rate travel in the state, so they are
    mixed into every chunk's key and seed (`pipeline.chunk_key`). `pauses` is the engine's pause
    profile (default `PAUSES_S`)."""
    table = tuple((PAUSES_S if pauses is None else pauses).items())
    return SessionState(
        voice=voice, user_seed=user_seed, length_scale=round(1.0 / speed, 6), pauses=table
    )


def params_for(state: SessionState, seed: int) -> SynthesisParams:
    return SynthesisParams(seed=seed, length_scale=state.length_scale)


def pause_after(state: SessionState, boundary: str, at_mark: bool = True) -> float:
    """The designed pause after a chunk followed by `boundary`. A clause join takes the voice's
    own clause pause only `at_mark`, where the chunk ends at clause punctuation; a sentence cut
    at a bare word boundary (or an SSML rate's edge) keeps the designed one."""
    if boundary == "sentence" and state.sentence_pause_s > 0.0:
        return state.sentence_pause_s
    if boundary == "clause" and at_mark and state.clause_pause_s > 0.0:
        return state.clause_pause_s
    default = TURN_PAUSE_S if boundary == "turn" else PAUSES_S["sentence"]
    return dict(state.pauses).get(boundary, default)


def for_speaker(
    state: SessionState, speaker: str, voice: str, pauses: Mapping[str, float]
) -> SessionState:
    """The state a chunk of `speaker`'s turn starts from: the chain `speaker` left at the end
    of its last turn (its voice, rate and level baselines), or a new one at the reference
    level for its first; the chain being left is held for its next turn. The position and
    the text before carry on. `pauses` is the profile of `speaker`'s voice."""
    if not speaker or speaker == state.speaker:
        return state
    held = {item[0]: item for item in state.held}
    if state.speaker:
        held[state.speaker] = (
            state.speaker,
            state.voice,
            state.rate_cps,
            state.level_db,
            state.first_gain_db,
            state.chunks,
        )
    own = held.pop(speaker, (speaker, voice, 0.0, 0.0, 0.0, 0))
    return replace(
        state,
        speaker=speaker,
        voice=str(own[1]),
        rate_cps=float(own[2]),
        level_db=float(own[3]),
        first_gain_db=float(own[4]),
        chunks=int(own[5]),
        pauses=tuple(pauses.items()),
        sentence_pause_s=0.0,
        clause_pause_s=0.0,
        held=tuple(held[name] for name in sorted(held)),
    )


def heard(
    state: SessionState, sentence_pauses: Sequence[float], clause_pauses: Sequence[float] = ()
) -> SessionState:
    """The state with the pauses heard between a chunk's own sentences, and at its own clause
    marks, averaged in."""
    sentence = _averaged(state.sentence_pause_s, sentence_pauses, HEARD_PAUSE_S)
    clause = _averaged(state.clause_pause_s, clause_pauses, HEARD_CLAUSE_PAUSE_S)
    if (sentence, clause) == (state.sentence_pause_s, state.clause_pause_s):
        return state
    return replace(state, sentence_pause_s=sentence, clause_pause_s=clause)


def _averaged(baseline: float, pauses: Sequence[float], bounds: tuple[float, float]) -> float:
    """`baseline` with the median of `pauses` (bounded) averaged in; the median alone when
    there is no baseline yet (0)."""
    if not pauses:
        return baseline
    low, high = bounds
    value = min(high, max(low, statistics.median(map(float, pauses))))
    if baseline > 0.0:
        value = _ema(baseline, value)
    return round(value, 4)


def gain_for(state: SessionState, level_db: float) -> float:
    """dB that brings this chunk's speech level to the segment's baseline, within `MAX_GAIN_DB`
    of the segment's first gain, or the first chunk's to the reference level."""
    if level_db <= -100.0:
        return 0.0
    if state.chunks == 0:
        return max(-MAX_FIRST_GAIN_DB, min(MAX_FIRST_GAIN_DB, REFERENCE_LEVEL_DB - level_db))
    first = state.first_gain_db
    return max(first - MAX_GAIN_DB, min(first + MAX_GAIN_DB, state.level_db - level_db))


def advance(
    state: SessionState,
    text: str,
    speech_s: float,
    level_db: float,
    gain_db: float,
    chunk_span_s: float,
) -> SessionState:
    """The state after a chunk: rate and level baselines updated, position moved on.

    `speech_s` is the chunk's audible duration, `level_db` its speech level before gain. The
    level baseline averages the gained levels, so while gains stay inside the clamp it holds the
    reference level and a segment keeps one level; the first chunk's gain is kept as the
    clamp's centre.
    """
    rate = len(text) / speech_s if speech_s > 0 else state.rate_cps
    first_gain = state.first_gain_db
    if state.chunks == 0:
        rate_baseline, level_baseline, first_gain = rate, level_db + gain_db, gain_db
    else:
        rate_baseline = _ema(state.rate_cps, rate)
        level_baseline = _ema(state.level_db, level_db + gain_db)
    return replace(
        state,
        rate_cps=round(rate_baseline, 4),
        level_db=round(level_baseline, 3),
        first_gain_db=round(first_gain, 3),
        chunks=state.chunks + 1,
        position_s=round(state.position_s + chunk_span_s, 4),
        previous_text=text[-CONTEXT_CHARS:],
    )


def _ema(baseline: float, value: float) -> float:
    return (1.0 - BASELINE_WEIGHT) * baseline + BASELINE_WEIGHT * value
