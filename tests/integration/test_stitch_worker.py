"""A worker that serves only the stitch queue does not load a voice it has no chunk to make
with (a loaded Piper voice is most of a worker's memory); one that synthesises preloads it."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from narration import stack
from narration.workers.app import synthesises
from tests.conftest import ROOT
from tests.integration.faults import wait_until

ENGINE_LIBRARY = "onnxruntime"


@contextmanager
def worker(env: dict[str, str], queues: str, log: Path) -> Iterator[int]:
    """`narrate worker --queues QUEUES` with one pool process; its pid."""
    command = [sys.executable, "-m", "narration.cli.main", "worker", "--queues", queues]
    pid = stack.spawn([*command, "--concurrency", "1"], log, {**env, "PYTHONPATH": str(ROOT)})
    try:
        yield pid
    finally:
        stack.stop_process(pid)


def pool_process(pid: int) -> int | None:
    """The worker's pool process, once it has forked it."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return int(children[0]) if children else None


def maps_engine(pid: int | None) -> bool:
    return pid is not None and ENGINE_LIBRARY in Path(f"/proc/{pid}/maps").read_text()


def test_which_queues_synthesise() -> None:
    assert not synthesises(["stitch"])
    assert synthesises(["synth", "stitch"])
    assert synthesises(["synth-torch"])


def test_a_stitch_only_worker_loads_no_voice(stack_env: dict[str, str], tmp_path: Path) -> None:
    """The stitch-only worker starts first; a synthesising one started after it has loaded
    the voice by the time the check runs, so the first would have too, had it preloaded."""
    log = tmp_path / "stitch.log"
    with worker(stack_env, "stitch", log) as stitching:
        wait_until(lambda: b" ready." in log.read_bytes(), 120, "the stitch-only worker")
        with worker(stack_env, "synth,stitch", tmp_path / "synth.log") as synthesising:
            wait_until(lambda: maps_engine(pool_process(synthesising)), 120, "the voice preload")
            stitch_pool = pool_process(stitching)
            assert stitch_pool is not None, log.read_text()[-2000:]
            assert not maps_engine(stitch_pool)
