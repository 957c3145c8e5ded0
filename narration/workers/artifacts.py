"""A stitched job's timed text: captions (WebVTT, SRT) and speech marks, uploaded beside its
audio and timed on the same timeline (`pipeline.timeline.timed_spans`)."""

from __future__ import annotations

from collections.abc import Callable

from narration.adapters.chunk_store import ChunkStore
from narration.pipeline import captions
from narration.pipeline.timeline import Placed, timed_spans


def upload_artifacts(
    placed: list[Placed], rate: int, chunks: ChunkStore, ssml: list[tuple[float, int, str]]
) -> dict[str, str]:
    """Captions and speech marks, timed on the same timeline as the audio. Each body is made
    as it goes up, once the spans it came from are dropped: a 10-hour book's word spans and
    marks are about 25 MB of objects each (docs/OUTPUT.md, "Memory")."""
    text, sentence_spans, word_spans = timed_spans(placed, rate)
    cues = captions.cues_from_spans(text, sentence_spans)
    marks = captions.speech_marks(text, sentence_spans, word_spans, ssml=ssml)
    del sentence_spans, word_spans
    bodies: dict[str, tuple[Callable[[], str], str]] = {
        "captions.vtt": (lambda: captions.to_webvtt(cues), "text/vtt"),
        "captions.srt": (lambda: captions.to_srt(cues), "text/plain"),
        "marks.json": (lambda: captions.to_jsonl(marks), "application/x-ndjson"),
    }
    uris = {}
    for name, (body, mime) in bodies.items():
        key = chunks.keys.artifact(name)
        chunks.objects.put_bytes(key, body().encode(), mime)
        uris[name] = f"s3://{chunks.objects.bucket}/{key}"
    return uris
