"""A job record in the words and figures the console shows: percent, its duration, ETA.

The record is the one the native API's progress events report (`adapters.job_records`); the
ETA assumes the chunks still to make take as long as the ones made so far did. A job has one
duration wherever the console shows it, as a clock (`clock`, as the page's script writes
chapter times): the delivered file's once the job has succeeded, the audio made so far before.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

STATUS_WORDS: Final = {
    "queued": "Waiting for a worker",
    "running": "Narrating",
    "stitching": "Assembling the audio",
    "succeeded": "Done",
    "failed": "Failed",
    "cancelled": "Cancelled",
}


@dataclass(frozen=True)
class Progress:
    job_id: str
    title: str
    status: str
    status_words: str
    chunks_done: int
    chunks_total: int
    percent: int
    duration_s: float
    eta: str
    error: str
    created_at: float

    @property
    def ended(self) -> bool:
        return self.status in ("succeeded", "failed", "cancelled")

    @property
    def duration(self) -> str:
        return clock(self.duration_s)


def clock(seconds: float) -> str:
    """`0:45`, `3:05`, `1:02:05`: a duration as a player shows one."""
    whole = round(max(0.0, seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def duration_words(seconds: float) -> str:
    """`45 s`, `3 min`, `1 h 05 min`: how long, as a person says it."""
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{round(seconds)} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def eta_words(record: Mapping[str, Any], now: float) -> str:
    status = record.get("status", "")
    done, total = int(record.get("chunks_done") or 0), int(record.get("chunks_total") or 0)
    if status in ("succeeded", "failed", "cancelled"):
        return ""
    if status == "stitching" or (total and done >= total):
        return "almost done"
    started = record.get("started_at") or 0
    made = done - int(record.get("chunks_reused") or 0)
    if not started or made <= 0:
        return "estimating…"
    per_chunk = max(0.0, now - float(started)) / made
    return f"about {duration_words(per_chunk * (total - done))} left"


def progress_of(record: Mapping[str, Any], now: float) -> Progress:
    done, total = int(record.get("chunks_done") or 0), int(record.get("chunks_total") or 0)
    status = str(record.get("status", ""))
    percent = 100 if status == "succeeded" else (min(99, done * 100 // total) if total else 0)
    options = record.get("options") or {}
    return Progress(
        job_id=str(record["job_id"]),
        title=str(record.get("title") or options.get("title") or "Untitled"),
        status=status,
        status_words=STATUS_WORDS.get(status, status),
        chunks_done=done,
        chunks_total=total,
        percent=percent,
        duration_s=_duration_s(record, status),
        eta=eta_words(record, now),
        error=str(record.get("error") or ""),
        created_at=float(record.get("created_at") or 0.0),
    )


def _duration_s(record: Mapping[str, Any], status: str) -> float:
    delivered = float(record.get("duration_s") or 0.0)
    if status == "succeeded" and delivered > 0:
        return delivered
    return float(record.get("audio_seconds") or 0.0)
