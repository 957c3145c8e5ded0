"""The workers' Celery application, with the tasks, configured by `workers.celery_config`: queues
`stitch`, `proof` (a `--proof` job's chunks heard by the recogniser) and one per engine kind
(`synth` for onnx, `synth-torch` for torch).

Workers run it through `python -m narration.workers.main` (what `narrate worker` and `narrate up`
start), which builds the process's `Settings` once and calls `configure`; so does the HTTP
service. The CLI sends jobs without it, its tasks or a worker context (`workers.sender`). Its
broker and result backend are the same Redis/Valkey, resolved from settings or the local stack.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import replace
from typing import Any, Final

from celery import Celery
from celery.signals import (
    task_postrun,
    task_prerun,
    worker_process_init,
    worker_process_shutdown,
    worker_ready,
)

from narration.adapters.allocator import limit_arenas, release_free_memory
from narration.adapters.host_cores import core_to_spare
from narration.adapters.worker_reports import WorkerReports
from narration.connections import Services, resolve
from narration.engines.registry import queues
from narration.production import commits, context, idle_memory, loaded_engines, reporting, retention
from narration.settings import Settings
from narration.workers.celery_config import celery_config

_LOGGER = logging.getLogger(__name__)

REDELIVERY_SCAN_S: Final = 5.0

app = Celery("narration", include=["narration.workers.tasks", "narration.workers.proof_tasks"])


def configure(settings: Settings) -> Services:
    """Point the app at the broker and give this process its worker context; the services
    returned send jobs' work through this app."""
    from narration.workers.celery_dispatch import CeleryDispatcher

    services = replace(resolve(settings), dispatcher=CeleryDispatcher(app))
    app.conf.update(celery_config(services, settings))
    context.install(context.WorkerContext.connect(settings, services))
    return services


@worker_process_init.connect
def _start_worker_process(**_: Any) -> None:
    """Cap the allocator's arenas (`adapters.allocator`), commit chunks in the background, let
    a lone chain make its next chunk ahead on a free core (`production.render_ahead`), and
    start loading the default voice as the process starts, so that a job's first chunk waits
    only for its own synthesis. The load runs on a
    thread: the pool kills a process that has not reported ready within a few seconds, and a
    voice takes 0.6-3 s to load (a task that needs it meanwhile waits for it). A worker that
    serves no synthesis queue (`--queues stitch`) loads a voice only when a stitch must make a
    lost chunk again: a loaded Piper voice is about 330 MB of the process (docs/OUTPUT.md)."""
    limit_arenas()
    worker = context.current()
    worker.commits = commits.Background()
    if worker.settings.engine_sentence_threads > 1:
        worker.spare_core = core_to_spare
    if synthesises(app.amqp.queues.consume_from):
        threading.Thread(target=_preload, args=(worker,), name="voice-preload", daemon=True).start()


def synthesises(consumed: Iterable[str]) -> bool:
    """Whether a worker consuming these queues makes chunks (serves an engine's queue)."""
    return not set(queues()).isdisjoint(consumed)


def _preload(worker: context.WorkerContext) -> None:
    # Counted as work: the release that follows waits for it, and a task arriving meanwhile
    # never runs beside a release (the phonemizer is not thread-safe).
    _idle.busy()
    try:
        worker.engine(worker.settings.voice)
    except Exception as error:
        _LOGGER.warning("could not preload voice %s: %s", worker.settings.voice, error)
    finally:
        _idle.idle()


def release_memory() -> None:
    """What an idle worker process gives back: its engines' working memory, then the free
    pages of the C allocator (`production.idle_memory`)."""
    loaded_engines.release_memory()
    release_free_memory()


_idle = idle_memory.IdleRelease(release_memory)


@task_prerun.connect
def _task_starts(**_: Any) -> None:
    _idle.busy()


@task_postrun.connect
def _task_ends(**_: Any) -> None:
    _idle.idle()


@worker_process_shutdown.connect
def _finish_commits(**_: Any) -> None:
    """A process that stops cleanly lands the chunks it has rendered."""
    context.current().commits.drain()


@worker_ready.connect
def _start_redelivery(sender: Any = None, **_: Any) -> None:
    threading.Thread(target=_redeliver_forever, name="narration-redelivery", daemon=True).start()


@worker_ready.connect
def _start_heartbeat(sender: Any = None, **_: Any) -> None:
    """Beat for `/metrics` (worker count, queues and slots) from the worker's main process."""
    reports = WorkerReports.connect(context.current().services.broker())
    queues = sorted(sender.app.amqp.queues.consume_from)
    reporting.beat_forever(reports, sender.hostname, queues, int(sender.controller.concurrency))


def _redeliver_forever() -> None:
    """Put tasks of dead workers back on their queue once the visibility timeout has passed,
    and, about once an hour, purge chunk objects past their retention.

    The Redis transport keeps every unacknowledged message with a timestamp and restores those
    older than `visibility_timeout`; kombu's own periodic scan did not fire in our measurements
    (a killed worker's task stayed unacknowledged for minutes), so each worker scans itself.
    """
    last_sweep = 0.0
    while True:
        time.sleep(REDELIVERY_SCAN_S)
        try:
            with app.connection_for_read() as connection:
                connection.default_channel.qos.restore_visible(num=None, interval=1)
            if time.monotonic() - last_sweep > retention.SWEEP_INTERVAL_S:
                last_sweep = time.monotonic()
                worker = context.current()
                retention.sweep(worker, worker.settings.chunk_retention_days)
        except Exception as error:
            _LOGGER.warning("redelivery scan or retention sweep failed: %s", error)
