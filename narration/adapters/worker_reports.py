"""What workers report for the service's `/metrics`: fleet-wide counters and histogram buckets
in Redis, and a heartbeat per worker.

Counters live in one hash, `narration:metrics`, whose fields are `<figure>|<label>` (for
example `chunks|piper|made`, `synth_le|piper|0.5`). Every worker adds to the same fields with
HINCRBY / HINCRBYFLOAT, so a figure is the fleet's total since the broker's data began: it
survives worker restarts and never goes down, as a Prometheus counter must. A histogram keeps
one field per bucket (not cumulative; the reader accumulates), its sum and its count. A chunk
costs one pipelined round trip (no transaction). Recent chunks are also counted in 10-second
slots (`narration:metrics:slot:<n>`, expiring after two minutes) so the reader can give chunks
per second without Prometheus.

A worker's main process beats every `HEARTBEAT_S` into the sorted set
`narration:metrics:workers` (member: its node name, score: the time) and keeps its queues and
task slots in `narration:metrics:worker:<node>` (expiring after `HEARTBEAT_TTL_S`); the reader
counts members seen within `HEARTBEAT_TTL_S` and drops older ones.
"""

from __future__ import annotations

import bisect
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import redis

from narration.adapters.job_records import redis_errors_mapped
from narration.adapters.redis_clients import RedisEndpoint, sync_client

METRICS_KEY: Final = "narration:metrics"
WORKERS_KEY: Final = "narration:metrics:workers"
SLOT_S: Final = 10
SLOT_TTL_S: Final = 120
RATE_WINDOW_S: Final = 60
HEARTBEAT_S: Final = 10.0
HEARTBEAT_TTL_S: Final = 30.0

SYNTH_BUCKETS_S: Final = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0)
"""Chunk synthesis time: a Piper chunk takes 0.2-1 s on one core; a torch chunk waits for its
batch, so it may take several seconds."""
STITCH_BUCKETS_S: Final = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0)
"""A part takes about a second; a stitch about 20 s per hour of audio (docs/BENCHMARKS.md)."""
BATCH_BUCKETS: Final = (1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0)
"""Chunks per engine batch (powers of two up to past the largest `torch_batch` in use)."""

HISTOGRAMS: Final = {"synth": SYNTH_BUCKETS_S, "stitch": STITCH_BUCKETS_S, "batch": BATCH_BUCKETS}


def _slot_key(slot: int) -> str:
    return f"{METRICS_KEY}:slot:{slot}"


def _worker_key(node: str) -> str:
    return f"{METRICS_KEY}:worker:{node}"


def _bucket_label(buckets: Sequence[float], value: float) -> str:
    """The upper bound of the bucket `value` falls in (`+Inf` past the last)."""
    index = bisect.bisect_left(buckets, value)
    return repr(buckets[index]) if index < len(buckets) else "+Inf"


@dataclass(frozen=True)
class Histogram:
    """Cumulative buckets [(upper bound, count)], ending at +Inf, with the sum of values."""

    buckets: list[tuple[str, float]]
    total: float


@dataclass
class Snapshot:
    """Everything workers have reported, read in one call."""

    counters: dict[str, dict[tuple[str, ...], float]] = field(default_factory=dict)
    histograms: dict[str, dict[tuple[str, ...], Histogram]] = field(default_factory=dict)
    chunks_per_second: float = 0.0
    workers: list[dict[str, Any]] = field(default_factory=list)


class WorkerReports:
    """Writes (workers) and reads (the service) the figures above; Redis errors are mapped."""

    def __init__(self, client: redis.Redis) -> None:
        self._redis: Any = client

    @classmethod
    def connect(cls, endpoint: RedisEndpoint) -> WorkerReports:
        return cls(sync_client(endpoint))

    def _observe(self, pipe: Any, name: str, labels: str, value: float) -> None:
        bucket = _bucket_label(HISTOGRAMS[name], value)
        pipe.hincrby(METRICS_KEY, f"{name}_le|{labels}|{bucket}", 1)
        pipe.hincrbyfloat(METRICS_KEY, f"{name}_sum|{labels}", round(value, 6))

    @redis_errors_mapped
    def chunk(self, engine: str, reused: bool, seconds: float, audio_seconds: float) -> None:
        """One chunk made (`seconds` of synthesis) or reused from the cache."""
        outcome = "reused" if reused else "made"
        slot = int(time.time()) // SLOT_S
        pipe = self._redis.pipeline(transaction=False)
        pipe.hincrby(METRICS_KEY, f"chunks|{engine}|{outcome}", 1)
        pipe.hincrbyfloat(METRICS_KEY, f"audio|{engine}|{outcome}", round(audio_seconds, 3))
        if not reused:
            self._observe(pipe, "synth", engine, seconds)
        pipe.hincrby(_slot_key(slot), "chunks", 1)
        pipe.expire(_slot_key(slot), SLOT_TTL_S)
        pipe.execute()

    @redis_errors_mapped
    def stitch(self, step: str, seconds: float) -> None:
        """A `part` or a whole `stitch` took `seconds`."""
        pipe = self._redis.pipeline(transaction=False)
        self._observe(pipe, "stitch", step, seconds)
        pipe.execute()

    @redis_errors_mapped
    def batch(self, engine: str, size: int) -> None:
        """An engine ran a batch of `size` chunks."""
        pipe = self._redis.pipeline(transaction=False)
        self._observe(pipe, "batch", engine, float(size))
        pipe.execute()

    @redis_errors_mapped
    def heartbeat(self, node: str, queues: Sequence[str], slots: int) -> None:
        """A worker (`node`, Celery's node name) is alive, consuming `queues` with `slots`."""
        pipe = self._redis.pipeline(transaction=False)
        pipe.zadd(WORKERS_KEY, {node: time.time()})
        detail = json.dumps({"node": node, "queues": list(queues), "slots": slots})
        pipe.set(_worker_key(node), detail, ex=int(HEARTBEAT_TTL_S))
        pipe.execute()

    @redis_errors_mapped
    def live_workers(self) -> list[dict[str, Any]]:
        """Workers whose heartbeat is fresh; forgets the others."""
        cutoff = time.time() - HEARTBEAT_TTL_S
        self._redis.zremrangebyscore(WORKERS_KEY, "-inf", cutoff)
        nodes = self._redis.zrangebyscore(WORKERS_KEY, cutoff, "+inf")
        details = self._redis.mget([_worker_key(node) for node in nodes]) if nodes else []
        return [json.loads(detail) for detail in details if detail]

    @redis_errors_mapped
    def snapshot(self) -> Snapshot:
        now_slot = int(time.time()) // SLOT_S
        window = RATE_WINDOW_S // SLOT_S
        pipe = self._redis.pipeline(transaction=False)
        pipe.hgetall(METRICS_KEY)
        for slot in range(now_slot - window, now_slot):
            pipe.hget(_slot_key(slot), "chunks")
        raw, *slots = pipe.execute()
        snapshot = _parse(raw)
        snapshot.chunks_per_second = sum(float(n or 0) for n in slots) / RATE_WINDOW_S
        snapshot.workers = self.live_workers()
        return snapshot


def _parse(raw: dict[str, str]) -> Snapshot:
    """Fields `<figure>|<labels…>` → counters; histogram fields → cumulative histograms."""
    snapshot = Snapshot()
    le: dict[str, dict[tuple[str, ...], dict[str, float]]] = {}
    sums: dict[str, dict[tuple[str, ...], float]] = {}
    for name, value in raw.items():
        figure, *labels = name.split("|")
        if figure.endswith("_le"):
            owner, bound = tuple(labels[:-1]), labels[-1]
            le.setdefault(figure[:-3], {}).setdefault(owner, {})[bound] = float(value)
        elif figure.endswith("_sum"):
            sums.setdefault(figure[:-4], {})[tuple(labels)] = float(value)
        else:
            snapshot.counters.setdefault(figure, {})[tuple(labels)] = float(value)
    for figure, by_labels in le.items():
        bounds = [*(repr(b) for b in HISTOGRAMS[figure]), "+Inf"]
        for key, counts in by_labels.items():
            running, cumulative = 0.0, []
            for bound in bounds:
                running += counts.get(bound, 0.0)
                cumulative.append((bound, running))
            total = sums.get(figure, {}).get(key, 0.0)
            snapshot.histograms.setdefault(figure, {})[key] = Histogram(cumulative, total)
    return snapshot
