"""The Celery application: JSON only, late acks, prefetch 1; queues `stitch`, `proof` (a
`--proof` job's chunks heard by the recogniser) and one per engine kind (`synth` for piper,
`synth-torch` for torch).

Workers run it through `python -m narration.workers.main` (what `narrate worker` and `narrate up`
start), which builds the process's `Settings` once and calls `configure`; the CLI calls
`configure` with its own settings before it sends tasks. Its broker and result backend are the
same Redis/Valkey, resolved from settings or the running local stack.
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
from kombu import Exchange, Queue

from narration.adapters import redis_clients
from narration.adapters.allocator import limit_arenas, release_free_memory
from narration.adapters.worker_reports import WorkerReports
from narration.connections import Services, resolve
from narration.engines.registry import queues
from narration.production import commits, context, idle_memory, loaded_engines, reporting, retention
from narration.settings import Settings

_LOGGER = logging.getLogger(__name__)

REDELIVERY_SCAN_S: Final = 5.0
PUBLISH_RETRIES: Final = 20

app = Celery("narration", include=["narration.workers.tasks", "narration.workers.proof_tasks"])


def celery_config(services: Services, settings: Settings) -> dict[str, Any]:
    transport = {
        "visibility_timeout": settings.visibility_timeout_s,
        "socket_timeout": 30,
        "socket_connect_timeout": 10,
        "retry_on_timeout": True,
        "health_check_interval": 10,
    }
    config: dict[str, Any] = {
        "broker_url": services.broker_url,
        "result_backend": services.broker_url,
        "broker_transport_options": transport,
        "result_backend_transport_options": {"retry_policy": {"timeout": 30.0}},
        "broker_connection_retry_on_startup": True,
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "result_accept_content": ["json"],
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "task_acks_on_failure_or_timeout": True,
        "worker_prefetch_multiplier": 1,
        "task_queues": [
            Queue(name, Exchange(name), routing_key=name) for name in (*queues(), "stitch", "proof")
        ],
        "task_default_queue": "synth",
        "task_routes": {
            "narration.synth": {"queue": "synth", "routing_key": "synth"},
            "narration.part": {"queue": "stitch", "routing_key": "stitch"},
            "narration.stitch": {"queue": "stitch", "routing_key": "stitch"},
            "narration.hls": {"queue": "stitch", "routing_key": "stitch"},
            "narration.proof": {"queue": "proof", "routing_key": "proof"},
            "narration.proofed": {"queue": "stitch", "routing_key": "stitch"},
        },
        "result_expires": 7 * 24 * 3600,
        "worker_hijack_root_logger": False,
        "worker_redirect_stdouts": False,
        "task_track_started": False,
        "broker_pool_limit": 4,
        # A chain's next step and a retry are published by the task's process after its work;
        # Celery's default gives up after about half a second, which lost the rest of a chain
        # when the broker restarted (bench/soak.py). About 80 s of tries covers a restart.
        "task_publish_retry_policy": {
            "max_retries": PUBLISH_RETRIES,
            "interval_start": 0,
            "interval_step": 1,
            "interval_max": 5,
        },
    }
    broker_tls = redis_clients.ssl_options(services.broker())
    if broker_tls:
        # rediss://: tasks and results verify the broker's certificate like every other client.
        config["broker_use_ssl"] = broker_tls
        config["redis_backend_use_ssl"] = broker_tls
    return config


def configure(settings: Settings) -> Services:
    """Point the app at the broker and give this process its worker context; the services
    returned send jobs' work through this app."""
    # Imported here: the dispatcher's tasks are registered on `app`, defined above.
    from narration.workers.celery_dispatch import CeleryDispatcher

    services = replace(resolve(settings), dispatcher=CeleryDispatcher())
    app.conf.update(celery_config(services, settings))
    context.install(context.WorkerContext.connect(settings, services))
    return services


@worker_process_init.connect
def _start_worker_process(**_: Any) -> None:
    """Cap the allocator's arenas (`adapters.allocator`), commit chunks in the background, and
    start loading the default voice as the process starts, so that a job's first chunk waits
    only for its own synthesis. The load runs on a
    thread: the pool kills a process that has not reported ready within a few seconds, and a
    voice takes 0.6-3 s to load (a task that needs it meanwhile waits for it). A worker that
    serves no synthesis queue (`--queues stitch`) loads a voice only when a stitch must make a
    lost chunk again: a loaded Piper voice is about 330 MB of the process (docs/OUTPUT.md)."""
    limit_arenas()
    worker = context.current()
    worker.commits = commits.Background()
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
