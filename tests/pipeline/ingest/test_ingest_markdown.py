from __future__ import annotations

from narration.pipeline.ingest import ReadingOptions, load_document

MD = """# The Guide

Intro with [a link](http://example.com) and ![a picture](pic.png) and **bold** and _it_.

## Setup
Text one
continues here.

```python
print("never read")
```

    indented code never read

<!-- a comment never read -->
<div class="note">raw <b>html</b> text</div>

- item *a*
- item b
  - nested c

| Name | Age |
|------|-----|
| Ann  | 30  |
| Bob  |     |

Usage
-----

Last paragraph with `inline code`.
"""


def test_markdown_structure() -> None:
    doc = load_document(MD.encode(), "guide.md")
    assert doc.title == "The Guide"
    assert [c.title for c in doc.chapters] == ["The Guide", "Setup", "Usage"]
    assert doc.chapters[0].paragraphs == ("Intro with a link and and bold and it.",)
    assert doc.chapters[1].paragraphs == (
        "Text one continues here. Code sample omitted.",
        "raw html text",
        "item a.",
        "item b.",
        "nested c.",
        "Name: Ann, Age: 30.",
        "Name: Bob.",
    )
    assert doc.chapters[1].roles == ("text", "text", *["item"] * 5)
    assert {item.title for item in doc.skipped} == {"code blocks"}
    chars = sum(item.chars for item in doc.skipped)
    assert chars == len('print("never read")') + 24
    assert doc.chapters[2].paragraphs == ("Last paragraph with inline code.",)
    spoken = " ".join(p for c in doc.chapters for p in c.paragraphs)
    for absent in ("never read", "comment", "pic.png", "http", "**", "`", "|"):
        assert absent not in spoken


def test_several_h1_are_chapters() -> None:
    doc = load_document(b"# One\n\na.\n\n# Two\n\nb.\n", "x.md")
    assert [c.title for c in doc.chapters] == ["One", "Two"]
    assert doc.title == "One"


def test_subheadings_are_read_as_sentences() -> None:
    doc = load_document(b"## A\n\nx.\n\n### Deeper\n\ny.\n", "x.md")
    assert doc.chapters[0].title == "A"
    assert doc.chapters[0].paragraphs == ("x.", "Deeper.", "y.")


def test_front_matter() -> None:
    doc = load_document(b"---\ntitle: Meta Title\nauthor: Me\n---\n\nBody text.\n", "x.md")
    assert (doc.title, doc.author) == ("Meta Title", "Me")
    assert doc.chapters[0].paragraphs == ("Body text.",)


def test_loose_list_items_are_items_too() -> None:
    doc = load_document(b"- first item\n\n- second item\n", "x.md")
    assert doc.chapters[0].paragraphs == ("first item.", "second item.")
    assert doc.chapters[0].roles == ("item", "item")


LONG = "This sentence is long enough to count as real text under its heading, surely. " * 2


def test_chapters_come_from_the_level_that_divides_the_document() -> None:
    # two h1 (a title page and a stub), then numbered h2 sections with text, h3 inside them
    text = (
        f"# Manual\n\nShort.\n\n# Contents stub\n\n## 1. Start\n\n{LONG}\n\n### 1.1. Detail\n\n"
        f"{LONG}\n\n## 2. Finish\n\n{LONG}\n"
    )
    doc = load_document(text.encode(), "m.md")
    assert [c.title for c in doc.chapters] == ["Manual", "1. Start", "2. Finish"]
    assert doc.chapters[1].paragraphs[1] == "1.1. Detail."
    assert doc.chapters[1].roles == ("text", "section", "text")


def test_a_readme_table_of_contents_is_skipped_with_its_lead_in() -> None:
    text = (
        "# Tool\n\nIntro text.\n\n**Table of contents:**\n\n- [Use](#use)\n- [More](#more)\n\n"
        "## Use\n\nUse it, or see [More](#more) and [the site](https://example.com).\n\n"
        "- [More](#more) is below.\n- Another item.\n\n## More\n\nMore text.\n"
    )
    doc = load_document(text.encode(), "README.md")
    assert [c.title for c in doc.chapters] == ["Tool", "Use", "More"]
    assert doc.chapters[0].paragraphs == ("Intro text.",)
    assert doc.chapters[1].paragraphs == (
        "Use it, or see More and the site.",
        "More is below.",
        "Another item.",
    )
    [toc] = doc.skipped
    assert (toc.title, toc.chars) == ("table of contents", len("Table of contents: Use More"))


def test_markdown_code_blocks_follow_the_reading_option() -> None:
    text = b"Install it:\n\n```\npip install tool\n```\n\nDone.\n"
    doc = load_document(text, "x.md", options=ReadingOptions(code="read"))
    assert doc.chapters[0].paragraphs == ("Install it:", "pip install tool", "Done.")
    assert doc.skipped == ()
