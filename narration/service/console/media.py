"""What the console's pages load besides HTML: the job's HLS stream, its finished files (with
byte ranges, so the player can seek), chapter files, and progress events.

Each route reuses the native API's own handler or `narration.jobs` and differs only in how it
is authorised: by the console's session cookie instead of a bearer key, which a page's
`<audio>` element or EventSource cannot send.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Final

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import StreamingResponse

from narration import jobs
from narration.adapters.object_store import ObjectStore
from narration.connections import Services
from narration.errors import InputError
from narration.service import hls_stream, native
from narration.service.console.access import media_access
from narration.service.context import checked_job_id, context_of

if TYPE_CHECKING:
    from narration.pipeline.manifest import Manifest

_RANGE: Final = re.compile(r"^bytes=(\d*)-(\d*)$")

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
    return ranged(store, key, request.headers.get("range", ""), download)


@router.get("/{job_id}/chapters/{number}")
def chapter_file(job_id: str, number: int, request: Request) -> Response:
    """The job's `number`th chapter file (jobs submitted with split chapters)."""
    checked_job_id(job_id)
    store, key = jobs.chapter_file(context_of(request).services, job_id, number)
    return ranged(store, key, "", download=True)


def read_manifest(services: Services, job_id: str) -> Manifest:
    """A finished job's manifest (InputError while it has none)."""
    store, key = jobs.artifact(services, job_id, "manifest")
    manifest: Manifest = json.loads(store.get_bytes(key))
    return manifest


def byte_range(header: str, size: int) -> tuple[int, int] | None:
    """The one range of a `Range: bytes=first-last` header within `size` bytes; None for no
    header, a header we do not serve (several ranges), or a range outside the object."""
    match = _RANGE.match(header.strip())
    if not match or not size or not (match.group(1) or match.group(2)):
        return None
    first_text, last_text = match.groups()
    if not first_text:
        first, last = max(0, size - int(last_text)), size - 1
    else:
        first = int(first_text)
        last = min(int(last_text), size - 1) if last_text else size - 1
    return (first, last) if first <= last else None


def ranged(store: ObjectStore, key: str, header: str, download: bool) -> StreamingResponse:
    name = key.rsplit("/", 1)[-1]
    disposition = "attachment" if download else "inline"
    headers = {"Accept-Ranges": "bytes", "Content-Disposition": f'{disposition}; filename="{name}"'}
    size = store.size(key) if header else 0
    chosen = byte_range(header, size)
    if chosen is None:
        chunks, content_type, length = store.open_stream(key)
        headers["Content-Length"] = str(length)
        return StreamingResponse(chunks, media_type=content_type, headers=headers)
    chunks, content_type, length = store.open_stream(key, byte_range=chosen)
    headers["Content-Length"] = str(length)
    headers["Content-Range"] = f"bytes {chosen[0]}-{chosen[1]}/{size}"
    return StreamingResponse(chunks, status_code=206, media_type=content_type, headers=headers)
