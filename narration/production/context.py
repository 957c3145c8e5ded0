"""What a worker process holds for its whole life: settings, service clients, loaded plans.

Built once at the process's edge (`narration.workers.main`, or the CLI before it sends tasks)
from one `Settings`, and installed here for the tasks, which Celery calls with ids only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from narration.adapters.chunk_store import ChunkStore
from narration.adapters.job_records import JobRecords
from narration.adapters.object_store import ObjectStore
from narration.adapters.worker_reports import WorkerReports
from narration.connections import Services
from narration.engines.voices import find_voice
from narration.errors import ServiceError
from narration.pipeline.defaults import DEFAULT_ENGINE
from narration.pipeline.engine import Engine, VoiceInfo
from narration.pipeline.plan import Plan
from narration.production.commits import Committer, Immediate
from narration.production.loaded_engines import load_engine
from narration.production.render_ahead import never
from narration.production.reporting import Reporter
from narration.settings import Settings

PLANS_KEPT: Final = 16
_ENGINE_LOCK: Final = threading.Lock()


@dataclass
class WorkerContext:
    """One process's settings and clients; tasks reach storage and Redis only through it."""

    settings: Settings
    services: Services
    objects: ObjectStore
    records: JobRecords
    reports: Reporter
    """What this process reports for `/metrics` (`production.reporting`)."""
    commits: Committer = field(default_factory=Immediate)
    """How new chunks are committed: in the task (the default) or, in a worker process, by a
    background writer (`production.commits`)."""
    spare_core: Callable[[], bool] = never
    """Whether the host has a core free for one more thread now: a worker process's
    (`adapters.host_cores`) lets a lone chain make its next chunk ahead
    (`production.render_ahead`); `never` makes chunks one at a time."""
    running_jobs: set[str] = field(default_factory=set)
    """Jobs this process has seen past "queued", so it asks Redis once per job, not per chunk."""
    _plans: dict[str, Plan] = field(default_factory=dict)
    """The plans read lately, oldest first (a worker serves a few jobs at a time)."""
    _plans_lock: threading.Lock = field(default_factory=threading.Lock)
    """Task threads (a torch worker's) share the plans."""
    _voices: dict[str, VoiceInfo] = field(default_factory=dict)
    """Voices found by name: a lookup lists the voice directories (about a millisecond per
    chunk otherwise)."""

    @classmethod
    def connect(cls, settings: Settings, services: Services) -> WorkerContext:
        reports = Reporter(WorkerReports.connect(services.broker()))
        return cls(settings, services, services.store(), services.records(), reports)

    def chunks(self, job_id: str) -> ChunkStore:
        return ChunkStore(self.objects, self.services.keys(job_id), self.records)

    def plan(self, job_id: str) -> Plan:
        """A job's plan, read once per process (plans never change once written)."""
        with self._plans_lock:
            if job_id not in self._plans:
                if len(self._plans) >= PLANS_KEPT:
                    self._plans.pop(next(iter(self._plans)))
                data = self.objects.get_bytes(self.services.keys(job_id).plan)
                self._plans[job_id] = Plan.from_json(data)
            return self._plans[job_id]

    def engine(self, voice_name: str, kind: str = DEFAULT_ENGINE) -> Engine:
        """The `kind` engine for a voice, loaded once per process with this worker's device
        (a task waits for a load under way)."""
        with _ENGINE_LOCK:
            voice = self._voices.get(voice_name)
            if voice is None:
                voice = find_voice(voice_name, self.settings.voice_dirs)
                self._voices[voice_name] = voice
            return load_engine(voice, kind, self.settings, self.reports.batch_reporter(kind))


_current: WorkerContext | None = None


def install(context: WorkerContext) -> None:
    global _current
    _current = context


def current() -> WorkerContext:
    if _current is None:
        raise ServiceError("the worker was not configured: start it with `narrate worker`")
    return _current
