"""A Celery app that only sends jobs, for the CLI (`narrate submit`, `run`, `resume`).

Configured as the workers' app is (`workers.celery_config`), it names the tasks instead of
importing them (`workers.celery_dispatch`) and gives the process no worker context, so sending
a job loads neither the tasks, the code that makes chunks, nor boto3 where it only puts the plan
(docs/BENCHMARKS.md, "CLI start-up").
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Final

from celery import Celery
from celery.backends.redis import RedisBackend

from narration.connections import Services, resolve
from narration.settings import Settings
from narration.workers.celery_config import celery_config
from narration.workers.celery_dispatch import CeleryDispatcher

REDIS_SCHEMES: Final = ("redis", "rediss")
"""The result backend URLs Celery gives to its `RedisBackend` (its `BACKEND_ALIASES`)."""


class SendingBackend(RedisBackend):
    """Celery's Redis result backend for a process that sends work and waits on none of it.

    The chord's bookkeeping is the workers' backend's own (`apply_chord`, the chord's size set
    as its header is sent), but a sent task's result is not subscribed to: Celery's Redis backend
    subscribes its sender to every task it sends, on a connection of its own, for results that
    nobody here reads.
    """

    def on_task_call(self, producer: Any, task_id: str) -> None:
        """Subscribe to no sent task's result."""

    def add_pending_result(
        self, result: Any, weak: bool = False, start_drainer: bool = True
    ) -> Any:
        """Follow no result (a chord's header would follow each of its tasks' here)."""
        return result


class SendingApp(Celery):
    """The sending app: its result backend is a `SendingBackend`."""

    def _get_backend(self) -> Any:
        # The class Celery picks for a redis:// URL, named here: Celery looks the scheme up
        # among every installed package's entry points first, which read them all from disk.
        url = str(self.conf.result_backend)
        if url.partition("://")[0] not in REDIS_SCHEMES:
            return super()._get_backend()
        return SendingBackend(app=self, url=url)


def sending_services(settings: Settings) -> Services:
    """The services of `settings`, whose work queue sends through a new app pointed at the
    broker, and whose stores put small objects without boto3 (`Services.signed_puts`)."""
    services = resolve(settings)
    app = SendingApp("narration", set_as_current=False)
    app.conf.update(celery_config(services, settings))
    return replace(services, dispatcher=CeleryDispatcher(app), signed_puts=True)
