"""Where the broker and the object store are: from settings, or from the local stack's file.

Settings name them explicitly in production. Left empty, they point at the embedded stack that
`narrate up` started, whose addresses and generated credentials it wrote to
`$NARRATION_HOME/stack/stack.json`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from narration.adapters import tls
from narration.errors import ServiceError
from narration.settings import Settings

if TYPE_CHECKING:
    from narration.adapters.chunk_store import ChunkStore, JobKeys
    from narration.adapters.job_records import RedisJobRecords
    from narration.adapters.lexicons import LexiconStore
    from narration.adapters.object_store import S3Store
    from narration.adapters.redis_clients import RedisEndpoint
    from narration.production.dispatch import Dispatcher


@dataclass(frozen=True)
class Services:
    """Addresses and credentials of the broker and the object store, and clients for them."""

    broker_url: str
    s3_endpoint: str
    s3_region: str
    s3_access_key: str
    s3_secret_key: str
    bucket: str
    prefix: str
    ca_bundle: str = ""
    broker_client_cert: str = ""
    broker_client_key: str = ""
    dispatcher: Dispatcher | None = None
    """Sends jobs' work to the task queue; the Celery edge provides it (`workers.app.configure`)."""
    signed_puts: bool = False
    """Stores put small objects without boto3 (`adapters.s3_put`): for the CLI, whose `submit`
    puts one object, the plan, before it queues the job."""

    # The clients' modules are imported where a client is made: `narrate status` and `list` read
    # job records only, and should not pay for boto3 (object store) or numpy (chunk store).

    def broker(self) -> RedisEndpoint:
        """The broker's Redis, for `adapters.redis_clients` (and Celery's TLS options)."""
        from narration.adapters.redis_clients import RedisEndpoint

        return RedisEndpoint(
            self.broker_url, self.ca_bundle, self.broker_client_cert, self.broker_client_key
        )

    def store(self, bucket: str | None = None) -> S3Store:
        from narration.adapters.object_store import S3Store

        return S3Store(
            bucket or self.bucket,
            endpoint=self.s3_endpoint,
            region=self.s3_region,
            access_key=self.s3_access_key,
            secret_key=self.s3_secret_key,
            ca_bundle=self.ca_bundle,
            signed_puts=self.signed_puts,
        )

    def work_queue(self) -> Dispatcher:
        """The dispatcher that sends jobs' work; refused where none was provided."""
        if self.dispatcher is None:
            raise ServiceError("no task queue to send work to: configure the Celery app first")
        return self.dispatcher

    def records(self) -> RedisJobRecords:
        from narration.adapters.job_records import RedisJobRecords

        return RedisJobRecords.connect(self.broker())

    def keys(self, job_id: str) -> JobKeys:
        from narration.adapters.chunk_store import JobKeys

        return JobKeys(self.prefix, job_id)

    def lexicons(self) -> LexiconStore:
        """The stored pronunciation lexicons (`narrate lexicon`, `submit --lexicon`)."""
        from narration.adapters.lexicons import LexiconStore

        return LexiconStore(self.store(), self.prefix)

    def chunks(self, job_id: str) -> ChunkStore:
        """The chunk store of one job, over fresh clients (a process keeps its own instead)."""
        from narration.adapters.chunk_store import ChunkStore

        return ChunkStore(self.store(), self.keys(job_id), self.records())


def stack_file(home: Path) -> Path:
    return home / "stack" / "stack.json"


def read_stack_file(home: Path) -> dict[str, str] | None:
    try:
        data: dict[str, str] = json.loads(stack_file(home).read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    return data


def resolve(settings: Settings) -> Services:
    """Explicit settings win; empty ones come from the running local stack."""
    stack = read_stack_file(settings.home) if settings.uses_local_stack else {}
    if stack is None:
        raise ServiceError(
            "no broker or object store configured and no local stack running: "
            "run `narrate up`, or set NARRATION_BROKER_URL and NARRATION_S3_ENDPOINT"
        )
    for name in ("ca_bundle", "broker_client_cert", "broker_client_key"):
        tls.check_file(name, getattr(settings, name))
    use_stack_keys = not settings.s3_endpoint
    return Services(
        broker_url=settings.broker_url or stack["broker_url"],
        s3_endpoint=settings.s3_endpoint or stack["s3_endpoint"],
        s3_region=settings.s3_region,
        s3_access_key=stack["s3_access_key"] if use_stack_keys else settings.s3_access_key,
        s3_secret_key=stack["s3_secret_key"] if use_stack_keys else settings.s3_secret_key,
        bucket=settings.s3_bucket,
        prefix=settings.s3_prefix,
        ca_bundle=settings.ca_bundle,
        broker_client_cert=settings.broker_client_cert,
        broker_client_key=settings.broker_client_key,
    )
