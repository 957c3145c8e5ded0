"""Ingest + chunking speed on 1 MB of text, against the sentence segmenter alone.

Target (issue "Documents in"): a 1 MB document ingested and chunked in ≤ 1 s on the 2-core dev
machine. Run: `.venv/bin/python bench/ingest.py [--runs 5]`; prints a markdown table.
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import blingfire

from narration.pipeline.chunker import TextChunk, chunk_document
from narration.pipeline.ingest import load_document

DATA = Path(__file__).resolve().parent / "data"
TARGET_BYTES = 1_000_000


def one_megabyte(source: str, markdown: bool) -> str:
    """Repeat the bench prose to 1 MB, hard-wrapped at 72 columns like a Gutenberg text."""
    paragraphs = [p.strip() for p in source.split("\n\n") if p.strip()]
    out: list[str] = []
    size = 0
    chapter = 0
    while size < TARGET_BYTES:
        chapter += 1
        out.append(f"# Chapter {chapter}" if markdown else f"CHAPTER {chapter}")
        for paragraph in paragraphs:
            words, line, lines = paragraph.split(), "", []
            for word in words:
                if len(line) + len(word) + 1 > 72:
                    lines.append(line)
                    line = word
                else:
                    line = f"{line} {word}".strip()
            lines.append(line)
            out.append("\n".join(lines))
            size += len(paragraph) + 2
    return "\n\n".join(out)


def ingest_and_chunk(data: bytes, name: str) -> list[TextChunk]:
    return chunk_document(load_document(data, name))


def median_time(func: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    source = (DATA / "prose.txt").read_text()
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; median of {args.runs}")
    print("| input | bytes | segmenter alone (s) | ingest + chunk (s) | ratio | chunks | ≤ 1 s |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for name, markdown in (("plain text", False), ("markdown", True)):
        text = one_megabyte(source, markdown)
        data = text.encode()
        filename = "book.md" if markdown else "book.txt"
        segment = median_time(
            functools.partial(blingfire.text_to_sentences_and_offsets, text), args.runs
        )
        full = median_time(functools.partial(ingest_and_chunk, data, filename), args.runs)
        chunks = len(ingest_and_chunk(data, filename))
        verdict = "met" if full <= 1.0 else "MISSED"
        print(
            f"| {name} | {len(data):,} | {segment:.3f} | {full:.3f} | {full / segment:.1f}× "
            f"| {chunks:,} | {verdict} |"
        )


if __name__ == "__main__":
    main()
