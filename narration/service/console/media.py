"""What the console's pages load besides HTML: the job's HLS stream, its finished files (with
byte ranges, so the player can seek), chapter files, and progress events.

Each route reuses the native API's own handler or `narration.jobs` and differs only in how it
is authorised: by the console's session cookie instead of a bearer key, which a page's
`<audio>` element or EventSource cannot send.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import StreamingResponse

from narration import jobs
from narration.adapters.object_store import ObjectStore
from narration.connections import Services
from narration.errors import InputError
from narration.service import hls_stream, native
from narration.service.byte_ranges import ranged_object
from narration.service.console.access import media_access
from narration.service.context import checked_job_id, context_of

if TYPE_CHECKING:
    from narration.pipeline.manifest import Manifest

router = APIRouter(
    prefix="/console/jobs", include_in_schema=False, dependencies=[Depends(media_access)]
)


@router.get("/{job_id}/events")
def events(job_id: str, request: Request) -> StreamingResponse:
    return native.job_events(job_id, request)


@router.get("/{job_id}/hls/playlist.m3u8")
def playlist(job_id: str, request: Request) -> Response:
    return hls_stream.get_playlist(job_id, request, presigned=False, expires=3600)


@router.get("/{job_id}/hls/{segment}")
def segment(job_id: str, segment: str, request: Request) -> Response:
    return hls_stream.get_segment(job_id, segment, request)


@router.get("/{job_id}/files/{what}")
def file(job_id: str, what: str, request: Request, download: bool = False) -> Response:
    """`what`: audio, manifest, vtt, srt or marks, as the native API names them."""
    if what not in native.ARTIFACTS:
        raise InputError(f"the file must be one of {', '.join(native.ARTIFACTS)}")
    checked_job_id(job_id)
    store, key = jobs.artifact(context_of(request).services, job_id, what)
    return _file(store, key, request, download)


@router.get("/{job_id}/chapters/{number}")
def chapter_file(job_id: str, number: int, request: Request) -> Response:
    """The job's `number`th chapter file (jobs submitted with split chapters)."""
    checked_job_id(job_id)
    store, key = jobs.chapter_file(context_of(request).services, job_id, number)
    return _file(store, key, request, download=True)


def read_manifest(services: Services, job_id: str) -> Manifest:
    """A finished job's manifest (InputError while it has none)."""
    store, key = jobs.artifact(services, job_id, "manifest")
    manifest: Manifest = json.loads(store.get_bytes(key))
    return manifest


def _file(store: ObjectStore, key: str, request: Request, download: bool) -> Response:
    name = key.rsplit("/", 1)[-1]
    disposition = "attachment" if download else "inline"
    return ranged_object(store, key, request, f'{disposition}; filename="{name}"')
