"""A retry that cannot be sent (broker down) is sent again, and never dropped."""

from __future__ import annotations

from typing import Any

import pytest
from celery.exceptions import Reject, Retry

from narration.workers import tasks


class _TaskWhoseBrokerIsDown:
    """Celery's `Task.retry` as it behaves when publishing fails `failures` times."""

    name = "narration.synth"

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0

    def retry(self, exc: Exception, countdown: int) -> Any:
        self.calls += 1
        if self.calls <= self.failures:
            raise Reject(ConnectionError("Error 111 connecting"), requeue=False)
        return Retry(exc=exc, when=countdown)


def test_a_retry_is_sent_once_the_broker_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tasks, "RETRY_SEND_PAUSE_S", 0.0)
    task = _TaskWhoseBrokerIsDown(failures=3)
    with pytest.raises(Retry):
        tasks.send_retry(task, ConnectionError("broker unreachable"), 1)
    assert task.calls == 4


def test_a_retry_never_sent_requeues_the_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tasks, "RETRY_SEND_PAUSE_S", 0.0)
    task = _TaskWhoseBrokerIsDown(failures=10**9)
    with pytest.raises(Reject) as raised:
        tasks.send_retry(task, ConnectionError("down"), 1, window_s=0.05)
    assert raised.value.requeue is True
    assert task.calls >= 1
