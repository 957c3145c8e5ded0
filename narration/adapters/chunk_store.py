"""A job's objects and its chunks: the one module that knows their keys and a chunk's commit order.

A chunk is committed in this order: its WAV, then its metadata, then the job record's done set.
The metadata object is the commit point: a chunk whose metadata is stored is complete (its WAV
went up first), so the stitcher and `resume` trust exactly the chunks `stored_seqs` lists. The
done set mirrors the commit point in Redis for the one question asked on the hot path, "was
this chunk made before?" (a redelivered task): it answers in one round trip where storage would
cost a request per chunk. A chunk stored by a task that died before recording it is simply made
again; rendering is deterministic, so the same bytes land on the same keys.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final

from narration.adapters.job_records import JobRecords
from narration.adapters.object_store import ObjectStore
from narration.errors import ObjectNotFound

WAV_SUFFIX: Final = ".wav"
META_SUFFIX: Final = ".json"


class JobKeys:
    """Object keys of one job, all under `<prefix>/<job_id>/`."""

    def __init__(self, prefix: str, job_id: str) -> None:
        self.job_id = job_id
        self.root = f"{prefix.strip('/')}/{job_id}" if prefix.strip("/") else job_id

    @property
    def plan(self) -> str:
        return f"{self.root}/plan.json"

    @property
    def chunks_prefix(self) -> str:
        return f"{self.root}/chunks/"

    def chunk_audio(self, seq: int) -> str:
        return f"{self.root}/chunks/{seq:06d}{WAV_SUFFIX}"

    def chunk_meta(self, seq: int) -> str:
        return f"{self.root}/chunks/{seq:06d}{META_SUFFIX}"

    def output(self, fmt: str) -> str:
        return f"{self.root}/output.{fmt}"

    @property
    def manifest(self) -> str:
        return f"{self.root}/manifest.json"

    def artifact(self, name: str) -> str:
        return f"{self.root}/{name}"

    def chapter_output(self, number: int, fmt: str) -> str:
        return f"{self.root}/chapters/{number:03d}.{fmt}"


@dataclass(frozen=True)
class StoredChunk:
    """A committed chunk: its metadata (timings, loudness, next state) and its WAV bytes."""

    meta: dict[str, Any]
    wav: bytes


class ChunkStore:
    """Commit, find and read the chunks of one job."""

    def __init__(self, objects: ObjectStore, keys: JobKeys, records: JobRecords) -> None:
        self.objects = objects
        self.keys = keys
        self._records = records
        self._job_id = keys.job_id

    def commit(self, seq: int, wav: bytes, meta: dict[str, Any]) -> None:
        """Store a chunk in commit order and count it once in the job record."""
        self.objects.put_bytes(self.keys.chunk_audio(seq), wav, "audio/wav")
        self.objects.put_bytes(
            self.keys.chunk_meta(seq), json.dumps(meta).encode(), "application/json"
        )
        self._records.chunk_done(self._job_id, str(seq), meta["duration_s"])

    def is_done(self, seq: int) -> bool:
        """Whether the chunk was committed, from the done set (one Redis round trip)."""
        return self._records.is_chunk_done(self._job_id, str(seq))

    def done_meta(self, seq: int) -> dict[str, Any] | None:
        """The metadata of a chunk made before (a redelivered task), or None to make it now.

        Counting it again is harmless (the done set counts each chunk once) and repairs a job
        record that lost the count when Redis lost its last writes.
        """
        if not self.is_done(seq):
            return None
        try:
            meta = self.meta(seq)
        except ObjectNotFound:
            return None
        self._records.chunk_done(self._job_id, str(seq), meta["duration_s"])
        return meta

    def stored_seqs(self) -> set[int]:
        """Every committed chunk, from storage itself (the authority after any Redis loss)."""
        prefix = self.keys.chunks_prefix
        return {
            int(key[len(prefix) : -len(META_SUFFIX)])
            for key in self.objects.list_keys(prefix)
            if key.endswith(META_SUFFIX)
        }

    def meta(self, seq: int) -> dict[str, Any]:
        meta: dict[str, Any] = json.loads(self.objects.get_bytes(self.keys.chunk_meta(seq)))
        return meta

    def audio(self, seq: int) -> bytes:
        return self.objects.get_bytes(self.keys.chunk_audio(seq))

    def read(self, seq: int) -> StoredChunk:
        return StoredChunk(self.meta(seq), self.audio(seq))

    def purge(self) -> int:
        """Delete every chunk object of the job (its outputs stay); returns how many."""
        return self.objects.delete_prefix(self.keys.chunks_prefix)
