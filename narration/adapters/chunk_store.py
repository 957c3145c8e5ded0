"""A job's objects and its chunks: the one module that knows their keys and a chunk's commit order.

Chunk audio is content-addressed: it lives once in the bucket's chunk cache under the chunk's
key (`pipeline.chunk_key`: text, voice, engine, parameters, incoming state), beside the
job-agnostic part of its metadata, and any job whose chunk has that key reuses it. A job owns
only its chunk metadata, which names the key. A chunk is committed in this order: the cached
WAV, the cached metadata, the job's chunk metadata, then the job record's done set. The job's
metadata object is the commit point: a chunk whose metadata is stored is complete (its audio
went up first), so the stitcher and `resume` trust exactly the chunks `stored_seqs` lists. The
done set mirrors the commit point in Redis for the one question asked on the hot path, "was
this chunk made before?" (a redelivered task): it answers in one round trip where storage would
cost a request per chunk. A chunk stored by a task that died before recording it is simply made
again; rendering is deterministic, so the same bytes land on the same keys.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Final, TypedDict, cast

from narration.adapters.job_records import JobRecords
from narration.adapters.object_store import ObjectStore
from narration.errors import ObjectNotFound
from narration.pipeline.chunk_key import is_part_key
from narration.pipeline.chunk_meta import ChunkMeta, PartMeta

WAV_SUFFIX: Final = ".wav"
META_SUFFIX: Final = ".json"
CACHE_PREFIX: Final = "chunk-cache/"
"""At the bucket's root: every job writing to the bucket shares it, whatever its prefix."""
JOB_FIELDS: Final = ("seq", "segment", "index", "chapter")
"""Metadata that places a chunk in one job; the rest is determined by its key."""


class ChunkPlacement(TypedDict):
    """The `JOB_FIELDS` of a chunk: where a cached chunk lands in a job reusing it."""

    seq: int
    segment: int
    index: int
    chapter: int


PART_AUDIO_SUFFIX: Final = ".part"
PARALLEL_READS: Final = 8
"""Objects read at once where dozens are read in a row after a job's last chunk (a segment's
chunk metadata, a stitch's parts: 240 for a 10-hour book): each read is mostly a wait on the
store."""


def cache_audio_key(key: str) -> str:
    """A cached chunk's WAV, or a cached part's encoded stream (`pipeline.chunk_key.part_key`)."""
    if is_part_key(key):
        return f"{CACHE_PREFIX}parts/{key}{PART_AUDIO_SUFFIX}"
    return f"{CACHE_PREFIX}{key[:2]}/{key}{WAV_SUFFIX}"


def cache_meta_key(key: str) -> str:
    if is_part_key(key):
        return f"{CACHE_PREFIX}parts/{key}{META_SUFFIX}"
    return f"{CACHE_PREFIX}{key[:2]}/{key}{META_SUFFIX}"


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

    def chunk_meta(self, seq: int) -> str:
        return f"{self.root}/chunks/{seq:06d}{META_SUFFIX}"

    @property
    def parts_prefix(self) -> str:
        return f"{self.root}/parts/"

    def part_meta(self, number: int) -> str:
        return f"{self.root}/parts/{number:05d}{META_SUFFIX}"

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

    meta: ChunkMeta
    wav: bytes


class ChunkStore:
    """Commit, find and read the chunks of one job."""

    def __init__(self, objects: ObjectStore, keys: JobKeys, records: JobRecords) -> None:
        self.objects = objects
        self.keys = keys
        self._records = records
        self._job_id = keys.job_id

    def commit(self, seq: int, wav: bytes, meta: ChunkMeta) -> None:
        """Store a newly made chunk in commit order and count it once in the job record."""
        key = meta["key"]
        self.objects.put_bytes(cache_audio_key(key), wav, "audio/wav")
        shared = {k: v for k, v in meta.items() if k not in JOB_FIELDS}
        self.objects.put_bytes(cache_meta_key(key), _json(shared), "application/json")
        self._put_meta(seq, meta)
        self._records.touch_cached(self.objects.bucket, [key])
        self._records.chunk_done(self._job_id, str(seq), meta["duration_s"])

    def reuse(self, seq: int, key: str, placement: ChunkPlacement) -> ChunkMeta | None:
        """Commit chunk `seq` from the cache if a chunk with `key` was made before, by any job
        using this bucket; its metadata (placed by `placement`), or None to make it now.

        Only a key the cache's index in Redis lists is looked up in storage: a new chunk costs
        a Redis round trip, not a storage request that misses. An entry whose index record was
        lost (Redis lost its data) is made again, byte-identical, and indexed anew."""
        if not self._records.is_cached(self.objects.bucket, key):
            return None
        try:
            # An entry's metadata goes up after its audio and comes down before it
            # (`commit`, `expire_cache`), so metadata found means audio there too.
            shared = json.loads(self.objects.get_bytes(cache_meta_key(key)))
        except ObjectNotFound:
            return None
        meta = cast(ChunkMeta, {**shared, **placement})
        self._put_meta(seq, meta)
        self._records.touch_cached(self.objects.bucket, [key])
        self._records.chunk_done(self._job_id, str(seq), meta["duration_s"], reused=True)
        return meta

    def _put_meta(self, seq: int, meta: ChunkMeta) -> None:
        self.objects.put_bytes(self.keys.chunk_meta(seq), _json(meta), "application/json")

    def is_done(self, seq: int) -> bool:
        """Whether the chunk was committed, from the done set (one Redis round trip)."""
        return self._records.is_chunk_done(self._job_id, str(seq))

    def done_meta(self, seq: int) -> ChunkMeta | None:
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

    def meta(self, seq: int) -> ChunkMeta:
        meta: ChunkMeta = json.loads(self.objects.get_bytes(self.keys.chunk_meta(seq)))
        return meta

    def audio(self, meta: ChunkMeta) -> bytes:
        """The WAV of a committed chunk, from the cache entry its metadata names."""
        return self.objects.get_bytes(cache_audio_key(meta["key"]))

    def read(self, seq: int) -> StoredChunk:
        meta = self.meta(seq)
        return StoredChunk(meta, self.audio(meta))

    def mark_used(self, metas: Sequence[ChunkMeta] | Sequence[PartMeta]) -> None:
        """Count the cache entries of these chunks or parts as used now (retention restarts)."""
        self._records.touch_cached(self.objects.bucket, [meta["key"] for meta in metas])

    def commit_part(self, number: int, path: Path, meta: PartMeta) -> None:
        """Store an encoded part (`production.parts`) in the same order as a chunk: cached audio,
        cached metadata, then the job's part metadata (the commit point)."""
        key = meta["key"]
        self.objects.upload_file(cache_audio_key(key), path, "application/octet-stream")
        self.objects.put_bytes(cache_meta_key(key), _json(meta), "application/json")
        self.objects.put_bytes(self.keys.part_meta(number), _json(meta), "application/json")
        self._records.touch_cached(self.objects.bucket, [key])

    def reuse_part(self, number: int, key: str) -> PartMeta | None:
        """Commit part `number` from the cache if a part with `key` was made before."""
        try:
            meta: PartMeta = json.loads(self.objects.get_bytes(cache_meta_key(key)))
        except ObjectNotFound:
            return None
        self.objects.put_bytes(self.keys.part_meta(number), _json(meta), "application/json")
        self._records.touch_cached(self.objects.bucket, [key])
        return meta

    def part_meta(self, number: int) -> PartMeta | None:
        """The metadata of committed part `number`, or None."""
        try:
            meta: PartMeta = json.loads(self.objects.get_bytes(self.keys.part_meta(number)))
        except ObjectNotFound:
            return None
        return meta

    def download_part(self, meta: PartMeta, path: Path) -> None:
        self.objects.download_file(cache_audio_key(meta["key"]), path)

    def part_metas(self, count: int) -> list[PartMeta | None]:
        """`part_meta` of parts 0..count-1, read `PARALLEL_READS` at a time."""
        with ThreadPoolExecutor(PARALLEL_READS) as readers:
            return list(readers.map(self.part_meta, range(count)))

    def download_parts(self, metas: list[PartMeta], paths: list[Path]) -> None:
        """`download_part` of each part to its path, `PARALLEL_READS` at a time."""
        assert len(metas) == len(paths)
        with ThreadPoolExecutor(PARALLEL_READS) as readers:
            list(readers.map(self.download_part, metas, paths))

    def purge(self) -> int:
        """Delete the job's own chunk and part objects; cached audio stays for other jobs and
        expires by its own retention. Returns how many objects were deleted."""
        chunks = self.objects.delete_prefix(self.keys.chunks_prefix)
        return chunks + self.objects.delete_prefix(self.keys.parts_prefix)


def expire_cache(objects: ObjectStore, records: JobRecords, cutoff: float) -> int:
    """Delete cache entries of `objects`' bucket last used before `cutoff`; how many.

    Metadata first, audio after, so that `ChunkStore.reuse` never finds metadata whose audio
    is gone; both in batches of 1,000 a request.
    """
    stale = records.cached_before(objects.bucket, cutoff)
    objects.delete_keys([cache_meta_key(key) for key in stale])
    objects.delete_keys([cache_audio_key(key) for key in stale])
    records.forget_cached(objects.bucket, stale)
    return len(stale)


def _json(data: Mapping[str, object]) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode()
