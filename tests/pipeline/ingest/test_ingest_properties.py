"""No word dropped, duplicated or reordered, for plain text and Markdown from random paragraphs."""

from __future__ import annotations

import textwrap

from hypothesis import given, settings
from hypothesis import strategies as st

from narration.pipeline.document import Document
from narration.pipeline.ingest import load_document

WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéø", min_size=1, max_size=12)
SENTENCE = st.lists(WORD, min_size=1, max_size=20).map(lambda ws: " ".join(ws) + ".")
PARAGRAPH = st.lists(SENTENCE, min_size=1, max_size=6).map(" ".join)
PARAGRAPHS = st.lists(PARAGRAPH, min_size=1, max_size=12)


def _words(doc: Document) -> list[str]:
    out: list[str] = []
    for chapter in doc.chapters:
        if chapter.title_spoken:
            out.extend(chapter.title.split())
        for paragraph in chapter.paragraphs:
            assert paragraph == " ".join(paragraph.split()) and paragraph
            out.extend(paragraph.split())
    return out


def _expected(paragraphs: list[str]) -> list[str]:
    return " ".join(paragraphs).split()


@settings(max_examples=150, deadline=None)
@given(PARAGRAPHS, st.integers(min_value=20, max_value=90))
def test_plain_text_keeps_every_word(paragraphs: list[str], width: int) -> None:
    text = "\n\n".join(textwrap.fill(p, width, break_on_hyphens=False) for p in paragraphs)
    doc = load_document(text.encode(), "random.txt")
    assert _words(doc) == _expected(paragraphs)


@settings(max_examples=150, deadline=None)
@given(PARAGRAPHS, st.integers(min_value=20, max_value=90), st.data())
def test_markdown_keeps_every_word(paragraphs: list[str], width: int, data: st.DataObject) -> None:
    parts = []
    expected: list[str] = []
    for paragraph in paragraphs:
        style = data.draw(st.sampled_from(["plain", "heading", "list", "quote", "emphasis"]))
        words = paragraph.split()
        if style == "heading":
            # a heading with nothing under it is an empty chapter, dropped by design
            parts.append(f"## {paragraph}\n\n{paragraph}")
            expected.extend(words)
        elif style == "list":
            parts.append("\n".join("- " + w for w in words))
        elif style == "quote":
            parts.append(
                textwrap.fill(paragraph, width, initial_indent="> ", subsequent_indent="> ")
            )
        elif style == "emphasis":
            parts.append(" ".join(f"*{w}*" if j % 2 else w for j, w in enumerate(words)))
        else:
            parts.append(textwrap.fill(paragraph, width, break_on_hyphens=False))
        expected.extend(words)
    doc = load_document("\n\n".join(parts).encode(), "random.md")
    got = [w.rstrip(".") for w in _words(doc)]
    assert got == [w.rstrip(".") for w in expected]
