"""A Celery app that only sends jobs, for the CLI (`narrate submit`, `run`, `resume`).

Configured as the workers' app is (`workers.celery_config`), it names the tasks instead of
importing them (`workers.celery_dispatch`) and gives the process no worker context, so sending
a job loads neither the tasks, the code that makes chunks, nor boto3 where it only puts the plan
(docs/BENCHMARKS.md, "CLI start-up").
"""

from __future__ import annotations

from dataclasses import replace

from celery import Celery

from narration.connections import Services, resolve
from narration.settings import Settings
from narration.workers.celery_config import celery_config
from narration.workers.celery_dispatch import CeleryDispatcher


def sending_services(settings: Settings) -> Services:
    """The services of `settings`, whose work queue sends through a new app pointed at the
    broker, and whose stores put small objects without boto3 (`Services.signed_puts`)."""
    services = resolve(settings)
    app = Celery("narration", set_as_current=False)
    app.conf.update(celery_config(services, settings))
    return replace(services, dispatcher=CeleryDispatcher(app), signed_puts=True)
