"""`GET /metrics`: Prometheus metrics of the whole deployment, gathered at scrape time.

Nothing is counted in the service itself, so any number of service replicas give the same
figures and a restart loses nothing. Each scrape reads, from the broker's Redis:
job records (jobs by status), kombu's queue lists (depth and unacknowledged per queue), and
what workers report (`adapters.worker_reports`: chunk, audio, synthesis, stitch and batch
figures, and heartbeats). How each figure is made: docs/OPERATIONS.md, "Metrics".
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from fastapi import APIRouter, Depends, Request, Response
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector

from narration.adapters.broker_queues import BrokerQueues
from narration.adapters.job_records import RedisJobRecords
from narration.adapters.redis_clients import sync_client
from narration.adapters.worker_reports import Snapshot, WorkerReports
from narration.engines.registry import queues
from narration.service.context import ServiceContext, context_of
from narration.service.native import bearer_auth

PREFIX: Final = "narration"
STITCH_QUEUE: Final = "stitch"

router = APIRouter(tags=["Service"], dependencies=[Depends(bearer_auth)])


def known_queues() -> list[str]:
    """The queues Celery is configured with (`workers.app`): one per engine, and stitch."""
    return [*queues(), STITCH_QUEUE]


class DeploymentCollector(Collector):
    """Reads the figures from Redis on every `collect` (that is, on every scrape)."""

    def __init__(self, context: ServiceContext) -> None:
        self._context = context

    def collect(self) -> Iterator[Metric]:
        client = sync_client(self._context.connections.broker())
        try:
            names = known_queues()
            statuses = RedisJobRecords(client).status_counts()
            broker = BrokerQueues(client)
            depths, unacked = broker.depths(names), broker.unacked(names)
            snapshot = WorkerReports(client).snapshot()
        finally:
            client.close()
        jobs = GaugeMetricFamily(f"{PREFIX}_jobs", "Jobs by status.", labels=["status"])
        for status, count in statuses.items():
            jobs.add_metric([status], count)
        yield jobs
        yield _per_queue("queue_depth", "Messages waiting in a queue (all priorities).", depths)
        yield _per_queue("queue_unacked", "Messages delivered, not yet acknowledged.", unacked)
        yield from _worker_families(snapshot, names)
        yield from _report_families(snapshot)


def _per_queue(name: str, documentation: str, values: dict[str, int]) -> Metric:
    family = GaugeMetricFamily(f"{PREFIX}_{name}", documentation, labels=["queue"])
    for queue, value in values.items():
        family.add_metric([queue], value)
    return family


def _worker_families(snapshot: Snapshot, names: list[str]) -> Iterator[Metric]:
    yield GaugeMetricFamily(
        f"{PREFIX}_workers", "Workers with a heartbeat in the last 30 s.", len(snapshot.workers)
    )
    workers = dict.fromkeys(names, 0)
    slots = dict.fromkeys(names, 0)
    for worker in snapshot.workers:
        for queue in worker["queues"]:
            workers[queue] = workers.get(queue, 0) + 1
            slots[queue] = slots.get(queue, 0) + int(worker["slots"])
    yield _per_queue("queue_workers", "Live workers consuming a queue.", workers)
    yield _per_queue("queue_slots", "Task slots (processes or threads) on a queue.", slots)


def _report_families(snapshot: Snapshot) -> Iterator[Metric]:
    chunks = CounterMetricFamily(
        f"{PREFIX}_chunks",
        "Chunks finished by workers: made by the engine or reused from the chunk cache.",
        labels=["engine", "outcome"],
    )
    for labels, value in snapshot.counters.get("chunks", {}).items():
        chunks.add_metric(list(labels), value)
    yield chunks
    audio = CounterMetricFamily(
        f"{PREFIX}_audio_seconds",
        "Seconds of speech in the chunks finished by workers.",
        labels=["engine", "outcome"],
    )
    for labels, value in snapshot.counters.get("audio", {}).items():
        audio.add_metric(list(labels), value)
    yield audio
    yield GaugeMetricFamily(
        f"{PREFIX}_chunks_per_second",
        "Chunks finished per second over the last minute, all workers.",
        snapshot.chunks_per_second,
    )
    yield _histogram(
        snapshot, "synth", "chunk_synthesis_seconds", "engine", "Time to make one chunk."
    )
    yield _histogram(snapshot, "stitch", "stitch_seconds", "step", "Time of a part or a stitch.")
    yield _histogram(
        snapshot, "batch", "engine_batch_size", "engine", "Chunks in one engine batch."
    )


def _histogram(
    snapshot: Snapshot, figure: str, name: str, label: str, documentation: str
) -> Metric:
    family = HistogramMetricFamily(f"{PREFIX}_{name}", documentation, labels=[label])
    for labels, histogram in snapshot.histograms.get(figure, {}).items():
        family.add_metric(list(labels), histogram.buckets, histogram.total)
    return family


def registry_for(context: ServiceContext) -> CollectorRegistry:
    """A registry of its own (never the process-wide default, which would mix apps in tests);
    building one costs nothing next to the reads its collector makes."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DeploymentCollector(context))
    return registry


@router.get(
    "/metrics",
    summary="Prometheus metrics of the deployment (Bearer key when keys are configured)",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}},
)
def metrics(request: Request) -> Response:
    registry = registry_for(context_of(request))
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
