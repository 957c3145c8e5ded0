"""A segment's next chunk synthesised beside this one while the host has a core to spare.

Why: a short job is one segment, one chain whose chunks are made one after another on a
one-thread engine, so it uses half of a two-core machine (docs/BENCHMARKS.md, "the page").
A chunk's engine call depends on the state before it only through the state's planned part
(`pipeline.chunk_key.planned_part`), which the plan decides; so the synth task of a chunk can
start the next chunk's synthesis with its own, and shape it (gain, pauses: milliseconds) once
its own chunk is measured. It commits both, and its result tells the chain's next task the
state after the chunk made for it (`ChainStep.made_next`): that task passes it on without
rendering. A one-thread engine run gives the same bytes on any thread, so a chunk made ahead
is the chunk made in turn.

The helper thread starts only while `spare_core()` says a core is free, asked again every
`RECHECK_S` until the task's own chunk is made, so chains that fill the cores never get a
third thread; once the task's chunk is made without it, the next chunk is left to its task.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Final, NotRequired, cast

from narration.pipeline.engine import Engine, Synthesis
from narration.pipeline.prosody import SessionState, SessionStateJson
from narration.pipeline.render import EngineCall

RECHECK_S: Final = 0.01
"""How often the helper asks again whether a core is free while it waits to start."""


class ChainMessage(SessionStateJson):
    """A synth task's result, the next synth task's first argument: the state after the chunk
    made, with the state after the next chunk where the task made that one too."""

    made_next: NotRequired[SessionStateJson]


@dataclass(frozen=True)
class ChainStep:
    """What a synth task hands on along its segment's chain."""

    state: SessionState
    """The state after the chunk the task was for."""
    made_next: SessionState | None = None
    """The state after the segment's next chunk, where this task made it too."""

    def to_message(self) -> ChainMessage:
        message: ChainMessage = {**self.state.to_dict()}
        if self.made_next is not None:
            message["made_next"] = self.made_next.to_dict()
        return message

    @classmethod
    def from_message(cls, message: ChainMessage | SessionStateJson) -> ChainStep:
        """A chain's first message is a plain state; later ones may say the chunk is made."""
        data: dict[str, Any] = dict(message)
        made_next = data.pop("made_next", None)
        state = SessionState.from_dict(cast(SessionStateJson, data))
        if made_next is None:
            return cls(state)
        return cls(state, SessionState.from_dict(made_next))


def never() -> bool:
    return False


class Ahead:
    """One engine call run on a helper thread once a core is free, or not at all."""

    def __init__(self, engine: Engine, call: EngineCall, spare_core: Callable[[], bool]) -> None:
        self._lock = threading.Lock()
        self._given_up = threading.Event()
        self._started = False
        self._engine = engine
        self._call = call
        self._spare_core = spare_core
        self.seconds = 0.0
        """How long the synthesis took, once made."""
        self._future: Future[Synthesis | None] = _executor().submit(self._run)

    @property
    def call(self) -> EngineCall:
        return self._call

    def _run(self) -> Synthesis | None:
        while not self._spare_core():
            if self._given_up.wait(RECHECK_S):
                return None
        with self._lock:
            if self._given_up.is_set():
                return None
            self._started = True
        started = time.perf_counter()
        made = self._engine.synthesize(self._call.text, self._call.params)
        self.seconds = time.perf_counter() - started
        return made

    def result(self) -> Synthesis | None:
        """The synthesis, waited for if it started; None (and it never will) if it had not."""
        with self._lock:
            if not self._started:
                self._given_up.set()
        return self._future.result()


_lock: Final = threading.Lock()
_executors: list[ThreadPoolExecutor] = []


def _executor() -> ThreadPoolExecutor:
    """The process's helper thread, made on first use (a worker process's, never the parent's
    before it forks)."""
    with _lock:
        if not _executors:
            _executors.append(ThreadPoolExecutor(1, thread_name_prefix="chunk-ahead"))
        return _executors[0]
