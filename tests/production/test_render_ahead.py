"""The chain's message and the helper thread that makes a segment's next chunk ahead."""

from __future__ import annotations

import json
import threading
import time

import numpy as np

from narration.pipeline.engine import Synthesis, SynthesisParams
from narration.pipeline.plan import TAIL_PART_CHUNKS, PlannedChunk
from narration.pipeline.prosody import initial_state
from narration.pipeline.render import EngineCall
from narration.production.render_ahead import Ahead, ChainStep, rest_of_part

CALL = EngineCall("Hello there.", SynthesisParams(seed=3))
LATER = EngineCall("Goodbye.", SynthesisParams(seed=4))


class Recording:
    """An engine that answers at once and records what it was asked (the threading is under
    test here; the real voice's bytes are in tests/production/test_steps.py)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, SynthesisParams, str]] = []

    def synthesize(self, text: str, params: SynthesisParams) -> Synthesis:
        self.calls.append((text, params, threading.current_thread().name))
        return Synthesis(np.zeros(10, dtype=np.float32), 22050, [])


def test_a_plain_state_is_a_chain_s_first_message() -> None:
    state = initial_state("v", user_seed=4)
    assert ChainStep.from_message(state.to_dict()) == ChainStep(state)
    assert ChainStep(state).to_message() == state.to_dict()


def test_a_message_says_when_the_next_chunk_is_made_too() -> None:
    state, after = initial_state("v"), initial_state("v", user_seed=9)
    message = json.loads(json.dumps(ChainStep(state, (after,)).to_message()))
    assert message["made_next"] == [after.to_dict()]
    assert ChainStep.from_message(message) == ChainStep(state, (after,))


def test_the_helper_takes_the_calls_in_order_once_a_core_is_free() -> None:
    engine = Recording()
    asked = []

    def spare_core() -> bool:
        asked.append(1)
        return len(asked) >= 3

    ahead = Ahead([(engine, CALL), (engine, LATER)], spare_core)  # type: ignore[list-item]
    while not engine.calls:
        time.sleep(0.001)
    assert ahead.get(0) is not None and ahead.get(1) is not None
    ahead.close()
    assert len(asked) >= 3
    assert [(text, params) for text, params, _ in engine.calls] == [
        (CALL.text, CALL.params),
        (LATER.text, LATER.params),
    ]
    assert engine.calls[0][2].startswith("chunk-ahead")


class FirstWaits(Recording):
    """The first call waits until a later one is made (on another thread)."""

    def __init__(self) -> None:
        super().__init__()
        self.later_made = threading.Event()

    def synthesize(self, text: str, params: SynthesisParams) -> Synthesis:
        first = not self.calls
        made = super().synthesize(text, params)
        if first:
            assert self.later_made.wait(5)
        else:
            self.later_made.set()
        return made


def test_while_the_helper_makes_one_the_asking_thread_makes_the_next() -> None:
    engine = FirstWaits()
    ahead = Ahead([(engine, CALL), (engine, LATER)], lambda: True)  # type: ignore[list-item]
    while not engine.calls:
        time.sleep(0.001)
    assert ahead.get(0) is not None and ahead.get(1) is not None
    ahead.close()
    threads = [thread for _, _, thread in engine.calls]
    assert threads[0].startswith("chunk-ahead") and threads[1] == threading.current_thread().name


def test_without_a_free_core_the_calls_are_given_up() -> None:
    engine = Recording()
    ahead = Ahead([(engine, CALL), (engine, LATER)], lambda: False)  # type: ignore[list-item]
    time.sleep(0.05)
    assert ahead.get(0) is None
    ahead.close()
    assert engine.calls == []


def test_a_task_makes_ahead_only_within_its_part() -> None:
    """A long segment's first part is encoded while the chunks after it are made: the task
    that makes its chunks ahead stops at its end."""
    long = [PlannedChunk(n, 0, n, 0, f"Line {n}.", "sentence") for n in range(8)]
    cut = 8 - TAIL_PART_CHUNKS
    assert [c.seq for c in rest_of_part(long, 0)] == list(range(1, cut))
    assert [c.seq for c in rest_of_part(long, cut - 1)] == []
    assert [c.seq for c in rest_of_part(long, cut)] == list(range(cut + 1, 8))
    short = long[:4]
    assert [c.seq for c in rest_of_part(short, 1)] == [2, 3]
