"""SSML through the real stack: a break is exact silence in the delivered audio, marks arrive."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import narrate
from tests.helpers import decode

RATE = 22050
FRAME_S = 0.01
QUIET_BELOW_SPEECH_DB = 35.0
"""A 10 ms frame this far below the file's typical speech level is quiet."""
BREAK_TOLERANCE_S = 0.02
SPEECH_EDGES_S = 0.1
"""The most quiet speech edge heard around a break's exact silence (issue 16)."""
AUDIBLE_DBFS = -60.0
SSML = """<?xml version="1.0"?>
<speak>
  <p>The first part of the story ends right here.<break time="2s"/>The second part
  begins after the silence.<mark name="done"/></p>
  <p>Then <sub alias="World Wide Web Consortium">W3C</sub> was read <prosody rate="slow">slowly
  and calmly</prosody>.</p>
</speak>
"""


def _levels(pcm: np.ndarray) -> np.ndarray:
    size = round(RATE * FRAME_S)
    frames = pcm[: len(pcm) // size * size].reshape(-1, size).astype(np.float64)
    return 20 * np.log10(np.maximum(np.sqrt(np.mean(frames**2, axis=1)), 1e-9))


def _quiet_runs(pcm: np.ndarray) -> list[float]:
    """Lengths (s) of the runs of quiet frames between speech, longest first."""
    levels = _levels(pcm)
    speech = float(np.median(levels[levels > -50.0]))
    quiet = levels < speech - QUIET_BELOW_SPEECH_DB
    runs, run, started = [], 0, False
    for silent in quiet:
        if silent:
            run += 1
        else:
            if started and run:
                runs.append(run * FRAME_S)
            run, started = 0, True
    return sorted(runs, reverse=True)


@pytest.fixture(scope="module")
def job(stack_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    work = tmp_path_factory.mktemp("ssml")
    source = work / "story.txt"
    source.write_text(SSML)
    result = narrate(
        stack_env, "submit", str(source), "--text-type", "ssml", "--format", "wav", "--wait",
        "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    job_id = json.loads(result.stdout)["job_id"]
    files = {"audio": work / "story.wav", "marks": work / "marks.json"}
    for what, path in files.items():
        fetched = narrate(stack_env, "fetch", job_id, "--what", what, "-o", str(path))
        assert fetched.returncode == 0, fetched.stderr
    return files


def _longest_run(flags: np.ndarray) -> float:
    """Seconds of the longest run of True in `flags` (one per sample)."""
    padded = np.concatenate([[False], flags, [False]]).astype(np.int8)
    starts, ends = np.flatnonzero(np.diff(padded) == 1), np.flatnonzero(np.diff(padded) == -1)
    return float((ends - starts).max()) / RATE


def test_a_two_second_break_is_two_seconds_of_digital_silence(job: dict[str, Path]) -> None:
    pcm = decode(job["audio"], RATE)
    assert _longest_run(pcm == 0.0) == pytest.approx(2.0, abs=BREAK_TOLERANCE_S)
    heard = _longest_run(np.abs(pcm) <= 10 ** (AUDIBLE_DBFS / 20))
    assert 2.0 - BREAK_TOLERANCE_S <= heard <= 2.0 + SPEECH_EDGES_S, heard
    runs = _quiet_runs(pcm)
    assert runs[0] == pytest.approx(heard, abs=SPEECH_EDGES_S)
    assert runs[1] < 1.0  # no other pause comes near it


def test_marks_of_type_ssml_are_in_the_speech_marks(job: dict[str, Path]) -> None:
    marks = [json.loads(line) for line in job["marks"].read_text().splitlines()]
    (done,) = [m for m in marks if m["type"] == "ssml"]
    assert done["value"] == "done"
    sentences = [m for m in marks if m["type"] == "sentence"]
    second = next(m for m in sentences if m["value"].startswith("The second part"))
    third = next(m for m in sentences if m["value"].startswith("Then"))
    assert second["time"] < done["time"] < third["time"]
    assert done["start"] == done["end"] == second["end"]
