"""Objects served with byte ranges (RFC 9110 §14), so a player can seek in a long book, or
resume a download, without fetching it whole.

Every answer says `Accept-Ranges: bytes` and carries the object's `ETag`. A single
`Range: bytes=first-last` (or `first-`, or `-suffix`) is answered 206 with `Content-Range`; one
outside the object 416 with `Content-Range: bytes */size`. Several ranges, or an `If-Range` that
names another version of the object, get the whole object (200), as the RFC allows.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from typing import Final

from fastapi import Request, Response
from fastapi.responses import StreamingResponse

from narration.adapters.object_store import ObjectInfo, ObjectStore

_RANGE: Final = re.compile(r"^bytes=(\d*)-(\d*)$")
UNSATISFIABLE: Final = (-1, -1)


def byte_range(header: str, size: int) -> tuple[int, int] | None:
    """The one range of a `Range: bytes=first-last` header within `size` bytes, inclusive;
    None for no header or one we answer whole (several ranges, another unit);
    `UNSATISFIABLE` for a range that starts past the end."""
    match = _RANGE.match(header.strip())
    if not match or not (match.group(1) or match.group(2)):
        return None
    first_text, last_text = match.groups()
    if not first_text:
        if not size or int(last_text) == 0:
            return UNSATISFIABLE
        return max(0, size - int(last_text)), size - 1
    first = int(first_text)
    last = min(int(last_text), size - 1) if last_text else size - 1
    if first >= size:
        return UNSATISFIABLE
    return (first, last) if first <= last else None


def _wanted(request: Request, info: ObjectInfo) -> tuple[int, int] | None:
    header = request.headers.get("range", "")
    if_range = request.headers.get("if-range")
    if not header or (if_range is not None and if_range.strip() != info.etag):
        return None
    return byte_range(header, info.size)


def _headers(info: ObjectInfo, disposition: str) -> dict[str, str]:
    headers = {"Accept-Ranges": "bytes", "ETag": info.etag}
    if disposition:
        headers["Content-Disposition"] = disposition
    return headers


def _unsatisfiable(info: ObjectInfo, disposition: str) -> Response:
    headers = _headers(info, disposition) | {"Content-Range": f"bytes */{info.size}"}
    return Response(status_code=416, headers=headers)


def ranged_object(
    store: ObjectStore, key: str, request: Request, disposition: str = ""
) -> StreamingResponse | Response:
    """The object at `key`, whole or the one range the request asks for, streamed."""
    info = store.info(key)
    headers = _headers(info, disposition)
    chosen = _wanted(request, info)
    if chosen == UNSATISFIABLE:
        return _unsatisfiable(info, disposition)
    chunks: Iterator[bytes]
    if chosen is None:
        chunks, content_type, length = store.open_stream(key)
        headers["Content-Length"] = str(length)
        return StreamingResponse(chunks, media_type=content_type, headers=headers)
    chunks, content_type, length = store.open_stream(key, byte_range=chosen)
    headers["Content-Length"] = str(length)
    headers["Content-Range"] = f"bytes {chosen[0]}-{chosen[1]}/{info.size}"
    return StreamingResponse(chunks, status_code=206, media_type=content_type, headers=headers)


def ranged_bytes(
    data: bytes, media_type: str, request: Request, headers: dict[str, str] | None = None
) -> Response:
    """Bytes made for this answer (a playlist), with the same range handling as an object."""
    digest = hashlib.md5(data, usedforsecurity=False).hexdigest()
    info = ObjectInfo(len(data), f'"{digest}"')
    extra = _headers(info, "") | (headers or {})
    chosen = _wanted(request, info)
    if chosen == UNSATISFIABLE:
        return _unsatisfiable(info, "")
    if chosen is None:
        return Response(data, media_type=media_type, headers=extra)
    extra["Content-Range"] = f"bytes {chosen[0]}-{chosen[1]}/{info.size}"
    return Response(
        data[chosen[0] : chosen[1] + 1], status_code=206, media_type=media_type, headers=extra
    )
