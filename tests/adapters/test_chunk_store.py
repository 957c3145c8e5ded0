"""ChunkStore over the real object store and job records of the test stack; JobKeys' layout."""

from __future__ import annotations

import json
import time

import pytest

from narration.adapters.chunk_store import (
    ChunkPlacement,
    ChunkStore,
    JobKeys,
    StoredChunk,
    cache_audio_key,
    cache_meta_key,
    expire_cache,
)
from narration.adapters.job_records import RedisJobRecords, new_job_id
from narration.adapters.object_store import S3Store, parse_s3_uri, validate_key
from narration.connections import Services
from narration.errors import ObjectNotFound
from narration.pipeline.chunk_meta import ChunkMeta
from tests.chunk_metas import chunk_meta

WAV = b"RIFF-not-really-a-wav"
RUN = new_job_id()[:8]


def meta_for(seq: int, duration_s: float = 1.5) -> ChunkMeta:
    """What the store needs of a chunk's metadata: its duration, and a key naming its audio."""
    return chunk_meta(seq=seq, duration_s=duration_s, text=f"Chunk {seq}.", key=key_for(seq))


def key_for(seq: int) -> str:
    return f"{RUN}{seq:024x}"


class CommitWatcher(S3Store):
    """The real store, noting each object put and whether the job had recorded a chunk yet."""

    def __init__(self, services: Services, records: RedisJobRecords, job_id: str) -> None:
        super().__init__(
            services.bucket,
            endpoint=services.s3_endpoint,
            region=services.s3_region,
            access_key=services.s3_access_key,
            secret_key=services.s3_secret_key,
        )
        self.records = records
        self.job_id = job_id
        self.puts: list[tuple[str, bytes, bool]] = []

    def put_bytes(
        self, key: str, data: bytes, content_type: str = "application/octet-stream"
    ) -> None:
        recorded = self.records.get(self.job_id)["chunks_done"] > 0
        self.puts.append((key, data, recorded))
        super().put_bytes(key, data, content_type)


@pytest.fixture(scope="module")
def objects(services: Services) -> S3Store:
    return services.store()


@pytest.fixture(scope="module")
def records(services: Services) -> RedisJobRecords:
    return services.records()


@pytest.fixture
def job(records: RedisJobRecords) -> str:
    job_id = new_job_id()
    records.create(job_id, {"chunks_total": 3})
    return job_id


@pytest.fixture
def chunks(services: Services, objects: S3Store, records: RedisJobRecords, job: str) -> ChunkStore:
    return ChunkStore(objects, services.keys(job), records)


def test_commit_stores_audio_then_meta_then_records_it(
    services: Services, records: RedisJobRecords, job: str
) -> None:
    watcher = CommitWatcher(services, records, job)
    keys = services.keys(job)
    store = ChunkStore(watcher, keys, records)
    store.commit(4, WAV, meta_for(4))
    put_keys = [key for key, _, _ in watcher.puts]
    # Audio first, the job's metadata (the commit point) last, the done set after both.
    assert watcher.puts[0][1] == WAV
    assert put_keys[-1] == keys.chunk_meta(4)
    assert not any(done for _, _, done in watcher.puts)
    assert store.is_done(4)
    assert store.stored_seqs() == {4}
    assert store.read(4) == StoredChunk(meta_for(4), WAV)
    assert records.get(job)["chunks_done"] == 1


def test_a_chunk_committed_twice_counts_once(
    records: RedisJobRecords, job: str, chunks: ChunkStore
) -> None:
    chunks.commit(0, WAV, meta_for(0, 2.0))
    chunks.commit(0, WAV, meta_for(0, 2.0))
    chunks.commit(1, WAV, meta_for(1, 0.5))
    record = records.get(job)
    assert (record["chunks_done"], record["audio_seconds"]) == (2, 2.5)
    assert chunks.stored_seqs() == {0, 1}


def test_is_done_follows_the_done_set(chunks: ChunkStore) -> None:
    assert not chunks.is_done(0)
    chunks.commit(0, WAV, meta_for(0))
    assert chunks.is_done(0)
    assert not chunks.is_done(1)


def test_done_meta_needs_the_done_set_and_the_meta(
    services: Services, records: RedisJobRecords, job: str, chunks: ChunkStore
) -> None:
    keys = services.keys(job)
    # Stored but never recorded (the task died before the done set): made again.
    chunks.objects.put_bytes(keys.chunk_meta(0), json.dumps(meta_for(0)).encode())
    assert chunks.done_meta(0) is None
    # Recorded but its meta is gone (storage lost it): made again.
    records.chunk_done(job, "1", 1.0)
    assert chunks.done_meta(1) is None
    # Committed: found, and not counted again.
    chunks.commit(2, WAV, meta_for(2))
    assert chunks.done_meta(2) == meta_for(2)
    assert records.get(job)["chunks_done"] == 2


def test_stored_seqs_come_from_storage(services: Services, job: str, chunks: ChunkStore) -> None:
    keys = services.keys(job)
    assert chunks.stored_seqs() == set()
    chunks.commit(0, WAV, meta_for(0))
    chunks.objects.put_bytes(keys.chunk_meta(12), json.dumps(meta_for(12)).encode())
    # Audio without metadata is not committed.
    chunks.objects.put_bytes(f"{keys.chunks_prefix}000013.wav", WAV)
    assert chunks.stored_seqs() == {0, 12}
    assert not chunks.is_done(12)


def test_read_returns_meta_and_audio(chunks: ChunkStore) -> None:
    chunks.commit(3, WAV + b"3", meta_for(3))
    assert chunks.read(3) == StoredChunk(meta_for(3), WAV + b"3")
    assert chunks.meta(3) == meta_for(3)
    with pytest.raises(ObjectNotFound):
        chunks.read(4)


def test_purge_deletes_chunks_only(services: Services, job: str, chunks: ChunkStore) -> None:
    keys = services.keys(job)
    for seq in range(3):
        chunks.commit(seq, WAV, meta_for(seq))
    outputs = [keys.plan, keys.output("mp3"), keys.manifest, keys.artifact("captions.vtt")]
    for key in outputs:
        chunks.objects.put_bytes(key, b"kept")
    stored = chunks.objects.list_keys(keys.chunks_prefix)
    assert len(stored) >= 3
    assert chunks.purge() == len(stored)
    assert chunks.stored_seqs() == set()
    assert chunks.objects.list_keys(keys.chunks_prefix) == []
    assert sorted(chunks.objects.list_keys(keys.root + "/")) == sorted(outputs)
    assert chunks.purge() == 0


def test_another_job_reuses_a_cached_chunk_until_it_expires(
    services: Services, objects: S3Store, records: RedisJobRecords, chunks: ChunkStore
) -> None:
    chunks.commit(0, WAV, meta_for(0, 2.0))
    other_job = new_job_id()
    records.create(other_job, {"chunks_total": 1})
    other = ChunkStore(objects, services.keys(other_job), records)
    placement = ChunkPlacement(seq=7, segment=2, index=1, chapter=3)
    reused = other.reuse(7, key_for(0), placement)
    assert reused == {**meta_for(0, 2.0), **placement}
    assert other.read(7) == StoredChunk(reused, WAV)
    assert records.get(other_job)["chunks_reused"] == 1
    assert other.reuse(8, key_for(99), placement) is None

    assert expire_cache(objects, records, cutoff=time.time() + 60) >= 1
    assert not objects.exists(cache_meta_key(key_for(0)))
    assert not objects.exists(cache_audio_key(key_for(0)))
    assert other.reuse(9, key_for(0), placement) is None


def test_the_cache_index_answers_before_storage_is_asked(
    services: Services, objects: S3Store, records: RedisJobRecords, chunks: ChunkStore
) -> None:
    """A chunk the Redis index does not list is made anew even if storage holds it (the same
    bytes), so that a new chunk's lookup costs no storage request; one it lists is reused."""
    chunks.commit(0, WAV, meta_for(0))
    assert records.is_cached(objects.bucket, key_for(0))
    placement = ChunkPlacement(seq=3, segment=0, index=3, chapter=0)
    assert chunks.reuse(3, key_for(0), placement) is not None

    records.forget_cached(objects.bucket, [key_for(0)])
    assert not records.is_cached(objects.bucket, key_for(0))
    assert objects.exists(cache_meta_key(key_for(0)))
    assert chunks.reuse(4, key_for(0), placement) is None

    chunks.commit(5, WAV, meta_for(0))  # made again: indexed anew
    assert chunks.reuse(6, key_for(0), placement) is not None


def test_keys_are_built_from_validated_parts() -> None:
    keys = JobKeys("jobs", "abc123")
    assert keys.chunk_meta(7) == "jobs/abc123/chunks/000007.json"
    assert keys.chapter_output(2, "mp3") == "jobs/abc123/chapters/002.mp3"
    assert validate_key(keys.manifest) == "jobs/abc123/manifest.json"
    assert parse_s3_uri("s3://my-bucket/books/out.mp3").key == "books/out.mp3"
    assert JobKeys("/deep/prefix/", "j").plan == "deep/prefix/j/plan.json"
    assert JobKeys("", "j").output("m4b") == "j/output.m4b"
