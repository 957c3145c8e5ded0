"""A multi-chapter book narrated to MP3 and M4B, measured: loudness, true peak, chapters,
captions and speech marks against the audio itself."""

from __future__ import annotations

import itertools
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pyloudnorm
import pytest
from mutagen.id3 import ID3
from mutagen.mp4 import MP4

from narration.adapters.ffmpeg import ffmpeg_exe
from narration.pipeline.loudness import true_peak_dbtp
from tests.conftest import narrate
from tests.helpers import decode

BOOK = """# The Tide Tables

## Morning

The tide turned at six. The keeper checked the tables by the door, as he did every day, and
wrote the time in the log. Then he made tea and watched the water slide away from the rocks.

A boat passed close to the point. Its skipper waved, and the keeper waved back.

## Noon

By noon the causeway was dry. He walked across to the village for bread and the news, and he
was back before the water returned. Nobody in the village asked him how he was. They never did.

## Night

At dusk he lit the lamp. The beam swept the bay every ten seconds, and the ships kept their
distance, and the night passed without a single thing worth writing down.
"""
RATE = 22050


def _fetch(env: dict[str, str], job_id: str, what: str, path: Path) -> Path:
    result = narrate(env, "fetch", job_id, "--what", what, "-o", str(path))
    assert result.returncode == 0, result.stderr
    return path


@pytest.fixture(scope="module")
def book(stack_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("book")
    source = work / "tides.md"
    source.write_text(BOOK)
    result = narrate(stack_env, "submit", str(source), "--wait", "--json", "--author", "A. Keeper")
    assert result.returncode == 0, result.stderr
    job_id = json.loads(result.stdout)["job_id"]
    files = {
        what: _fetch(stack_env, job_id, what, work / name)
        for what, name in [
            ("audio", "book.mp3"),
            ("manifest", "manifest.json"),
            ("vtt", "book.vtt"),
            ("srt", "book.srt"),
            ("marks", "marks.json"),
        ]
    }
    return {
        "job_id": job_id,
        "files": files,
        "manifest": json.loads(files["manifest"].read_text()),
        "pcm": decode(files["audio"], RATE),
    }


def test_loudness_and_true_peak_of_the_mp3(book: dict[str, Any]) -> None:
    pcm = book["pcm"]
    lufs = pyloudnorm.Meter(RATE).integrated_loudness(pcm.astype("float64"))
    assert lufs == pytest.approx(-16.0, abs=0.5)
    assert true_peak_dbtp(pcm, RATE) <= -1.0


def test_id3_chapters_match_the_book_and_end_with_the_audio(book: dict[str, Any]) -> None:
    tags = ID3(book["files"]["audio"])
    chapters = sorted(tags.getall("CHAP"), key=lambda frame: frame.start_time)
    titles = [frame.sub_frames["TIT2"].text[0] for frame in chapters]
    assert titles == ["Morning", "Noon", "Night"]
    assert [c["title"] for c in book["manifest"]["chapters"]] == titles
    duration_ms = len(book["pcm"]) / RATE * 1000
    assert chapters[0].start_time == 0
    assert abs(chapters[-1].end_time - duration_ms) < 0.01 * duration_ms
    for earlier, later in itertools.pairwise(chapters):
        assert earlier.end_time == later.start_time
    assert tags["TPE1"].text[0] == "A. Keeper"


def test_ffmpeg_reads_the_same_chapters(book: dict[str, Any]) -> None:
    probe = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-i", str(book["files"]["audio"])],
        capture_output=True,
        text=True,
    )
    starts = sorted(float(s) for s in re.findall(r"Chapter #0:\d+: start (\d+\.\d+)", probe.stderr))
    expected = [c["start_s"] for c in book["manifest"]["chapters"]]
    assert starts == pytest.approx(expected, abs=0.01)


def test_webvtt_and_srt_are_valid_and_run_to_the_end(book: dict[str, Any]) -> None:
    vtt = book["files"]["vtt"].read_text()
    assert vtt.startswith("WEBVTT")
    stamp = r"(\d\d):(\d\d):(\d\d)\.(\d{3})"
    cues = re.findall(rf"{stamp} --> {stamp}", vtt)
    times = [
        (
            int(a) * 3600 + int(b) * 60 + int(c) + int(d) / 1000,
            int(e) * 3600 + int(f) * 60 + int(g) + int(h) / 1000,
        )
        for a, b, c, d, e, f, g, h in cues
    ]
    assert len(times) >= 10
    assert all(start < end for start, end in times)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(times))
    duration = len(book["pcm"]) / RATE
    assert duration - 2.0 < times[-1][1] <= duration
    srt = book["files"]["srt"].read_text()
    assert re.match(r"1\n\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}\n", srt)


def test_word_marks_cover_the_words_and_start_with_each_chunk(book: dict[str, Any]) -> None:
    marks = [json.loads(line) for line in book["files"]["marks"].read_text().splitlines()]
    words = [m for m in marks if m["type"] == "word"]
    spoken = " ".join(c["text"] for c in book["manifest"]["chunks"])
    assert len(words) >= 0.9 * len(re.findall(r"\w+", spoken))
    times = [m["time"] for m in marks]
    assert times == sorted(times)
    for chunk in book["manifest"]["chunks"]:
        first = next(m for m in words if m["time"] >= chunk["start_s"] * 1000 - 50)
        assert abs(first["time"] - chunk["start_s"] * 1000) <= 50, chunk["text"][:40]


def test_m4b_has_chapters(stack_env: dict[str, str], tmp_path: Path) -> None:
    source = tmp_path / "short.md"
    source.write_text("# One\n\nFirst part here.\n\n# Two\n\nSecond part here.\n")
    result = narrate(stack_env, "submit", str(source), "--format", "m4b", "--wait", "--json")
    assert result.returncode == 0, result.stderr
    audio = _fetch(stack_env, json.loads(result.stdout)["job_id"], "audio", tmp_path / "b.m4b")
    probe = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-i", str(audio)], capture_output=True, text=True
    )
    assert probe.stderr.count("Chapter #0:") == 2
    assert "title           : One" in probe.stderr or "One" in probe.stderr
    info = MP4(audio).info
    assert info is not None
    assert info.length > 1.0


def test_chapter_subset_and_split_files(
    stack_env: dict[str, str], services: Any, tmp_path: Path
) -> None:
    source = tmp_path / "three.md"
    source.write_text("# One\n\nFirst part.\n\n# Two\n\nSecond part.\n\n# Three\n\nThird part.\n")
    result = narrate(
        stack_env,
        "submit",
        str(source),
        "--chapters",
        "2-3",
        "--split-chapters",
        "--wait",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    job_id = json.loads(result.stdout)["job_id"]
    manifest = json.loads(services.store().get_bytes(services.keys(job_id).manifest))
    assert [c["title"] for c in manifest["chapters"]] == ["Two", "Three"]
    assert "First part." not in " ".join(c["text"] for c in manifest["chunks"])
    files = manifest["chapter_files"]
    assert [f["title"] for f in files] == ["Two", "Three"]
    total = 0.0
    for number, entry in enumerate(files):
        path = tmp_path / f"chapter{number}.mp3"
        path.write_bytes(services.store().get_bytes(entry["uri"].split("/", 3)[3]))
        total += len(decode(path, RATE)) / RATE
    assert total == pytest.approx(manifest["duration_s"], rel=0.02)
