"""Byte ranges as a player asks for them, answered over an in-memory store in-process; the
real service with ffmpeg seeking is in tests/integration/test_listening.py."""

from __future__ import annotations

import pytest
from fastapi import FastAPI, Request, Response
from fastapi.testclient import TestClient

from narration.adapters.object_store import MemoryStore
from narration.service.byte_ranges import UNSATISFIABLE, byte_range, ranged_bytes, ranged_object

DATA = bytes(range(256)) * 4


@pytest.fixture()
def client() -> TestClient:
    store = MemoryStore()
    store.put_bytes("book.mp3", DATA)
    app = FastAPI()

    @app.get("/object")
    def whole(request: Request) -> Response:
        return ranged_object(store, "book.mp3", request, 'inline; filename="book.mp3"')

    @app.get("/made")
    def made(request: Request) -> Response:
        return ranged_bytes(DATA, "text/plain", request, {"Cache-Control": "no-cache"})

    return TestClient(app)


def test_byte_ranges_a_player_asks_for() -> None:
    assert byte_range("bytes=0-99", 1000) == (0, 99)
    assert byte_range("bytes=900-", 1000) == (900, 999)
    assert byte_range("bytes=-100", 1000) == (900, 999)
    assert byte_range("bytes=990-2000", 1000) == (990, 999)
    for whole in ("", "bytes=0-1,5-9", "bytes=-", "items=0-1", "bytes=9-1"):
        assert byte_range(whole, 1000) is None
    assert byte_range("bytes=1000-", 1000) == UNSATISFIABLE
    assert byte_range("bytes=-0", 1000) == UNSATISFIABLE


@pytest.mark.parametrize("path", ["/object", "/made"])
def test_a_range_is_answered_206_with_its_place_in_the_whole(client: TestClient, path: str) -> None:
    whole = client.get(path)
    assert whole.status_code == 200 and whole.content == DATA
    assert whole.headers["accept-ranges"] == "bytes"
    etag = whole.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"')
    part = client.get(path, headers={"Range": "bytes=500-599"})
    assert part.status_code == 206
    assert part.content == DATA[500:600]
    assert part.headers["content-range"] == f"bytes 500-599/{len(DATA)}"
    assert part.headers["content-length"] == "100"
    assert part.headers["etag"] == etag


@pytest.mark.parametrize("path", ["/object", "/made"])
def test_if_range_gives_the_range_only_while_the_object_is_unchanged(
    client: TestClient, path: str
) -> None:
    etag = client.get(path).headers["etag"]
    same = client.get(path, headers={"Range": "bytes=-24", "If-Range": etag})
    assert (same.status_code, same.content) == (206, DATA[-24:])
    changed = client.get(path, headers={"Range": "bytes=-24", "If-Range": '"another"'})
    assert (changed.status_code, changed.content) == (200, DATA)


@pytest.mark.parametrize("path", ["/object", "/made"])
def test_a_range_past_the_end_is_416_and_several_ranges_get_the_whole(
    client: TestClient, path: str
) -> None:
    past = client.get(path, headers={"Range": f"bytes={len(DATA)}-"})
    assert past.status_code == 416
    assert past.headers["content-range"] == f"bytes */{len(DATA)}"
    several = client.get(path, headers={"Range": "bytes=0-1,5-9"})
    assert (several.status_code, several.content) == (200, DATA)
