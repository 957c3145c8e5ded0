from __future__ import annotations

from narration.pipeline.ingest import load_document

GUTENBERG = b"""The Project Gutenberg eBook of Alice

Title: Alice's Adventures in Wonderland
Author: Lewis Carroll
Language: English

*** START OF THE PROJECT GUTENBERG EBOOK ALICE ***

Produced by Somebody Helpful

CONTENTS

 CHAPTER I.     Down the Rabbit-Hole
 CHAPTER II.    The Pool of Tears

CHAPTER I.
Down the Rabbit-Hole

Alice was beginning to get very tired of sitting by her sister on the
bank, and of having nothing to do: once or twice she had peeped into
the book.

So she was considering in her own mind (as well as she could, for the
hot day made her feel very sleepy and stupid).

CHAPTER II.

The Pool of Tears

Curiouser and curiouser! cried Alice.

*** END OF THE PROJECT GUTENBERG EBOOK ALICE ***

Licence text that must not be read.
"""


def test_gutenberg_book() -> None:
    doc = load_document(GUTENBERG, "alice.txt")
    assert doc.title == "Alice's Adventures in Wonderland"
    assert doc.author == "Lewis Carroll"
    assert doc.language == "en"
    assert [c.title for c in doc.chapters] == [
        "CHAPTER I. Down the Rabbit-Hole",
        "CHAPTER II. The Pool of Tears",
    ]
    assert doc.chapters[0].paragraphs == (
        "Alice was beginning to get very tired of sitting by her sister on the bank, and of "
        "having nothing to do: once or twice she had peeped into the book.",
        "So she was considering in her own mind (as well as she could, for the hot day made "
        "her feel very sleepy and stupid).",
    )
    assert doc.chapters[1].paragraphs == ("Curiouser and curiouser! cried Alice.",)
    everything = " ".join(p for c in doc.chapters for p in c.paragraphs)
    assert "Licence" not in everything and "Produced" not in everything


def test_heading_forms() -> None:
    text = (
        "CHAPTER IV\n\nFour text.\n\nChapter 12.\n\nTwelve text.\n\n"
        "Chapter 3: The Title\n\nThree text.\n\nPART ONE\n\nPart text.\n\nBOOK II\n\n"
        "Book text.\n\nXIV\n\nRoman text.\n\nPart two of the plan failed.\n"
    )
    doc = load_document(text.encode(), "novel.txt")
    assert [c.title for c in doc.chapters] == [
        "CHAPTER IV",
        "Chapter 12.",
        "Chapter 3: The Title",
        "PART ONE",
        "BOOK II",
        "XIV",
    ]
    assert doc.chapters[-1].paragraphs == ("Roman text.", "Part two of the plan failed.")
    assert all(c.title_spoken for c in doc.chapters)


def test_no_headings_one_chapter_named_after_file() -> None:
    doc = load_document(b"Just one\nwrapped paragraph.\n\n\n  And another.  \n", "my_notes.txt")
    assert doc.title == "my notes"
    assert len(doc.chapters) == 1
    assert doc.chapters[0].title == "my notes"
    assert not doc.chapters[0].title_spoken
    assert doc.chapters[0].paragraphs == ("Just one wrapped paragraph.", "And another.")


def test_title_option_wins() -> None:
    doc = load_document(b"Hello there.", "-", title="  My  Title ")
    assert doc.title == "My Title"


def test_crlf_and_hyphenated_wraps() -> None:
    doc = load_document(b"A well-\r\nknown fact,\r\nsaid he.\r\n\r\nNext.", "x.txt")
    assert doc.chapters[0].paragraphs == ("A well-known fact, said he.", "Next.")


def test_gutenberg_furniture_is_listed_not_lost() -> None:
    doc = load_document(GUTENBERG, "alice.txt")
    assert [(s.source, s.reason, s.body) for s in doc.skipped] == [
        ("lines 1-7", "Project Gutenberg header", False),
        ("line 9", "Project Gutenberg header", False),
        ("lines 11-14", "table of contents", False),
        ("lines 31-34", "Project Gutenberg licence", False),
    ]
    assert doc.skipped[2].chars == len("CONTENTS") + len("CHAPTER I. Down the Rabbit-Hole") + len(
        "CHAPTER II. The Pool of Tears"
    )
    assert doc.skipped[3].chars == len(
        "*** END OF THE PROJECT GUTENBERG EBOOK ALICE *** Licence text that must not be read."
    )
    assert doc.coverage == 1.0


def test_keep_front_matter_reads_the_licence_too() -> None:
    doc = load_document(GUTENBERG, "alice.txt", skip_front_matter=False)
    everything = " ".join(p for c in doc.chapters for p in c.paragraphs)
    assert "Licence text that must not be read." in everything
    assert "Produced by Somebody Helpful" in everything
    assert doc.skipped == ()


def test_words_in_prose_drop_nothing() -> None:
    """A "Contents" line, credits or copyright words in prose are read: only structure skips."""
    text = (
        b"Chapter 1\n\nProduced by the mill, the flour went to town.\n\nCONTENTS\n\n"
        b"A jar of jam\nand a loaf of bread\n\nCopyright 2024, all rights reserved, ISBN 12.\n"
    )
    doc = load_document(text, "story.txt")
    assert doc.skipped == ()
    assert doc.chapters[0].paragraphs == (
        "Produced by the mill, the flour went to town.",
        "CONTENTS",
        "A jar of jam and a loaf of bread",
        "Copyright 2024, all rights reserved, ISBN 12.",
    )
