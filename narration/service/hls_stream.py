"""Serve a job's growing HLS playlist and its segments, so a player or ffmpeg can listen while
the job renders. The playlist is served as stored, closed with `#EXT-X-ENDLIST` once the job
has ended whatever its outcome; with `presigned=true` its segment lines are presigned URLs
of the object store instead of paths through this service. Both answer byte ranges
(`byte_ranges`), as players that seek within a segment ask for them.
"""

from __future__ import annotations

import re
from typing import Final

from fastapi import APIRouter, Depends, Query, Request, Response

from narration.adapters.job_records import FINAL_STATUSES
from narration.errors import NotFound, ObjectNotFound
from narration.pipeline import hls_playlist
from narration.production.hls_preview import HLS_DIR, PLAYLIST
from narration.service.byte_ranges import ranged_bytes, ranged_object
from narration.service.context import checked_job_id, context_of
from narration.service.native import MAX_PRESIGN_S, bearer_auth

PLAYLIST_TYPE: Final = "application/vnd.apple.mpegurl"
_SEGMENT: Final = re.compile(r"^\d{6}\.ts$")

router = APIRouter(
    prefix="/v1/jobs", tags=["Listen while it renders"], dependencies=[Depends(bearer_auth)]
)


@router.get("/{job_id}/hls/playlist.m3u8", summary="The job's HLS playlist")
def get_playlist(
    job_id: str,
    request: Request,
    presigned: bool = False,
    expires: int = Query(3600, ge=1, le=MAX_PRESIGN_S),
) -> Response:
    checked_job_id(job_id)
    services = context_of(request).services
    record = services.records().get(job_id)
    store = services.store()
    key = services.keys(job_id).artifact(f"{HLS_DIR}/{PLAYLIST}")
    try:
        text = store.get_bytes(key).decode()
    except ObjectNotFound:
        if not record.get("options", {}).get("hls"):
            raise NotFound(f"job {job_id} has no HLS playlist (submit it with hls)") from None
        text = hls_playlist.playlist([], ended=False)
    if record["status"] in FINAL_STATUSES:
        text = hls_playlist.closed(text)
    if presigned:
        prefix = services.keys(job_id).artifact(HLS_DIR)
        text = "".join(
            store.presign(f"{prefix}/{line}", expires) + "\n"
            if _SEGMENT.match(line)
            else line + "\n"
            for line in text.splitlines()
        )
    return ranged_bytes(text.encode(), PLAYLIST_TYPE, request, {"Cache-Control": "no-cache"})


@router.get("/{job_id}/hls/{segment}", summary="One HLS segment (AAC in MPEG-TS)")
def get_segment(job_id: str, segment: str, request: Request) -> Response:
    if not _SEGMENT.match(segment):
        raise NotFound(f"no segment {segment[:64]!r}")
    checked_job_id(job_id)
    services = context_of(request).services
    key = services.keys(job_id).artifact(f"{HLS_DIR}/{segment}")
    return ranged_object(services.store(), key, request)
