"""Chunk metadata for tests that care about a few of its fields: the rest from defaults."""

from __future__ import annotations

from typing import Any, cast

from narration.pipeline.chunk_meta import ChunkMeta

DEFAULTS: dict[str, Any] = {
    "seq": 0,
    "segment": 0,
    "index": 0,
    "chapter": 0,
    "text": "",
    "boundary_after": "sentence",
    "sample_rate": 22050,
    "samples": 0,
    "duration_s": 0.0,
    "speech_start_s": 0.0,
    "speech_end_s": 0.0,
    "pause_after_s": 0.0,
    "lead_pad_s": 0.0,
    "gain_db": 0.0,
    "level_db": 0.0,
    "key": "",
    "engine": {"name": "test", "device": "cpu", "precision": "fp32", "determinism": "bit"},
    "seed": 0,
    "length_scale": 1.0,
    "words": [],
    "words_from_spoken_text": False,
}
"""A value for every required field of `ChunkMeta`."""


def chunk_meta(**fields: Any) -> ChunkMeta:
    """A chunk's metadata with `fields` set, in the stored key order."""
    unknown = set(fields) - set(ChunkMeta.__annotations__)
    assert not unknown, f"not chunk metadata fields: {sorted(unknown)}"
    meta = {
        name: fields.get(name, DEFAULTS.get(name))
        for name in ChunkMeta.__annotations__
        if name in fields or name in DEFAULTS
    }
    return cast(ChunkMeta, meta)
