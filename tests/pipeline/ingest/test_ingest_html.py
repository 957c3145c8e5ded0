from __future__ import annotations

from narration.pipeline.ingest import ReadingOptions, load_document

PAGE = """<!doctype html><html lang="en-GB"><head><title>The Real Title | Site</title>
<meta name="author" content="Jane Doe"></head><body>
<header><nav><a href="/">Home</a> <a href="/about">About us</a></nav></header>
<div id="cookie-banner" class="cookie-consent">We use cookies to improve your experience.
<button>Accept all cookies</button></div>
<main><article><h1>The Real Title</h1>
<p>First paragraph of the article with <a href="x">a link</a> and <em>emphasis</em> inside it,
long enough to count as content for the extractor.</p>
<h2>Section One</h2>
<p>Second paragraph talks about things in detail, with more words so that the extraction
heuristics keep it around.</p>
<ul><li><p>List item one</p></li><li>List item two</li></ul>
<aside class="related">Related: Ten things you won't believe</aside>
<h2>Section Two</h2>
<p>Third paragraph, the final one, concluding the article text with a proper sentence.</p>
<table><tr><th>Name</th><th>Age</th></tr><tr><td>Ann</td><td>30</td></tr></table>
</article></main>
<aside>Sidebar: subscribe to our newsletter</aside>
<footer>Copyright 2024 Site Inc. All rights reserved. <a href="/privacy">Privacy</a></footer>
</body></html>"""


def test_article_only() -> None:
    doc = load_document(PAGE.encode(), "page.html")
    assert doc.title == "The Real Title"
    assert doc.author == "Jane Doe"
    assert doc.language == "en-GB"
    assert [c.title for c in doc.chapters] == ["The Real Title", "Section One", "Section Two"]
    paragraphs = [p for c in doc.chapters for p in c.paragraphs]
    assert paragraphs == [
        "First paragraph of the article with a link and emphasis inside it, long enough to "
        "count as content for the extractor.",
        "Second paragraph talks about things in detail, with more words so that the extraction "
        "heuristics keep it around.",
        "List item one.",
        "List item two.",
        "Third paragraph, the final one, concluding the article text with a proper sentence.",
        "Name: Ann, Age: 30.",
    ]
    assert doc.chapters[1].roles == ("text", "item", "item")
    spoken = " ".join(paragraphs)
    for furniture in ("Home", "About us", "cookies", "Related", "Sidebar", "Copyright", "Privacy"):
        assert furniture not in spoken
    kinds = {item.title: item.chars for item in doc.skipped}
    assert set(kinds) == {
        "navigation",
        "cookie banner",
        "related and promotional blocks",
        "outside the main content",
        "footers",
    }
    banner = "We use cookies to improve your experience. Accept all cookies"
    assert kinds["cookie banner"] == len(banner)


def test_tiny_page_falls_back_to_body_without_furniture() -> None:
    html = b"<html><body><nav>Menu</nav><p>Tiny page.</p><footer>foot</footer></body></html>"
    doc = load_document(html, "t.htm")
    assert [p for c in doc.chapters for p in c.paragraphs] == ["Tiny page."]
    assert doc.title == "t"


def test_html_sniffed_without_extension() -> None:
    doc = load_document(b"<!DOCTYPE html><html><body><p>Sniffed.</p></body></html>", "-")
    assert doc.extra["format"] == "html"


def _page(body: str, head: str = "<title>T</title>") -> bytes:
    return (
        f"<!doctype html><html><head>{head}</head><body><main>{body}</main></body></html>".encode()
    )


def _paragraphs(data: bytes, **kwargs: object) -> list[str]:
    doc = load_document(data, "p.html", **kwargs)  # type: ignore[arg-type]
    return [p for c in doc.chapters for p in c.paragraphs]


def test_inline_elements_and_br_never_end_a_paragraph() -> None:
    body = (
        "<p>He wrote every ship's name in <code>log.txt</code> before dawn, pressing <kbd>Ctrl"
        "</kbd>+<kbd>S</kbd> with <em>great</em> care;<br>then he <samp>slept</samp> under the "
        '<var>n</var>th <abbr title="x">star</abbr><sub>2</sub> near <a href="a.html">the '
        '<span class="pre">harbour</span></a>.</p>'
    )
    assert _paragraphs(_page(body)) == [
        "He wrote every ship's name in log.txt before dawn, pressing Ctrl+S with great care; "
        "then he slept under the nth star2 near the harbour."
    ]


def test_prose_that_names_chrome_is_still_read() -> None:
    text = (
        "Skip to the end: the cookie jar, the contents of the table and the navigation chart "
        "were all on the next page, ¶ marks and all; edit this on GitHub."
    )
    link = "<a href='https://github.com/a/b/edit/x'>GitHub</a>"
    body = "<p>" + text.replace("GitHub", link) + "</p>"
    assert _paragraphs(_page(body)) == [text]


def test_title_trims_the_site_name_and_falls_back_to_the_first_heading() -> None:
    body = "<h1>Install</h1><p>Some text to read.</p>"
    titled = load_document(_page(body, "<title>Install | Widgetry</title>"), "a.html")
    assert titled.title == "Install"
    hyphen = load_document(_page(body, "<title>Install - Widgetry</title>"), "a.html")
    assert hyphen.title == "Install"
    prose = load_document(_page("<p>Text.</p>", "<title>Well - known</title>"), "a.html")
    assert prose.title == "Well - known"  # a hyphen alone is not a site separator
    assert load_document(_page(body, ""), "a.html").title == "Install"


def test_code_blocks_follow_the_reading_option() -> None:
    body = "<p>Run this:</p><pre>make all\nmake install</pre><p>Then rest.</p>"
    default = load_document(_page(body), "p.html")
    assert [p for c in default.chapters for p in c.paragraphs] == [
        "Run this. Code sample omitted.",
        "Then rest.",
    ]
    [code] = default.skipped
    assert (code.title, code.chars) == ("code blocks", len("make all make install"))
    read = _paragraphs(_page(body), options=ReadingOptions(code="read"))
    assert read == ["Run this:", "make all make install", "Then rest."]
    skip = _paragraphs(_page(body), options=ReadingOptions(code="skip"))
    assert skip == ["Run this:", "Then rest."]


def test_small_tables_are_read_by_row_and_large_ones_skipped_with_a_note() -> None:
    rows = "".join(f"<tr><td>k{n}</td><td>v{n}</td></tr>" for n in range(3))
    small = f"<table><tr><th>Key</th><th>Value</th></tr>{rows}</table>"
    assert _paragraphs(_page(small)) == [
        "Key: k0, Value: v0.",
        "Key: k1, Value: v1.",
        "Key: k2, Value: v2.",
    ]
    options = ReadingOptions(table_max_rows=2)
    doc = load_document(_page(small), "p.html", options=options)
    assert [p for c in doc.chapters for p in c.paragraphs] == ["A table of 3 rows is not read."]
    assert [s.title for s in doc.skipped] == ["large tables"]


def test_footnote_bodies_are_skipped_or_read_in_place() -> None:
    body = (
        '<p>A claim<a href="#fn1" class="footnote-ref" role="doc-noteref"><sup>1</sup></a> made.'
        '</p><section class="footnotes" role="doc-endnotes"><ol><li id="fn1"><p>The source.'
        '<a href="#r1" class="footnote-back">↩</a></p></li></ol></section>'
    )
    assert _paragraphs(_page(body)) == ["A claim made."]
    read = _paragraphs(_page(body), options=ReadingOptions(footnotes="read"))
    assert read == ["A claim made.", "The source."]


def test_a_list_of_in_page_links_is_a_table_of_contents_with_its_heading() -> None:
    body = (
        '<h2>On this page</h2><ul><li><a href="#a">Alpha</a></li><li><a href="#b">Beta</a></li>'
        '</ul><h2 id="a">Alpha</h2><p>Alpha text.</p><h2 id="b">Beta</h2><p>Beta text, '
        'see <a href="#a">Alpha</a>.</p>'
    )
    doc = load_document(_page(body), "p.html")
    assert [c.title for c in doc.chapters] == ["Alpha", "Beta"]
    assert doc.chapters[1].paragraphs == ("Beta text, see Alpha.",)
    [toc] = doc.skipped
    assert (toc.title, toc.chars) == ("table of contents", len("On this page Alpha Beta"))


def test_ordered_lists_keep_their_numbers_as_their_type_shows_them() -> None:
    body = (
        '<p>Steps:</p><ol start="3"><li>Download it.</li><li><p>Unpack it.</p>'
        '<ol type="a"><li>Check.</li><li>Clean.</li></ol></li></ol><ul><li>Bullet.</li></ul>'
    )
    assert _paragraphs(_page(body)) == [
        "Steps:", "3. Download it.", "4. Unpack it.", "a. Check.", "b. Clean.", "Bullet.",
    ]  # fmt: skip


def test_a_code_note_never_splits_a_sentence() -> None:
    body = (
        "<p>Call the</p><pre>connect(host)</pre><p>function before sending. Then wait.</p>"
        "<p>Run this:</p><pre>make</pre><p>Done.</p>"
    )
    assert _paragraphs(_page(body)) == [
        "Call the function before sending. Code sample omitted. Then wait.",
        "Run this. Code sample omitted.",
        "Done.",
    ]
