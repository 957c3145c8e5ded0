"""The chunker's invariants: ≤ 300 characters, sentence-end cuts, lossless, in order."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from narration.pipeline.chunker import (
    MAX_CHUNK_CHARS,
    chunk_document,
    joined_text,
    split_long_sentence,
    split_sentences,
    spoken_text,
)
from narration.pipeline.document import Chapter, Document, Role

WORD = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789'’-", min_size=1, max_size=14
)
PUNCT = st.sampled_from([".", "!", "?", ",", ";", ":", " —", ""])


@st.composite
def sentences(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.tuples(WORD, PUNCT), min_size=1, max_size=80))
    body = " ".join(w + p for w, p in words)
    return body + draw(st.sampled_from([".", "!", "?", "…", ""]))


PARAGRAPH = st.lists(sentences(), min_size=1, max_size=6).map(" ".join)
ROLE: st.SearchStrategy[Role] = st.sampled_from(["text", "section", "item", "item"])
CHAPTER = st.tuples(
    st.text(min_size=0, max_size=30), st.lists(st.tuples(PARAGRAPH, ROLE), min_size=1, max_size=6)
)
DOCUMENT = st.lists(CHAPTER, min_size=1, max_size=4).map(
    lambda chapters: Document(
        "Title",
        tuple(
            Chapter(title, tuple(p for p, _ in paras), roles=tuple(r for _, r in paras))
            for title, paras in chapters
        ),
    )
)


def _chapter(*units: tuple[str, Role]) -> Document:
    paragraphs = tuple(text for text, _ in units)
    roles = tuple(role for _, role in units)
    return Document("t", (Chapter("", paragraphs, title_spoken=False, roles=roles),))


@settings(max_examples=150, deadline=None)
@given(DOCUMENT)
def test_chunks_rejoin_to_the_normalised_text(document: Document) -> None:
    chunks = chunk_document(document)
    assert joined_text(chunks) == spoken_text(document)


@settings(max_examples=150, deadline=None)
@given(DOCUMENT)
def test_every_chunk_fits_and_is_not_empty(document: Document) -> None:
    for chunk in chunk_document(document):
        assert 0 < len(chunk.text) <= MAX_CHUNK_CHARS
        assert chunk.text == chunk.text.strip()


@settings(max_examples=100, deadline=None)
@given(DOCUMENT)
def test_boundaries_follow_the_structure(document: Document) -> None:
    chunks = chunk_document(document)
    assert chunks[-1].boundary_after == "chapter"
    chapter_changes = [a.chapter != b.chapter for a, b in itertools.pairwise(chunks)]
    for chunk, changes in zip(chunks, chapter_changes, strict=False):
        assert (chunk.boundary_after == "chapter") == changes
    assert [c.chapter for c in chunks] == sorted(c.chapter for c in chunks)


def test_whole_sentences_are_packed_together() -> None:
    paragraph = "First sentence here. Second one follows! Third asks why? Fourth ends it."
    chunks = chunk_document(Document("t", (Chapter("", (paragraph,), title_spoken=False),)))
    assert [c.text for c in chunks] == [paragraph]


def test_chunks_end_at_sentence_ends_when_sentences_fit() -> None:
    sentence = "This sentence is exactly long enough to matter in the packing test. "
    paragraph = (sentence * 12).strip()
    chunks = chunk_document(Document("t", (Chapter("", (paragraph,), title_spoken=False),)))
    assert len(chunks) > 1
    assert all(c.text.endswith("test.") for c in chunks)
    assert [c.boundary_after for c in chunks[:-1]] == ["sentence"] * (len(chunks) - 1)


def test_long_sentence_cut_at_strongest_punctuation_first() -> None:
    clause = "and then the walkers went on along the ridge for a while"
    sentence = f"{clause}, {clause}; {clause}, {clause}, {clause}, {clause} until the end."
    pieces = split_long_sentence(sentence)
    assert pieces[0][0].endswith(";")
    assert all(len(piece) <= MAX_CHUNK_CHARS for piece, _ in pieces)


def test_run_without_punctuation_is_cut_at_word_boundaries() -> None:
    text = " ".join(["word"] * 1250)
    chunks = chunk_document(Document("t", (Chapter("", (text,), title_spoken=False),)))
    assert all(len(c.text) <= MAX_CHUNK_CHARS for c in chunks)
    assert all(not c.text.startswith(" ") and c.text.endswith("word") for c in chunks)
    assert joined_text(chunks) == text


def test_a_word_longer_than_a_chunk_is_cut_hard_and_rejoined() -> None:
    text = "x" * 700 + " tail."
    chunks = chunk_document(Document("t", (Chapter("", (text,), title_spoken=False),)))
    assert [len(c.text) for c in chunks][:2] == [300, 300]
    assert joined_text(chunks) == text


def test_abbreviations_do_not_end_sentences() -> None:
    assert split_sentences("Mr. Smith met Dr. Jones at St. Paul's. They talked.") == [
        "Mr. Smith met Dr. Jones at St. Paul's.",
        "They talked.",
    ]


def test_chapter_titles_are_spoken_only_when_read_in_the_text() -> None:
    document = Document(
        "Book",
        (
            Chapter("One", ("Alpha.",)),
            Chapter("Chapter 2", ("Beta.",), title_spoken=False),
        ),
    )
    assert [c.text for c in chunk_document(document)] == ["One", "Alpha.", "Beta."]
    assert spoken_text(document) == "One\n\nAlpha.\n\nBeta."


def test_short_list_items_share_a_chunk_and_end_with_a_list_pause() -> None:
    items: list[tuple[str, Role]] = [(f"Item number {n} is short.", "item") for n in range(40)]
    document = _chapter(("Intro.", "text"), *items, ("After the list.", "text"))
    chunks = chunk_document(document)
    inner = chunks[1:-1]
    assert chunks[0].boundary_after == "paragraph"
    assert len(inner) < len(items) / 5
    assert {c.boundary_after for c in inner[:-1]} == {"list_item"}
    assert inner[-1].boundary_after == "paragraph"
    lengths = [len(c.text) for c in inner]
    assert max(lengths) - min(lengths) <= 2 * len(items[0][0])  # evened out, no tiny tail
    assert joined_text(chunks) == spoken_text(document)


def test_a_section_title_is_preceded_by_a_section_pause() -> None:
    document = _chapter(("Some text.", "text"), ("Deeper", "section"), ("More text.", "text"))
    chunks = chunk_document(document)
    assert [(c.text, c.boundary_after) for c in chunks] == [
        ("Some text.", "section"),
        ("Deeper", "paragraph"),
        ("More text.", "chapter"),
    ]


@settings(max_examples=100, deadline=None)
@given(DOCUMENT)
def test_chunks_break_mid_sentence_only_for_long_sentences(document: Document) -> None:
    sentences = {
        sentence
        for chapter in document.chapters
        for paragraph in chapter.paragraphs
        for sentence in split_sentences(" ".join(paragraph.split()))
    }
    for chunk in chunk_document(document):
        if chunk.boundary_after == "clause":
            # the cut piece (perhaps packed after a shorter sentence) is part of a long sentence
            assert any(len(s) > MAX_CHUNK_CHARS and chunk.text[-40:] in s for s in sentences)


def test_a_paragraph_is_cut_into_even_chunks_not_a_full_one_and_a_tail() -> None:
    sentence = "This sentence is exactly long enough to matter in the packing test."
    paragraph = " ".join([sentence] * 5)  # greedy packing: four sentences, then one
    chunks = chunk_document(Document("t", (Chapter("", (paragraph,), title_spoken=False),)))
    n = len(sentence)
    assert sorted(len(c.text) for c in chunks) == [2 * n + 1, 3 * n + 2]
