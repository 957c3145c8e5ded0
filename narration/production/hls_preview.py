"""Listen while it renders: append a job's HLS segments as its chunks complete in order.

After each chunk of a job with the `hls` option, a thread of the worker (`advance_soon`) and a
small task on the stitch queue (the catch-up) run `advance`: under a per-job lock it turns
every chunk now complete in order into segments (the chunk's speech and the pause after it,
cut to the playlist's target duration, AAC in MPEG-TS) under `<job>/hls/`, then rewrites the
playlist. Chunks finishing out of order
wait for the ones before them. The segments are a preview: they are not loudness-mastered like
the final output (the chunks are level-matched already).
"""

from __future__ import annotations

import io
import json
import logging
import threading
import wave
from dataclasses import dataclass
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
        made = _read_state(context, job_id)
        total = len(context.plan(job_id).chunks)
        if made.chunks >= total or not context.chunks(job_id).is_done(made.chunks):
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


@dataclass
class _Made:
    """What the playlist holds so far: its segments' durations, and how many chunks they cover."""

    durations: list[float]
    chunks: int


def _read_state(context: WorkerContext, job_id: str) -> _Made:
    try:
        state: dict[str, Any] = json.loads(
            context.objects.get_bytes(hls_key(context, job_id, STATE))
        )
    except ObjectNotFound:
        return _Made([], 0)
    durations = [float(d) for d in state["durations"]]
    # A state written before chunks were cut into several segments had one segment per chunk.
    return _Made(durations, int(state.get("chunks", len(durations))))


def _append_ready(context: WorkerContext, job_id: str) -> int:
    chunks = context.chunks(job_id)
    total = len(context.plan(job_id).chunks)
    made = _read_state(context, job_id)
    before = len(made.durations)
    while made.chunks < total and chunks.is_done(made.chunks):
        stored = chunks.read(made.chunks)
        with wave.open(io.BytesIO(stored.wav)) as source:
            rate = source.getframerate()
            speech = source.readframes(source.getnframes())
        audio = speech + b"\0\0" * round(float(stored.meta["pause_after_s"]) * rate)
        for first, end in hls_playlist.pieces(len(audio) // 2, rate):
            seq = len(made.durations)
            segment = encode_ts_segment(audio[2 * first : 2 * end], rate, sum(made.durations))
            context.objects.put_bytes(
                hls_key(context, job_id, hls_playlist.segment_name(seq)), segment, "video/mp2t"
            )
            made.durations.append((end - first) / rate)
            if seq == 0:
                # A listener can start on the first segment: list it before cutting the rest.
                _put_playlist(context, job_id, made.durations, ended=False)
        made.chunks += 1
    if len(made.durations) == before:
        return 0
    _put_playlist(context, job_id, made.durations, ended=made.chunks == total)
    state = json.dumps({"durations": made.durations, "chunks": made.chunks}).encode()
    context.objects.put_bytes(hls_key(context, job_id, STATE), state, "application/json")
    _LOGGER.info(
        "job %s: HLS playlist has %d segments, %d of %d chunks",
        job_id,
        len(made.durations),
        made.chunks,
        total,
    )
    return len(made.durations) - before


def _put_playlist(context: WorkerContext, job_id: str, durations: list[float], ended: bool) -> None:
    text = hls_playlist.playlist(durations, ended=ended)
    context.objects.put_bytes(
        hls_key(context, job_id, PLAYLIST), text.encode(), "application/vnd.apple.mpegurl"
    )
