"""`narrate inspect --report`: does a document read well, at a glance, before synthesis?

Chapters and chunks, the median chunk length, the share of chunks that end mid-sentence (a cut
inside a sentence too long for one chunk, or text that stops without a sentence end: a
heading, a table row, a sentence cut by a skipped block), and what was skipped, by reason.
"""

from __future__ import annotations

import statistics
from collections import Counter
from typing import Any, Final

from narration.pipeline.chunker import TextChunk, chunk_document
from narration.pipeline.document import Document

_SENTENCE_END: Final = frozenset(".!?…:;")
_CLOSERS: Final = "\"'”’)]»"


def ends_mid_sentence(chunk: TextChunk) -> bool:
    text = chunk.text.rstrip().rstrip(_CLOSERS)
    return chunk.boundary_after == "clause" or not text or text[-1] not in _SENTENCE_END


def reading_report(document: Document) -> dict[str, Any]:
    """The `inspect --report` object (also printed as lines)."""
    chunks = chunk_document(document)
    by_kind: Counter[str] = Counter()
    chars: Counter[str] = Counter()
    for item in document.skipped:
        by_kind[item.title or item.reason] += 1
        chars[item.title or item.reason] += item.chars
    lengths = [len(c.text) for c in chunks] or [0]
    mid = sum(1 for c in chunks if ends_mid_sentence(c))
    return {
        "title": document.title,
        "chapters": len(document.chapters),
        "chunks": len(chunks),
        "median_chunk_chars": round(statistics.median(lengths)),
        "mid_sentence_share": round(mid / len(chunks), 3) if chunks else 0.0,
        "skipped": [
            {"reason": reason, "blocks": count, "chars": chars[reason]}
            for reason, count in by_kind.most_common()
        ],
    }


def report_lines(report: dict[str, Any]) -> list[str]:
    lines = [
        f"{report['title']}",
        f"{report['chapters']} chapters, {report['chunks']} chunks, median chunk "
        f"{report['median_chunk_chars']} characters",
        f"{report['mid_sentence_share']:.1%} of chunks end mid-sentence",
    ]
    if not report["skipped"]:
        lines.append("nothing skipped")
    for item in report["skipped"]:
        lines.append(f"skipped: {item['reason']}: {item['blocks']} ({item['chars']} characters)")
    return lines
