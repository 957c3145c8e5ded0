"""A short multi-paragraph document through the real stack: CLI → Celery → Piper → S3."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from narration.adapters.chunk_store import CACHE_PREFIX
from narration.connections import Services
from narration.pipeline.chunker import MAX_CHUNK_CHARS
from tests.conftest import narrate
from tests.helpers import decode

DOCUMENT = """# A Short Walk

The path left the village at the church and climbed between stone walls. Sheep watched from
the fields on either side. Nobody else was about.

At the top of the hill the wind picked up. The walker stopped, buttoned his coat, and looked
back at the roofs below.

## The Return

He came down by the other path, through the wood. It was darker there, and quieter. By the
time he reached the church again, the lamps were lit.
"""


@pytest.fixture(scope="module")
def finished_job(stack_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict:
    work = tmp_path_factory.mktemp("e2e")
    source = work / "walk.md"
    source.write_text(DOCUMENT)
    result = narrate(stack_env, "submit", str(source), "--wait", "--json")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    manifest_path = work / "manifest.json"
    audio_path = work / "walk.mp3"
    for what, path in (("manifest", manifest_path), ("audio", audio_path)):
        fetched = narrate(stack_env, "fetch", record["job_id"], "--what", what, "-o", str(path))
        assert fetched.returncode == 0, fetched.stderr
    return {
        "record": record,
        "manifest": json.loads(manifest_path.read_text()),
        "audio": audio_path,
        "work": work,
    }


def test_job_record_reports_success(finished_job: dict) -> None:
    record = finished_job["record"]
    assert record["status"] == "succeeded"
    assert record["chunks_done"] == record["chunks_total"] > 1
    assert record["output_uri"].endswith("/output.mp3")
    assert record["audio_seconds"] > 10


def test_mp3_duration_matches_manifest(finished_job: dict) -> None:
    pcm = decode(finished_job["audio"])
    decoded_s = len(pcm) / 22050
    assert decoded_s == pytest.approx(finished_job["manifest"]["duration_s"], rel=0.02)


def test_every_chunk_once_and_in_order(finished_job: dict) -> None:
    manifest = finished_job["manifest"]
    chunks = manifest["chunks"]
    assert [c["seq"] for c in chunks] == list(range(len(chunks)))
    assert all(len(c["text"]) <= MAX_CHUNK_CHARS for c in chunks)
    starts = [c["start_s"] for c in chunks]
    assert starts == sorted(starts)
    assert all(c["end_s"] > c["start_s"] for c in chunks)
    spoken = " ".join(c["text"] for c in chunks)
    for sentence in ("Sheep watched from the fields on either side.", "the lamps were lit."):
        assert spoken.count(sentence) == 1
    assert [c["title"] for c in manifest["chapters"]] == ["A Short Walk", "The Return"]
    assert (manifest["skipped"], manifest["coverage"]) == ([], 1.0)


def test_audio_is_speech_not_silence(finished_job: dict) -> None:
    pcm = decode(finished_job["audio"])
    manifest = finished_job["manifest"]
    first = manifest["chunks"][0]
    inside = pcm[int(first["start_s"] * 22050) : int(first["end_s"] * 22050)]
    assert inside.std() > 0.02
    assert abs(pcm[: int(0.2 * 22050)]).max() < 0.01


def test_status_and_list_show_the_job(finished_job: dict, stack_env: dict[str, str]) -> None:
    job_id = finished_job["record"]["job_id"]
    status = narrate(stack_env, "status", job_id, "--json")
    assert status.returncode == 0
    assert json.loads(status.stdout)["status"] == "succeeded"
    listing = narrate(stack_env, "list", "--json")
    assert job_id in [job["job_id"] for job in json.loads(listing.stdout)["jobs"]]


def test_unknown_job_is_bad_input(stack_env: dict[str, str]) -> None:
    result = narrate(stack_env, "status", "0" * 32)
    assert result.returncode == 2
    assert "no job" in result.stderr
    assert "Traceback" not in result.stderr


def test_run_one_shot_writes_audio(stack_env: dict[str, str], tmp_path: Path) -> None:
    source = tmp_path / "short.txt"
    source.write_text("One short paragraph to narrate. It has two sentences.\n")
    out = tmp_path / "short.wav"
    result = narrate(stack_env, "run", str(source), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert len(decode(out)) / 22050 > 2.0


def test_run_twice_without_seed_gives_identical_files(
    stack_env: dict[str, str], services: Services, tmp_path: Path
) -> None:
    source = tmp_path / "twice.txt"
    source.write_text("The same words, narrated twice. Nobody chose a seed.\n")
    outputs = []
    for name in ("first.opus", "second.opus"):
        services.store().delete_prefix(CACHE_PREFIX)  # synthesised again, not reused
        out = tmp_path / name
        result = narrate(stack_env, "run", str(source), "-o", str(out), "--title", "Twice")
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
