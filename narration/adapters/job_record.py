"""The job record's typed shape, and its conversion to and from a Redis hash.

A Redis hash stores only strings; this is the one boundary where they become numbers again,
so every reader (`narrate status --json`, the native API, the console, workers) gets
`chunks_total`, `chunks_done`, `segments`, `duration_s`… as numbers, always present. The
fields and their types are a contract (docs/CLI.md, "Job record"; docs/API.md).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final, NotRequired, TypedDict, cast


class JobRecord(TypedDict):
    """One job as `status --json` and `GET /v1/jobs/{id}` give it."""

    job_id: str
    status: str
    """queued | running | stitching | succeeded | failed | cancelled"""
    chunks_total: int
    chunks_done: int
    chunks_reused: int
    segments: int
    audio_seconds: float
    """Seconds of speech in the chunks done so far."""
    duration_s: float
    """The output's duration once the job succeeded; 0 until then."""
    error: str
    output_uri: str
    created_at: float
    started_at: float | None
    finished_at: float | None
    title: NotRequired[str]
    voice: NotRequired[str]
    format: NotRequired[str]
    compliance: NotRequired[str]
    options: NotRequired[dict[str, Any]]
    """The job's options as submitted (their spec lives with the options, not here)."""
    kind: NotRequired[str]
    """Which surface made a short job (`speech`, `polly`); absent for documents."""
    polly: NotRequired[str]
    """The Polly task's own fields, as the Polly API stored them (JSON text)."""
    polly_output_written: NotRequired[str]
    chunks_purged_at: NotRequired[float]
    proof: NotRequired[dict[str, Any]]
    """A `--proof` job's summary once every chunk is proofed: chunks, suspects, rerendered,
    wer (`production.proofing.results.ProofSummary`)."""
    skipped: NotRequired[list[dict[str, Any]]]
    """Only in the reply to a native-API submit: what the parser did not read aloud."""


INT_FIELDS: Final = ("chunks_total", "chunks_done", "chunks_reused", "segments")
FLOAT_FIELDS: Final = ("audio_seconds", "duration_s", "created_at")
OPTIONAL_FLOAT_FIELDS: Final = ("started_at", "finished_at")
"""`null` until the job starts or ends."""
_PRESENT_FLOAT_FIELDS: Final = ("chunks_purged_at",)
_JSON_FIELDS: Final = ("options", "proof")


def to_hash(fields: Mapping[str, object]) -> dict[str, str]:
    """Field values as Redis stores them: None as '', dicts and lists as JSON, the rest str."""
    return {name: _encode(value) for name, value in fields.items()}


def _encode(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def from_hash(raw: Mapping[str, str]) -> JobRecord:
    """A stored hash as a typed record: every number field present and a number."""
    record: dict[str, Any] = dict(raw)
    for name in INT_FIELDS:
        record[name] = int(float(raw.get(name) or 0))
    for name in FLOAT_FIELDS:
        record[name] = float(raw.get(name) or 0.0)
    record["audio_seconds"] = round(record["audio_seconds"], 3)
    for name in OPTIONAL_FLOAT_FIELDS:
        value = raw.get(name, "")
        record[name] = float(value) if value else None
    for name in _PRESENT_FLOAT_FIELDS:
        if raw.get(name):
            record[name] = float(raw[name])
    for name in _JSON_FIELDS:
        if raw.get(name):
            record[name] = json.loads(raw[name])
    record.setdefault("error", "")
    record.setdefault("output_uri", "")
    return cast(JobRecord, record)
