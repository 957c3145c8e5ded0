"""The job record's boundary with Redis: stored strings come back as numbers, always present."""

from __future__ import annotations

import json

from narration.adapters.job_record import FLOAT_FIELDS, INT_FIELDS, from_hash, to_hash


def test_numbers_stored_as_strings_come_back_as_numbers() -> None:
    stored = to_hash(
        {
            "job_id": "a" * 32,
            "status": "succeeded",
            "chunks_total": 24,
            "chunks_done": 24,
            "chunks_reused": 20,
            "segments": 3,
            "audio_seconds": 312.4,
            "duration_s": 318.2,
            "created_at": 1795630000.1,
            "started_at": 1795630001.2,
            "finished_at": None,
            "options": {"voice": "en_US-joe-medium"},
        }
    )
    assert all(isinstance(value, str) for value in stored.values())
    record = from_hash(stored)
    assert record["segments"] == 3 and type(record["segments"]) is int
    assert record["duration_s"] == 318.2 and type(record["duration_s"]) is float
    assert record["chunks_done"] == 24 and record["chunks_total"] == 24
    assert record["finished_at"] is None
    assert record["options"] == {"voice": "en_US-joe-medium"}


def test_a_record_stored_before_these_fields_existed_has_them_as_zero() -> None:
    record = from_hash({"job_id": "b" * 32, "status": "queued", "created_at": "1.5"})
    fields: dict[str, object] = dict(record)
    for name in INT_FIELDS:
        assert fields[name] == 0 and type(fields[name]) is int, name
    for name in FLOAT_FIELDS:
        assert type(fields[name]) is float, name
    assert record["duration_s"] == 0.0
    assert json.loads(json.dumps(record))["segments"] == 0
