"""A Kokoro voice through the real CLI, bucket and workers: heard, timed, repeatable, refused
cleanly when its files are not installed."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from narration.adapters.chunk_store import CACHE_PREFIX
from narration.connections import Services
from narration.engines.kokoro import assets
from tests.conftest import narrate
from tests.helpers import word_error_rate, words_of
from tests.integration import kokoro_jobs
from tests.integration.kokoro_jobs import SPOKEN, VOICE, heard_words

MEAN_WORD_OFFSET_S = 0.1
"""Speech marks' word starts against where faster-whisper hears each word, on average."""

pytestmark = pytest.mark.skipif(
    not assets.model_path().is_file(), reason="Kokoro is not installed: narrate voices install"
)


@pytest.fixture(scope="module")
def job(stack_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict:
    return kokoro_jobs.render(stack_env, tmp_path_factory.mktemp("kokoro"))


def test_a_kokoro_job_is_made_by_the_kokoro_engine_on_onnx(job: dict) -> None:
    assert job["record"]["status"] == "succeeded"
    engine = json.loads(job["manifest"].read_text())["engine"]
    assert (engine["name"], engine["precision"]) == ("onnx", "int8")
    assert engine["params"]["voice"] == {
        "name": VOICE, "language": "en-US", "sample_rate": 24_000, "engine": "onnx",
        "family": "kokoro",
    }  # fmt: skip


def test_its_words_are_heard_and_timed_where_they_are_heard(job: dict) -> None:
    heard = heard_words(job["audio"])
    assert word_error_rate(words_of(SPOKEN), [word for word, _ in heard]) <= 0.1, heard
    marks = [json.loads(line) for line in job["marks"].read_text().splitlines()]
    words = [m for m in marks if m["type"] == "word"]
    # Every word has its mark, the phoneme element's chunk too: its timings are moved onto the
    # written words (`pipeline.written_words`).
    assert [words_of(m["value"])[0] for m in words] == words_of(SPOKEN)
    starts: dict[str, float] = {}
    for word, start in heard:
        starts.setdefault(word, start)
    offsets = [
        abs(m["time"] / 1000 - starts[words_of(m["value"])[0]])
        for m in words
        if words_of(m["value"])[0] in starts and words_of(SPOKEN).count(m["value"].lower()) == 1
    ]
    assert len(offsets) >= 10
    assert sum(offsets) / len(offsets) <= MEAN_WORD_OFFSET_S, offsets
    assert [m["value"] for m in marks if m["type"] == "ssml"] == ["done"]
    assert "harbour" in job["vtt"].read_text()


def test_the_same_text_and_voice_give_the_same_bytes(
    stack_env: dict[str, str], services: Services, tmp_path: Path
) -> None:
    source = tmp_path / "twice.txt"
    source.write_text("The same words, twice.\n")
    outputs = []
    for name in ("first.wav", "second.wav"):
        services.store().delete_prefix(CACHE_PREFIX)  # synthesised again, not reused
        out = tmp_path / name
        result = narrate(stack_env, "run", str(source), "--voice", VOICE, "-o", str(out))
        assert result.returncode == 0, result.stderr
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


@pytest.mark.parametrize("damage", ["missing", "corrupt"])
def test_a_missing_or_corrupt_kokoro_file_is_one_clear_line(
    stack_env: dict[str, str], tmp_path: Path, damage: str
) -> None:
    data = tmp_path / "data"
    voices = data / assets.FAMILY / "voices"
    voices.mkdir(parents=True)
    os.symlink(assets.voice_path(VOICE), voices / f"{VOICE}.bin")
    model = data / assets.FAMILY / assets.MODEL_FILE
    if damage == "corrupt":
        with assets.model_path().open("rb") as real, model.open("wb") as copy:
            shutil.copyfileobj(real, copy)
        with model.open("r+b") as copy:
            copy.seek(1000)
            copy.write(b"\0" * 16)
    source = tmp_path / "short.txt"
    source.write_text("Hello.\n")
    result = narrate({**stack_env, "NARRATION_DATA_DIR": str(data)}, "submit", str(source),
                     "--voice", VOICE)  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert str(model) in result.stderr
    assert f"{assets.INSTALL_COMMAND}" in result.stderr
    assert ("missing" if damage == "missing" else "corrupt") in result.stderr
