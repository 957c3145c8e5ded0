"""Jobs a benchmark runs on a stack, submitted as `narrate submit` submits them and timed by
their events as they arrive; and the chunk cache emptied between runs that must synthesise."""

from __future__ import annotations

import gc
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import checkout  # noqa: F401  (this checkout's narration)

from narration.connections import Services, resolve
from narration.settings import Settings

if TYPE_CHECKING:
    from narration.pipeline.plan import Plan

JOB_TIMEOUT_S: Final = 1800.0
JOB_SEED: Final = 1234
"""`--seed` of every bench job (mixed into each chunk's cache key and noise seed)."""


def submit_text(
    services: Services,
    settings: Settings,
    text: str,
    name: str = "bench.txt",
    *,
    fmt: str = "mp3",
    seed: int = JOB_SEED,
) -> Mapping[str, Any]:
    """Submit `text` as a plain-text document NAME, as `narrate submit NAME --format FMT
    --seed SEED` does (`narration.jobs.submit`); returns the new job record."""
    from narration import jobs
    from narration.pipeline.ingest import load_document

    document = load_document(text.encode(), name)
    return jobs.submit(services, settings, document, jobs.SubmitRequest(format=fmt, seed=seed))


@dataclass
class JobTiming:
    """When things happened, in seconds after the submit call started (bench's clock)."""

    job_id: str
    chunks: int
    segments: int
    started_at: float = 0.0
    """The submit call's start on the wall clock (`time.time()`), to line up other clocks."""
    submit_s: float = 0.0
    first_chunk_s: float = float("nan")
    seq0_s: float = float("nan")
    chunk_s: dict[int, float] = field(default_factory=dict)
    stitching_s: float = float("nan")
    done_s: float = float("nan")
    status: str = ""
    audio_seconds: float = 0.0
    record: Mapping[str, Any] = field(default_factory=dict)

    @property
    def stitch_s(self) -> float:
        return self.done_s - self.stitching_s

    @property
    def tail_s(self) -> float:
        """From the last chunk stored to the job's output stored: the work left at the end."""
        return self.done_s - max(self.chunk_s.values(), default=float("nan"))


def run_job(
    settings: Settings,
    text: str,
    name: str = "bench.txt",
    timeout_s: float = JOB_TIMEOUT_S,
    seed: int = JOB_SEED,
    fmt: str = "mp3",
) -> JobTiming:
    """Submit `text` (`submit_text`) and follow the job to its end.

    Times are taken when the job's events arrive here (XREAD on the job's stream, blocking), so
    each is the moment the worker recorded it plus well under a millisecond. Chunks whose key
    is in the chunk cache are reused, not synthesised (`empty_cache` first to time a first
    narration); `seed` (`--seed`) enters every chunk's key.
    """
    from narration.workers.app import configure

    services = configure(settings)
    records = services.records()
    started_at, started = time.time(), time.perf_counter()
    record = submit_text(services, settings, text, name, fmt=fmt, seed=seed)
    timing = JobTiming(record["job_id"], record["chunks_total"], int(record["segments"]))
    timing.started_at = started_at
    timing.submit_s = time.perf_counter() - started
    deadline = time.monotonic() + timeout_s
    for event in records.follow(timing.job_id, block_ms=500):
        now = time.perf_counter() - started
        if event is None:
            if time.monotonic() > deadline:
                raise TimeoutError(f"job {timing.job_id} did not finish in {timeout_s:.0f} s")
            continue
        kind = event["kind"]
        if kind == "chunk":
            seq = int(event["chunk"])
            timing.chunk_s[seq] = now
            if len(timing.chunk_s) == 1:
                timing.first_chunk_s = now
            if seq == 0:
                timing.seq0_s = now
        elif kind == "stitching":
            timing.stitching_s = now
        elif kind in ("succeeded", "failed", "cancelled"):
            timing.done_s = now
            timing.status = kind
            break
    # The chord's AsyncResult sits in a reference cycle; collect it while the broker is up, or
    # its __del__ tries to unsubscribe at interpreter exit and prints a traceback.
    gc.collect()
    timing.record = records.get(timing.job_id)
    timing.audio_seconds = float(timing.record.get("duration_s") or 0.0) or float(
        timing.record["audio_seconds"]
    )
    if timing.status != "succeeded":
        raise RuntimeError(f"job {timing.job_id} {timing.status}: {timing.record.get('error')}")
    return timing


def empty_cache(settings: Settings) -> int:
    """Delete the bucket's chunk cache and its index in Redis, so the next job synthesises
    every chunk as a first narration of its text does (no lookup finds its key listed);
    returns how many objects were deleted."""
    from narration.adapters.chunk_store import CACHE_PREFIX

    services = resolve(settings)
    store, records = services.store(), services.records()
    while listed := records.cached_before(store.bucket, float("inf")):
        records.forget_cached(store.bucket, listed)
    return store.delete_prefix(CACHE_PREFIX)


def job_plan(settings: Settings, job_id: str) -> Plan:
    """The plan a job was submitted with, as its workers read it (plan.json in storage)."""
    from narration.pipeline.plan import Plan

    services = resolve(settings)
    return Plan.from_json(services.store().get_bytes(services.keys(job_id).plan))


def warm_up(settings: Settings, processes: int) -> None:
    """Load the voice in every worker process: one short chapter per process, run as a job.

    Its seed is one no earlier job used, so no chunk comes from the chunk cache: a reused chunk
    loads the voice but skips the engine's first, slow runs.
    """
    chapters = [
        f"Chapter {n + 1}\n\nThe kettle was warm and the lamps were lit, so the work went on."
        for n in range(max(1, processes))
    ]
    seed = random.SystemRandom().randrange(JOB_SEED + 1, 2**31)
    run_job(settings, "\n\n".join(chapters) + "\n", name="warmup.txt", timeout_s=300, seed=seed)
