"""A segment's next chunks synthesised beside this one while the host has a core to spare.

Why: a short job is one segment, one chain whose chunks are made one after another on a
one-thread engine, so it uses half of a two-core machine (docs/BENCHMARKS.md, "the page").
A chunk's engine call depends on the state before it only through the state's planned part
(`pipeline.chunk_key.planned_part`), which the plan decides; so the synth task of a chunk can
synthesise the segment's next chunks with its own, two at a time, and shape each (gain, pauses:
milliseconds) once the chunk before it is measured. It commits them in order, and its result
tells the chain's next tasks the states after the chunks made for them (`ChainStep.made_next`):
those tasks pass them on without rendering. A one-thread engine run gives the same bytes on any
thread, so a chunk made ahead is the chunk made in turn.

The helper thread starts only while `spare_core()` says a core is free, asked again every
`RECHECK_S` and before each chunk it takes, so chains that fill the cores never get a third
thread; a task whose own chunk is made before the helper got a core leaves the next chunks to
their tasks.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Final, NotRequired, cast

from narration.pipeline.engine import Engine, Synthesis
from narration.pipeline.plan import PlannedChunk, tail_cut
from narration.pipeline.prosody import SessionState, SessionStateJson
from narration.pipeline.render import EngineCall

RECHECK_S: Final = 0.01
"""How often the helper asks again whether a core is free while it waits to start."""


class ChainMessage(SessionStateJson):
    """A synth task's result, the next synth task's first argument: the state after the chunk
    made, with the state after the next chunk where the task made that one too."""

    made_next: NotRequired[list[SessionStateJson]]


@dataclass(frozen=True)
class ChainStep:
    """What a synth task hands on along its segment's chain."""

    state: SessionState
    """The state after the chunk the task was for."""
    made_next: tuple[SessionState, ...] = ()
    """The states after the segment's next chunks, where this task made them too: the next
    task passes the first on, with the rest."""

    def to_message(self) -> ChainMessage:
        message: ChainMessage = {**self.state.to_dict()}
        if self.made_next:
            message["made_next"] = [state.to_dict() for state in self.made_next]
        return message

    @classmethod
    def from_message(cls, message: ChainMessage | SessionStateJson) -> ChainStep:
        """A chain's first message is a plain state; later ones may say chunks are made."""
        data: dict[str, Any] = dict(message)
        made_next = data.pop("made_next", [])
        state = SessionState.from_dict(cast(SessionStateJson, data))
        return cls(state, tuple(SessionState.from_dict(made) for made in made_next))


def rest_of_part(segment: Sequence[PlannedChunk], index: int) -> Sequence[PlannedChunk]:
    """The chunks a task made for chunk `index` of `segment` may make ahead: the rest of its
    part (`Plan.parts`), since a long segment's first part is sent, and encoded, once its last
    chunk's task returns, while the chunks after it are synthesised."""
    cut = tail_cut(segment)
    end = cut if cut and index < cut else len(segment)
    return segment[index + 1 : end]


def never() -> bool:
    return False


class Ahead:
    """The syntheses of a segment's next chunks, taken in order: by a helper thread while a
    core is free, and by the task's own thread (`get`) once the helper has one."""

    def __init__(
        self, calls: Sequence[tuple[Engine, EngineCall]], spare_core: Callable[[], bool]
    ) -> None:
        self.calls = list(calls)
        self._spare_core = spare_core
        self._lock = threading.Lock()
        self._taken = 0
        self._helping = False
        self._stop = threading.Event()
        self._made: list[Future[Synthesis]] = [Future() for _ in self.calls]
        self.seconds = [0.0] * len(self.calls)
        """How long each synthesis took, once made."""
        self._helper = _executor().submit(self._help)

    def _take(self) -> int | None:
        with self._lock:
            if self._stop.is_set() or self._taken >= len(self.calls):
                return None
            self._taken += 1
            return self._taken - 1

    def _help(self) -> None:
        while not self._stop.is_set():
            if not self._spare_core():
                self._stop.wait(RECHECK_S)
                continue
            with self._lock:
                self._helping = not self._stop.is_set()
            index = self._take()
            if index is None:
                return
            self._make(index)

    def _make(self, index: int) -> None:
        engine, call = self.calls[index]
        started = time.perf_counter()
        try:
            self._made[index].set_result(engine.synthesize(call.text, call.params))
        except BaseException as error:
            self._made[index].set_exception(error)
        self.seconds[index] = time.perf_counter() - started

    def get(self, index: int) -> Synthesis | None:
        """Synthesis `index`, waited for: while the helper makes it, this thread makes the next
        one nobody has taken; None once the helper never got a core (nor ever will)."""
        while not self._made[index].done():
            with self._lock:
                if not self._helping:
                    self._stop.set()
                    return None
            spare = self._take()
            if spare is None:
                break
            self._make(spare)
        return self._made[index].result()

    def close(self) -> None:
        """Take nothing more; wait for what the helper is making."""
        self._stop.set()
        self._helper.result()


_lock: Final = threading.Lock()
_executors: list[ThreadPoolExecutor] = []


def _executor() -> ThreadPoolExecutor:
    """The process's helper thread, made on first use (a worker process's, never the parent's
    before it forks)."""
    with _lock:
        if not _executors:
            _executors.append(ThreadPoolExecutor(1, thread_name_prefix="chunk-ahead"))
        return _executors[0]
