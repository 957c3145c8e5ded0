"""Where a worker's chunk task spends its time, traced from inside the worker process.

`TaskTrace` writes one JSON line per task with the seconds spent per call category (timed by
proxies around the worker context's store and records and around its engine, on the task's
own thread; no package code is patched), and one line per background commit. Used by the
zero-cost worker (bench/zero_cost_worker.py) for bench/overhead.py and bench/first_audio.py.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import checkout  # noqa: F401  (this checkout's narration)
from wrapped_engine import WrappedEngine

from narration.pipeline.engine import Engine, Synthesis, SynthesisParams
from narration.production.commits import Commit, Committer

LOOKUP_LABEL: Final = "voice lookup"
ENGINE_LABEL: Final = "engine (zero-cost; its sleep, if any)"
STORE_LABELS: Final = {"put_bytes": "S3 PUT", "exists": "S3 HEAD", "get_bytes": "S3 GET"}
RECORD_LABELS: Final = dict.fromkeys(
    ("is_cancelled", "get", "set_status", "chunk_done", "is_chunk_done", "is_cached"),
    "Redis records",
)


class TaskTrace:
    """One JSON line per task (start, end, seconds per call category) to a file, and one per
    background commit (start, end).

    The categories time the calls a chunk task makes on the context's store and records and
    its engine, on the task's thread only (the commit thread uses the same store); prerun →
    postrun also holds the chunk's shaping and Celery's own result write and the chain's
    next-message publish, which no category covers.
    """

    def __init__(self, path: Path) -> None:
        from celery import signals

        self._path = path
        self._lock = threading.Lock()
        self.calls: dict[str, float] = {}
        self.marks: dict[str, float] = {}
        self._started = 0.0
        self._task_thread = 0
        signals.task_received.connect(self.received, weak=False)
        signals.task_prerun.connect(self._prerun, weak=False)
        signals.task_postrun.connect(self._postrun, weak=False)

    def add(self, label: str, seconds: float) -> None:
        if threading.get_ident() == self._task_thread:
            self.calls[label] = self.calls.get(label, 0.0) + seconds

    @contextlib.contextmanager
    def timing(self, label: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.add(label, time.perf_counter() - started)

    def timed(self, target: Any, labels: dict[str, str]) -> Any:
        """A proxy of `target` whose methods named in `labels` are timed into those labels."""
        return _Timed(target, self, labels)

    def write(self, line: dict[str, Any]) -> None:
        with self._lock, self._path.open("a") as out:
            out.write(json.dumps({**line, "pid": os.getpid()}) + "\n")

    def mark(self, name: str) -> None:
        """A moment of the running task (wall clock, comparable across processes)."""
        if threading.get_ident() == self._task_thread:
            self.marks[name] = time.time()

    def _prerun(self, task_id: str = "", task: Any = None, args: Any = (), **_: Any) -> None:
        self.calls, self.marks = {}, {}
        self._task_thread = threading.get_ident()
        self._started = time.time()

    def _postrun(self, task_id: str = "", task: Any = None, args: Any = (), **_: Any) -> None:
        line = {
            "task": task.name,
            "id": task_id,
            "args": [arg for arg in args if not isinstance(arg, dict)],
            "start": self._started,
            "end": time.time(),
            "calls": self.calls,
            "marks": self.marks,
        }
        self.write(line)

    def received(self, request: Any = None, **_: Any) -> None:
        """In the worker's main process: when a task's message came from the broker."""
        self.write({"task": "received", "id": request.id, "start": time.time(), "end": 0.0})


class TracedCommits:
    """A committer that writes each commit's start and end (on the writer's thread)."""

    def __init__(self, inner: Committer, trace: TaskTrace) -> None:
        self._inner, self._trace = inner, trace

    def submit(self, commit: Commit) -> None:
        def traced() -> None:
            started = time.time()
            try:
                commit()
            finally:
                self._trace.write({"task": "commit", "start": started, "end": time.time()})

        self._inner.submit(traced)

    def drain(self) -> None:
        self._inner.drain()


class _Timed:
    def __init__(self, target: Any, trace: TaskTrace, labels: dict[str, str]) -> None:
        self._target, self._trace, self._labels = target, trace, labels

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._target, name)
        label = self._labels.get(name)
        if label is None:
            return attribute

        def timed(*args: Any, **kwargs: Any) -> Any:
            with self._trace.timing(label):
                return attribute(*args, **kwargs)

        return timed


class TimedEngine(WrappedEngine):
    """The real engine, its synthesis timed and marked (bench/first_audio.py)."""

    def __init__(self, model: Engine, trace: TaskTrace | None) -> None:
        super().__init__(model)
        self._trace = trace

    def synthesize(self, text: str, params: SynthesisParams) -> Synthesis:
        if self._trace is None:
            return self.wrapped.synthesize(text, params)
        self._trace.mark("engine start")
        with self._trace.timing(ENGINE_LABEL):
            made = self.wrapped.synthesize(text, params)
        self._trace.mark("engine end")
        return made
