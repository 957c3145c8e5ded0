"""Documents in the shape of real generators read as a person would read them (issue 18).

For each: the title, the chapters and the kinds of skipped text match; no chrome is spoken;
every sentence of prose is spoken whole in one chunk (inline markup and `<br>` never break it),
so at most 2 % of chunk boundaries fall mid-sentence; and the median chunk is ≥ 100 characters.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable

import pytest

from narration.pipeline.chunker import chunk_document, joined_text
from narration.pipeline.ingest import load_document
from tests.pipeline import corpus, corpus_html

BUILDERS: dict[str, tuple[Callable[[], tuple[bytes, corpus.Case]], str]] = {
    "sphinx": (corpus_html.sphinx, "page.html"),
    "mkdocs": (corpus_html.mkdocs, "index.html"),
    "docusaurus": (corpus_html.docusaurus, "quick-start.html"),
    "wordpress": (corpus_html.blog, "walking.html"),
    "readme": (corpus.readme, "README.md"),
    "pandoc-epub": (corpus.pandoc_epub, "almanac.epub"),
}
CHROME_PHRASES = ("¶", "Permalink", "Permanent link", "Direct link", "Edit this page", "Skip to")
MAX_MID_SENTENCE_SHARE = 0.02
MIN_MEDIAN_CHUNK = 100


@pytest.mark.parametrize("kind", list(BUILDERS))
def test_corpus_document(kind: str) -> None:
    build, name = BUILDERS[kind]
    data, case = build()
    doc = load_document(data, name)
    assert doc.title == case.title
    assert [c.title for c in doc.chapters] == case.chapters
    assert {item.title for item in doc.skipped} == case.skipped
    assert all(item.chars >= 0 and item.reason for item in doc.skipped)

    chunks = chunk_document(doc)
    spoken = joined_text(chunks)
    for phrase in (*CHROME_PHRASES, *case.absent):
        assert phrase not in spoken, phrase
    whole = [s for s in case.sentences if any(s in c.text for c in chunks)]
    assert all(s in " ".join(spoken.split()) for s in case.sentences)
    broken = len(case.sentences) - len(whole)
    assert broken / max(1, len(chunks) - 1) <= MAX_MID_SENTENCE_SHARE
    assert statistics.median(len(c.text) for c in chunks) >= MIN_MEDIAN_CHUNK
