"""The Kokoro job the Kokoro tests render: a short SSML document on af_heart (two paragraphs, a
phoneme element and a mark), rendered through the real CLI with its audio, speech marks,
captions and manifest fetched, and where faster-whisper hears its words."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import narrate
from tests.helpers import decode, words_of

VOICE = "af_heart"
SSML = """<?xml version="1.0"?>
<speak>
  <p>The lamps were lit along the quiet harbour. A small boat came in with the evening tide.</p>
  <p>She asked for a <phoneme alphabet="ipa" ph="təˈmɑːtoʊ">tomato</phoneme> and some bread.
  <mark name="done"/></p>
</speak>
"""
PLAIN = "The lamps were lit along the quiet harbour. A small boat came in with the evening tide."
SPOKEN = PLAIN + " She asked for a tomato and some bread."
FILES = (
    ("audio", "harbour.wav"),
    ("marks", "marks.json"),
    ("vtt", "captions.vtt"),
    ("manifest", "manifest.json"),
)


def render(env: dict[str, str], work: Path, *extra: str) -> dict[str, Any]:
    """Submit the SSML on `VOICE` as WAV, wait, and fetch its files into `work`: the job
    record under `record`, each file's path under its `--what` name."""
    work.mkdir(parents=True, exist_ok=True)
    source = work / "harbour.ssml"
    source.write_text(SSML)
    result = narrate(
        env, "submit", str(source), "--voice", VOICE, "--format", "wav", "--wait", "--json",
        *extra,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    files = {what: work / name for what, name in FILES}
    for what, path in files.items():
        fetched = narrate(env, "fetch", record["job_id"], "--what", what, "-o", str(path))
        assert fetched.returncode == 0, fetched.stderr
    return {"record": record, **files}


def word_marks(path: Path) -> list[dict[str, Any]]:
    marks = [json.loads(line) for line in path.read_text().splitlines()]
    return [mark for mark in marks if mark["type"] == "word"]


def heard_words(path: Path) -> list[tuple[str, float]]:
    """Each word faster-whisper (narration's recogniser) hears, with its start in seconds."""
    from narration.production.proofing.recogniser import whisper_model

    segments, _ = whisper_model(cpu_threads=2).transcribe(
        decode(path, 16000), language="en", beam_size=5, word_timestamps=True
    )
    return [
        (word, w.start)
        for segment in segments
        for w in segment.words or ()
        for word in words_of(w.word)
    ]
