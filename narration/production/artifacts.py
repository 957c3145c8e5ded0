"""A stitched job's timed text: captions (WebVTT, SRT) and speech marks, uploaded beside its
audio and timed on the same timeline (`pipeline.timeline.timed_spans`)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from narration.adapters.chunk_store import ChunkStore
from narration.pipeline import captions
from narration.pipeline.timeline import Placed, timed_text, timed_words


def upload_artifacts(
    placed: list[Placed],
    rate: int,
    chunks: ChunkStore,
    ssml: list[tuple[float, int, str]],
    workdir: Path,
) -> dict[str, str]:
    """Captions and speech marks, timed on the same timeline as the audio.

    A 10-hour book has about 130,000 words: their spans and their marks are about 25 MB of
    objects each, and the marks' JSON lines 11 MB more as one string and again as its bytes
    (docs/OUTPUT.md, "Memory"). So the marks are made from the words a chunk at a time, and
    the bodies are written line by line to files in `workdir` and uploaded from there."""
    text, sentence_spans = timed_text(placed, rate)
    cues = captions.cues_from_spans(text, sentence_spans)
    marks = captions.speech_marks(text, sentence_spans, timed_words(placed, rate), ssml=ssml)
    bodies: dict[str, tuple[Iterable[str], str]] = {
        "captions.vtt": ([captions.to_webvtt(cues)], "text/vtt"),
        "captions.srt": ([captions.to_srt(cues)], "text/plain"),
        "marks.json": (captions.jsonl_lines(marks), "application/x-ndjson"),
    }
    uris = {}
    for name, (lines, mime) in bodies.items():
        path = workdir / name
        with path.open("w", encoding="utf-8", newline="") as out:
            out.writelines(lines)
        key = chunks.keys.artifact(name)
        chunks.objects.upload_file(key, path, mime)
        uris[name] = f"s3://{chunks.objects.bucket}/{key}"
    return uris
