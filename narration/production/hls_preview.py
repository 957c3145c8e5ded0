"""Listen while it renders: append a job's HLS segments as its chunks complete in order.

After each chunk of a job with the `hls` option, a thread of the worker (`advance_soon`) and a
small task on the stitch queue (the catch-up) run `advance`: under a per-job lock it turns
every chunk now complete in order into one segment (the chunk's speech and the pause after it,
AAC in MPEG-TS) under `<job>/hls/`, then rewrites the playlist. Chunks finishing out of order
wait for the ones before them. The segments are a preview: they are not loudness-mastered like
the final output (the chunks are level-matched already).
"""

from __future__ import annotations

import io
import json
import logging
import threading
import wave
from typing import Any, Final

from narration.adapters.ffmpeg import encode_ts_segment
from narration.errors import ObjectNotFound
from narration.pipeline import hls_playlist
from narration.production.context import WorkerContext

_LOGGER = logging.getLogger(__name__)

HLS_DIR: Final = "hls"
PLAYLIST: Final = "playlist.m3u8"
STATE: Final = "state.json"
LOCK_TTL_S: Final = 120


def hls_key(context: WorkerContext, job_id: str, name: str) -> str:
    return context.services.keys(job_id).artifact(f"{HLS_DIR}/{name}")


def advance(context: WorkerContext, job_id: str) -> int:
    """Append the segments of every chunk now complete in order; how many were added.

    A chunk that completes while another task holds the lock is picked up by that task: it
    looks once more after letting the lock go.
    """
    added = 0
    while True:
        token = context.records.try_lock(f"hls:{job_id}", LOCK_TTL_S)
        if token is None:
            return added
        try:
            added += _append_ready(context, job_id)
        finally:
            context.records.unlock(f"hls:{job_id}", token)
        durations = _read_state(context, job_id)
        total = len(context.plan(job_id).chunks)
        if len(durations) >= total or not context.chunks(job_id).is_done(len(durations)):
            return added


def advance_soon(context: WorkerContext, job_id: str) -> None:
    """Run `advance` in a thread of this worker process, right after a chunk is stored, so a
    segment need not wait for a free worker; the `narration.hls` task sent beside it catches up
    whatever a thread dies with (acks late, like every task)."""
    threading.Thread(
        target=_advance_logged, args=(context, job_id), name="narration-hls", daemon=True
    ).start()


def _advance_logged(context: WorkerContext, job_id: str) -> None:
    try:
        context.commits.drain()  # the chunk just made is committed in the background
        advance(context, job_id)
    except Exception as error:
        _LOGGER.warning("job %s: HLS playlist not grown now: %s", job_id, error)


def _read_state(context: WorkerContext, job_id: str) -> list[float]:
    try:
        state: dict[str, Any] = json.loads(
            context.objects.get_bytes(hls_key(context, job_id, STATE))
        )
    except ObjectNotFound:
        return []
    return [float(d) for d in state["durations"]]


def _append_ready(context: WorkerContext, job_id: str) -> int:
    chunks = context.chunks(job_id)
    total = len(context.plan(job_id).chunks)
    durations = _read_state(context, job_id)
    before = len(durations)
    while len(durations) < total and chunks.is_done(len(durations)):
        seq = len(durations)
        stored = chunks.read(seq)
        with wave.open(io.BytesIO(stored.wav)) as source:
            rate = source.getframerate()
            speech = source.readframes(source.getnframes())
        pause = b"\0\0" * round(float(stored.meta["pause_after_s"]) * rate)
        segment = encode_ts_segment(speech + pause, rate, sum(durations))
        context.objects.put_bytes(
            hls_key(context, job_id, hls_playlist.segment_name(seq)), segment, "video/mp2t"
        )
        durations.append((len(speech) + len(pause)) / 2 / rate)
    if len(durations) == before:
        return 0
    text = hls_playlist.playlist(durations, ended=len(durations) == total)
    context.objects.put_bytes(
        hls_key(context, job_id, PLAYLIST), text.encode(), "application/vnd.apple.mpegurl"
    )
    state = json.dumps({"durations": durations}).encode()
    context.objects.put_bytes(hls_key(context, job_id, STATE), state, "application/json")
    _LOGGER.info("job %s: HLS playlist has %d of %d segments", job_id, len(durations), total)
    return len(durations) - before
