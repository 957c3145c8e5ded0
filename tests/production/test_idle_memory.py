"""IdleRelease: nothing is released while tasks follow one another; once idle, once."""

from __future__ import annotations

import threading
import time

from narration.production.idle_memory import IdleRelease

IDLE_S = 0.2


def _counting() -> tuple[IdleRelease, list[float], threading.Event]:
    calls: list[float] = []
    fired = threading.Event()

    def release() -> None:
        calls.append(time.monotonic())
        fired.set()

    return IdleRelease(release, idle_s=IDLE_S), calls, fired


def test_releases_once_after_the_last_task() -> None:
    idle, calls, fired = _counting()
    idle.busy()
    ended = time.monotonic()
    idle.idle()
    assert fired.wait(5)
    assert calls[0] - ended >= IDLE_S
    time.sleep(3 * IDLE_S)
    assert len(calls) == 1


def test_tasks_in_quick_succession_release_nothing() -> None:
    idle, calls, _ = _counting()
    for _ in range(10):
        idle.busy()
        time.sleep(IDLE_S / 4)
        idle.idle()
    idle.busy()
    time.sleep(3 * IDLE_S)
    assert calls == []
    idle.idle()
    time.sleep(3 * IDLE_S)
    assert len(calls) == 1


def test_waits_for_every_task_thread() -> None:
    idle, calls, _ = _counting()
    idle.busy()
    idle.busy()
    idle.idle()
    time.sleep(3 * IDLE_S)
    assert calls == []
    idle.idle()
    time.sleep(3 * IDLE_S)
    assert len(calls) == 1
