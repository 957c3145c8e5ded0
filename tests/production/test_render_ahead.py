"""The chain's message and the helper thread that makes a segment's next chunk ahead."""

from __future__ import annotations

import json
import threading
import time

import numpy as np

from narration.pipeline.engine import Synthesis, SynthesisParams
from narration.pipeline.prosody import initial_state
from narration.pipeline.render import EngineCall
from narration.production.render_ahead import Ahead, ChainStep

CALL = EngineCall("Hello there.", SynthesisParams(seed=3))


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
    message = json.loads(json.dumps(ChainStep(state, after).to_message()))
    assert message["made_next"] == after.to_dict()
    assert ChainStep.from_message(message) == ChainStep(state, after)


def test_the_call_runs_on_the_helper_thread_once_a_core_is_free() -> None:
    engine = Recording()
    asked = []

    def spare_core() -> bool:
        asked.append(1)
        return len(asked) >= 3

    ahead = Ahead(engine, CALL, spare_core)  # type: ignore[arg-type]
    while not engine.calls:
        time.sleep(0.001)
    assert ahead.result() is not None and len(asked) == 3
    [(text, params, thread)] = engine.calls
    assert (text, params) == (CALL.text, CALL.params) and thread.startswith("chunk-ahead")


def test_a_call_not_started_when_the_task_s_chunk_is_made_is_given_up() -> None:
    engine = Recording()
    ahead = Ahead(engine, CALL, lambda: False)  # type: ignore[arg-type]
    time.sleep(0.05)
    assert ahead.result() is None
    assert engine.calls == []
