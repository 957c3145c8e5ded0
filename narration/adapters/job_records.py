"""Job records in Redis: one hash per job, a sorted set of all jobs, an event stream per job.

The record is what `narrate status --json` prints; its fields are a contract (docs/CLI.md).
Counters are updated with HINCRBY so concurrent chunk tasks never lose an update, and chunk
completions are recorded in a set so a re-delivered task is never counted twice. Every Redis
error is mapped here: a refused password to `CredentialsRefused`, anything else that keeps us
from the broker to `RetryableError` (both exit 3 at the CLI; tasks retry the second).
"""

from __future__ import annotations

import builtins
import contextlib
import functools
import json
import secrets
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final, Protocol, TypeVar

import redis

from narration.adapters import tls
from narration.adapters.job_record import JobRecord, from_hash, to_hash
from narration.adapters.redis_clients import RedisEndpoint, sync_client
from narration.errors import CredentialsRefused, JobNotFound, RetryableError

STATUSES: Final = ("queued", "running", "stitching", "succeeded", "failed", "cancelled")
FINAL_STATUSES: Final = frozenset({"succeeded", "failed", "cancelled"})
_JOBS_INDEX: Final = "narration:jobs"
_EVENT_STREAM_MAXLEN: Final = 2000
STATUS_PAGE: Final = 5000
_STATUS_COUNT_SCRIPT: Final = """
local ids = redis.call('ZRANGE', KEYS[1], ARGV[1], ARGV[2])
local counts = {}
for _, id in ipairs(ids) do
  local status = redis.call('HGET', ARGV[3] .. id, 'status')
  if status then counts[status] = (counts[status] or 0) + 1 end
end
local reply = {#ids}
for status, count in pairs(counts) do
  table.insert(reply, status)
  table.insert(reply, count)
end
return reply
"""
_UNLOCK_SCRIPT: Final = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
)
_SET_STATUS_SCRIPT: Final = (
    "local current = redis.call('HGET', KEYS[1], 'status') "
    "if not current then return -1 end "
    "local final = {" + ", ".join(f"{name} = true" for name in sorted(FINAL_STATUSES)) + "} "
    "if final[current] and current ~= ARGV[1] then return 0 end "
    "redis.call('HSET', KEYS[1], 'status', unpack(ARGV)) "
    "return 1"
)
"""Move a job's status, with its fields, unless it ended: one step inside Redis, so a worker
marking a job running cannot overwrite a cancel that landed between its read and its write."""


def new_job_id() -> str:
    """128 random bits, URL- and key-safe: unguessable and valid in an object key."""
    return secrets.token_hex(16)


def _job_key(job_id: str) -> str:
    return f"narration:job:{job_id}"


def _events_key(job_id: str) -> str:
    return f"narration:job:{job_id}:events"


def _done_key(job_id: str) -> str:
    return f"narration:job:{job_id}:done"


def _cache_key(bucket: str) -> str:
    return f"narration:cache:{bucket}"


F = TypeVar("F", bound=Callable[..., Any])


@contextlib.contextmanager
def _mapped() -> Iterator[None]:
    try:
        yield
    except redis.AuthenticationError as error:
        raise CredentialsRefused(f"broker refused the credentials: {error}") from None
    except redis.ResponseError as error:
        if "NOAUTH" in str(error) or "WRONGPASS" in str(error):
            raise CredentialsRefused(f"broker refused the credentials: {error}") from None
        raise RetryableError(f"broker error: {error}") from None
    except (redis.RedisError, ConnectionError) as error:
        if tls.is_untrusted_certificate(error):
            raise tls.untrusted("broker", error) from None
        raise RetryableError(f"broker unreachable: {error}") from None


def _redis_errors_mapped(method: F) -> F:
    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with _mapped():
            return method(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


redis_errors_mapped: Final = _redis_errors_mapped
"""For the other Redis adapters (`worker_reports`, `broker_queues`): the same error mapping."""


class JobRecords(Protocol):
    """What the pipeline needs from job records (status, progress, the chunk done set)."""

    def ping(self) -> None: ...
    def create(self, job_id: str, fields: Mapping[str, object]) -> JobRecord: ...
    def get(self, job_id: str) -> JobRecord: ...
    def exists(self, job_id: str) -> bool: ...
    def update(self, job_id: str, **fields: Any) -> None: ...
    def set_status(self, job_id: str, status: str, **fields: Any) -> bool: ...
    def chunk_done(
        self, job_id: str, chunk_id: str, audio_seconds: float, reused: bool = ...
    ) -> bool: ...
    def is_chunk_done(self, job_id: str, chunk_id: str) -> bool: ...
    def touch_cached(self, bucket: str, keys: list[str]) -> None: ...
    def is_cached(self, bucket: str, key: str) -> bool: ...
    def cached_before(self, bucket: str, cutoff: float) -> list[str]: ...
    def forget_cached(self, bucket: str, keys: list[str]) -> None: ...
    def event(self, job_id: str, kind: str, **data: Any) -> None: ...
    def follow(self, job_id: str, block_ms: int = ...) -> Iterator[dict[str, Any] | None]: ...
    def list(self, limit: int = ...) -> list[JobRecord]: ...
    def is_cancelled(self, job_id: str) -> bool: ...
    def try_lock(self, name: str, ttl_s: int) -> str | None: ...
    def unlock(self, name: str, token: str) -> None: ...


class RedisJobRecords:
    """Job records in Redis; every method is one or a few round trips."""

    def __init__(self, client: redis.Redis) -> None:
        self._redis: Any = client

    @classmethod
    def connect(cls, endpoint: RedisEndpoint) -> RedisJobRecords:
        return cls(sync_client(endpoint))

    @_redis_errors_mapped
    def ping(self) -> None:
        self._redis.ping()

    @_redis_errors_mapped
    def create(self, job_id: str, fields: Mapping[str, object]) -> JobRecord:
        now = time.time()
        record = {
            "job_id": job_id,
            "status": "queued",
            "chunks_total": 0,
            "chunks_done": 0,
            "chunks_reused": 0,
            "segments": 0,
            "audio_seconds": 0.0,
            "duration_s": 0.0,
            "error": "",
            "output_uri": "",
            "created_at": now,
            "finished_at": "",
            **fields,
        }
        pipe = self._redis.pipeline()
        pipe.hset(_job_key(job_id), mapping=to_hash(record))
        pipe.zadd(_JOBS_INDEX, {job_id: now})
        pipe.execute()
        self.event(job_id, "queued")
        return self.get(job_id)

    @_redis_errors_mapped
    def get(self, job_id: str) -> JobRecord:
        raw = self._redis.hgetall(_job_key(job_id))
        if not raw:
            raise JobNotFound(f"no job {job_id!r}")
        return from_hash(raw)

    @_redis_errors_mapped
    def exists(self, job_id: str) -> bool:
        return bool(self._redis.exists(_job_key(job_id)))

    @_redis_errors_mapped
    def update(self, job_id: str, **fields: Any) -> None:
        self._redis.hset(_job_key(job_id), mapping=to_hash(fields))

    @_redis_errors_mapped
    def set_status(self, job_id: str, status: str, **fields: Any) -> bool:
        """Move to `status` unless the job already ended; returns whether it moved."""
        if status not in STATUSES:
            raise ValueError(status)
        if status in FINAL_STATUSES:
            fields.setdefault("finished_at", time.time())
        pairs = [item for pair in to_hash(fields).items() for item in pair]
        moved = self._redis.eval(_SET_STATUS_SCRIPT, 1, _job_key(job_id), status, *pairs)
        if moved == -1:
            raise JobNotFound(f"no job {job_id!r}")
        if not moved:
            return False
        self.event(job_id, status, **{k: v for k, v in fields.items() if k != "finished_at"})
        return True

    @_redis_errors_mapped
    def chunk_done(
        self, job_id: str, chunk_id: str, audio_seconds: float, reused: bool = False
    ) -> bool:
        """Count a finished chunk once, however often its task ran; `reused` ones also as such."""
        if not self._redis.sadd(_done_key(job_id), chunk_id):
            return False
        pipe = self._redis.pipeline()
        pipe.hincrby(_job_key(job_id), "chunks_done", 1)
        if reused:
            pipe.hincrby(_job_key(job_id), "chunks_reused", 1)
        pipe.hincrbyfloat(_job_key(job_id), "audio_seconds", round(audio_seconds, 3))
        pipe.hsetnx(_job_key(job_id), "started_at", time.time())
        pipe.execute()
        self.event(job_id, "chunk", chunk=chunk_id, audio_seconds=round(audio_seconds, 3))
        return True

    @_redis_errors_mapped
    def is_chunk_done(self, job_id: str, chunk_id: str) -> bool:
        return bool(self._redis.sismember(_done_key(job_id), chunk_id))

    @_redis_errors_mapped
    def touch_cached(self, bucket: str, keys: list[str]) -> None:
        """Record that these chunk-cache entries were used now (their retention restarts)."""
        if keys:
            now = time.time()
            self._redis.zadd(_cache_key(bucket), dict.fromkeys(keys, now))

    @_redis_errors_mapped
    def is_cached(self, bucket: str, key: str) -> bool:
        """Whether a chunk-cache entry was ever stored (and not yet expired): one round trip,
        where asking storage costs a request that misses on every new chunk."""
        return self._redis.zscore(_cache_key(bucket), key) is not None

    @_redis_errors_mapped
    def cached_before(self, bucket: str, cutoff: float) -> list[str]:
        """Chunk-cache entries last used before `cutoff` (at most 10,000 a call)."""
        keys: list[str] = self._redis.zrangebyscore(
            _cache_key(bucket), "-inf", cutoff, start=0, num=10_000
        )
        return keys

    @_redis_errors_mapped
    def forget_cached(self, bucket: str, keys: list[str]) -> None:
        if keys:
            self._redis.zrem(_cache_key(bucket), *keys)

    @_redis_errors_mapped
    def event(self, job_id: str, kind: str, **data: Any) -> None:
        self._redis.xadd(
            _events_key(job_id),
            {"kind": kind, "data": json.dumps(data)},
            maxlen=_EVENT_STREAM_MAXLEN,
            approximate=True,
        )

    @_redis_errors_mapped
    def history(self, job_id: str) -> list[tuple[float, dict[str, Any]]]:
        """The job's events so far, each with when the broker recorded it (seconds since the
        epoch, from the stream entry's id): where a job's time went, stage by stage."""
        return [
            (
                int(entry_id.split("-")[0]) / 1000,
                {"kind": entry["kind"], **json.loads(entry.get("data", "{}"))},
            )
            for entry_id, entry in self._redis.xrange(_events_key(job_id))
        ]

    def follow(self, job_id: str, block_ms: int = 1000) -> Iterator[dict[str, Any] | None]:
        """Yield events as they come; None after each quiet `block_ms` so callers can refresh."""
        last = "0-0"
        while True:
            with _mapped():
                reply = self._redis.xread({_events_key(job_id): last}, block=block_ms, count=100)
            if not reply:
                yield None
                continue
            for entry_id, entry in reply[0][1]:
                last = entry_id
                yield {"kind": entry["kind"], **json.loads(entry.get("data", "{}"))}

    @_redis_errors_mapped
    def list(self, limit: int = 100) -> list[JobRecord]:
        ids = self._redis.zrevrange(_JOBS_INDEX, 0, limit - 1)
        records = []
        for job_id in ids:
            try:
                records.append(self.get(job_id))
            except JobNotFound:
                self._redis.zrem(_JOBS_INDEX, job_id)
        return records

    @_redis_errors_mapped
    def try_lock(self, name: str, ttl_s: int) -> str | None:
        """Take the lock `name` for at most `ttl_s`; its token, or None if someone holds it."""
        token = secrets.token_hex(8)
        taken = self._redis.set(f"narration:lock:{name}", token, nx=True, ex=ttl_s)
        return token if taken else None

    @_redis_errors_mapped
    def unlock(self, name: str, token: str) -> None:
        """Let go of a lock taken with `token` (never one that expired and was taken since)."""
        self._redis.eval(_UNLOCK_SCRIPT, 1, f"narration:lock:{name}", token)

    @_redis_errors_mapped
    def page(
        self, cursor: str, count: int, accept: Callable[[JobRecord], bool]
    ) -> tuple[builtins.list[JobRecord], str]:
        """Up to `count` records that `accept` takes, newest first, created before `cursor`
        ('' for the newest); and the cursor of the next page ('' when there is none).

        The cursor is a creation time, so jobs created while a client pages do not shift it.
        """
        found: builtins.list[JobRecord] = []
        upper = f"({cursor}" if cursor else "+inf"
        while True:
            batch = self._redis.zrevrangebyscore(
                _JOBS_INDEX, upper, "-inf", start=0, num=100, withscores=True
            )
            for job_id, score in batch:
                upper = f"({score!r}"
                try:
                    record = self.get(job_id)
                except JobNotFound:
                    continue
                if accept(record):
                    if len(found) == count:
                        return found, repr(found[-1]["created_at"])
                    found.append(record)
            if len(batch) < 100:
                return found, ""

    @_redis_errors_mapped
    def is_cancelled(self, job_id: str) -> bool:
        return self._redis.hget(_job_key(job_id), "status") == "cancelled"

    @_redis_errors_mapped
    def status_counts(self) -> dict[str, int]:
        """How many jobs are in each status: every job of the index, read by a script inside
        Redis `STATUS_PAGE` jobs at a time (one round trip per page, no reply per job)."""
        counts = dict.fromkeys(STATUSES, 0)
        start = 0
        while True:
            reply = self._redis.eval(
                _STATUS_COUNT_SCRIPT, 1, _JOBS_INDEX, start, start + STATUS_PAGE - 1, _job_key("")
            )
            seen, pairs = int(reply[0]), reply[1:]
            for status, count in zip(pairs[::2], pairs[1::2], strict=True):
                if status in counts:
                    counts[status] += int(count)
            if seen < STATUS_PAGE:
                return counts
            start += STATUS_PAGE
