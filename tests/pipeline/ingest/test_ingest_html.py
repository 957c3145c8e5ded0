from __future__ import annotations

from narration.pipeline.ingest import load_document

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
