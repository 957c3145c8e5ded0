"""A chunk's sentences rendered more than one at a time while the host has idle cores.

Why: a lone chain (a short job is one segment) runs its chunks one after another in one worker
process, on an engine with one onnxruntime thread: the layout that is fastest while every core
has a chain of its own, and half the machine while one chain runs alone. Each sentence of a
chunk is an engine run of its own (its noise seeded by the sentence's index), so runs made at
once on one-thread sessions give exactly the bytes they give one after another. More intra-op
threads would not: onnxruntime's matrix products choose their blocking from each thread's share
of the columns, and 2 threads differ from 1 in the last bits for some sentences (docs/ENGINE.md).

A helper thread takes a sentence only while `spare_core()` says a core is free
(`adapters.host_cores`), checked again before every sentence, so chains that already fill the
cores never fight over extra threads; the calling thread never waits for one.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Final, TypeVar

Item = TypeVar("Item")
Made = TypeVar("Made")

RECHECK_S: Final = 0.01
"""How often a waiting helper asks again whether a core is free: a few checks per sentence."""


def always() -> bool:
    return True


class SentencePool:
    """Runs `render` over a chunk's sentences on the calling thread and `helpers` more."""

    def __init__(
        self, helpers: int, spare_core: Callable[[], bool] = always, recheck_s: float = RECHECK_S
    ) -> None:
        self.helpers = max(0, helpers)
        self._spare_core = spare_core
        self._recheck_s = recheck_s
        self._executor: ThreadPoolExecutor | None = None
        self.helped = 0
        """Sentences the helpers have rendered so far (logs, tests)."""

    def map(
        self, render: Callable[[Item], Made], items: Sequence[Item], cost: Callable[[Item], int]
    ) -> list[Made]:
        """`[render(item) for item in items]`, the costliest first, shared with the helpers."""
        if not self.helpers or len(items) < 2:
            return [render(item) for item in items]
        if self._executor is None:
            self._executor = ThreadPoolExecutor(self.helpers, thread_name_prefix="sentences")
        left = deque(sorted(range(len(items)), key=lambda index: -cost(items[index])))
        lock = threading.Lock()
        made: dict[int, Made] = {}
        finished = threading.Event()

        def take() -> int | None:
            with lock:
                return left.popleft() if left else None

        def help_out() -> None:
            while left and not finished.is_set():
                if not self._spare_core():
                    finished.wait(self._recheck_s)
                    continue
                index = take()
                if index is None:
                    return
                made[index] = render(items[index])
                with lock:
                    self.helped += 1

        running = [self._executor.submit(help_out) for _ in range(min(self.helpers, len(left) - 1))]
        try:
            while (index := take()) is not None:
                made[index] = render(items[index])
        finally:
            finished.set()
            for helper in running:
                helper.result()
        return [made[index] for index in range(len(items))]
