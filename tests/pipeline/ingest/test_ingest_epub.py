from __future__ import annotations

from collections.abc import Callable

from narration.pipeline.ingest import load_document

PAGES = [
    ("cover.xhtml", None, '<div><img src="cover.jpg" alt="Cover"/></div>', "cover"),
    (
        "contents_page.xhtml",
        None,
        '<h1>Contents</h1><p><a href="ch1.xhtml">One</a></p><p><a href="ch2.xhtml">Two</a></p>'
        '<p><a href="ch3.xhtml">Three</a></p>',
        "",
    ),
    (
        "rights.xhtml",
        None,
        "<p>Copyright © 2024 Ann Author. All rights reserved.</p><p>ISBN 978-0-00-000000-0</p>",
        "copyright-page",
    ),
    (
        "ch1.xhtml",
        "Chapter One: Beginnings",
        "<h1>Chapter One: Beginnings</h1>"
        '<p>First para<sup><a href="#fn1" epub:type="noteref">1</a></sup> here.</p>'
        "<div><p>Div para.</p> tail text</div>"
        "<ul><li><p>Item one</p></li><li>Item <em>two</em><ul><li>Nested</li></ul></li></ul>"
        "<div><div><p>Deep <b>bold</b>er.</p></div></div>"
        '<aside epub:type="footnote" id="fn1"><p>The note text.</p></aside>',
        "",
    ),
    (
        "ch2.xhtml",
        None,
        '<h2>Second</h2><p>Words <a href="#n2">[2]</a> and more.</p>'
        '<p>Sub<span epub:type="pagebreak" title="3">3</span>way&#160;now.</p>',
        "",
    ),
    ("ch3.xhtml", None, "<p>No heading at all.</p>", ""),
]


def test_chapters_titles_order_and_every_paragraph_once(make_epub: Callable[..., bytes]) -> None:
    doc = load_document(make_epub(PAGES), "book.epub")
    assert (doc.title, doc.author, doc.language) == ("A Test Book", "Ann Author", "en")
    assert [(c.title, c.title_spoken) for c in doc.chapters] == [
        ("Chapter One: Beginnings", True),
        ("Second", True),
        ("Chapter 3", False),
    ]
    assert doc.chapters[0].paragraphs == (
        "First para here.",
        "Div para.",
        "tail text",
        "Item one.",
        "Item two.",
        "Nested.",
        "Deep bolder.",
    )  # the footnote body is not read by default (ReadingOptions.footnotes)
    assert doc.chapters[0].roles[2:6] == ("text", "item", "item", "item")
    assert doc.chapters[1].paragraphs == ("Words and more.", "Subway now.")
    assert doc.chapters[2].paragraphs == ("No heading at all.",)


def test_front_matter_kept_on_request(make_epub: Callable[..., bytes]) -> None:
    doc = load_document(make_epub(PAGES), "book.epub", skip_front_matter=False)
    titles = [c.title for c in doc.chapters]
    assert titles[0] == "Contents"
    assert any("Copyright" in p for c in doc.chapters for p in c.paragraphs)
    assert titles[-3:] == ["Chapter One: Beginnings", "Second", "Chapter 5"]


def test_guide_and_non_linear_items_are_skipped(make_epub: Callable[..., bytes]) -> None:
    pages = [
        ("a.xhtml", None, "<p>Praise for this book, very long praise.</p>", ""),
        ("b.xhtml", None, "<h1>Real</h1><p>Real text.</p>", ""),
        ("c.xhtml", None, "<p>Popup note.</p>", ""),
        ("d.xhtml", None, "<h1>Index</h1><p>apples, 3</p><p>pears, 5</p>", ""),
    ]
    data = make_epub(
        pages, guide=[("title-page", "a.xhtml"), ("index", "d.xhtml")], linear_no=["c.xhtml"]
    )
    doc = load_document(data, "x.epub")
    assert [c.title for c in doc.chapters] == ["Real"]


def test_epub_named_txt_is_read_as_epub(make_epub: Callable[..., bytes]) -> None:
    doc = load_document(make_epub(PAGES), "book.txt")
    assert doc.extra["format"] == "epub"
