"""What every endpoint shares: the settings, the API keys, and the services (resolved once).

The service never loads a voice: it only reads voice files' descriptions, writes plans and job
records, sends Celery work and reads objects.
"""

from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass, field
from typing import Any, Final

from fastapi import Request

from narration.connections import Services, resolve
from narration.engines.catalogue import CatalogueVoice, catalogue
from narration.errors import JobNotFound
from narration.settings import Settings

_JOB_ID: Final = re.compile(r"^[0-9a-f]{32}$")


@dataclass
class ServiceContext:
    settings: Settings
    keys: dict[str, str]
    _services: Services | None = None
    voice_samples: dict[str, bytes] = field(default_factory=dict)
    """Each voice's sample once rendered (`console.voice_samples`), by voice name."""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def services(self) -> Services:
        """Resolved on first use, so the app (and its OpenAPI schema) exists without a stack."""
        with self._lock:
            if self._services is None:
                from narration.workers.app import configure

                self._services = configure(self.settings)
            return self._services

    @functools.cached_property
    def connections(self) -> Services:
        """The broker's and the store's addresses and clients alone, for reads that send no work
        (`/metrics`): no Celery app is configured, so a scrape never repoints it."""
        return resolve(self.settings)

    @functools.cached_property
    def catalogue(self) -> list[CatalogueVoice]:
        """Every voice of every family (`engines.catalogue`), as DescribeVoices and the console's
        picker list them."""
        return catalogue(self.settings.voice_dirs)

    @functools.cached_property
    def voices(self) -> dict[str, Any]:
        """Voices by name; a request may name only these, never a path on this machine."""
        return {entry.name: entry.voice for entry in self.catalogue}


def context_of(request: Request) -> ServiceContext:
    found: ServiceContext = request.app.state.context
    return found


def checked_job_id(job_id: str) -> str:
    """Job ids are 32 hex digits; anything else names no job and never reaches storage."""
    if not _JOB_ID.match(job_id):
        raise JobNotFound(f"no job {job_id[:64]!r}")
    return job_id
