"""Documents in the shape real generators make, built from generated prose.

Each builder returns the document's bytes and a `Case`: what a listener should get (title,
chapters, skipped kinds) and every sentence of prose in it, as plain text, so a test can check
that each one is spoken whole, in one chunk, whatever inline markup it carried.
"""

from __future__ import annotations

import io
import random
import textwrap
from dataclasses import dataclass, field

from ebooklib import epub

_SUBJECTS = ("The walker", "Our guide", "The old map", "Every hiker", "The ranger", "A shepherd")
_VERBS = ("follows", "describes", "crosses", "marks", "checks", "remembers", "avoids")
_ADJECTIVES = ("narrow", "windy", "quiet", "steep", "frozen", "long", "grassy", "rocky")
_NOUNS = ("ridge", "trail", "valley", "river", "summit", "forest", "bridge", "meadow", "pass")
_ENDINGS = (
    "before the light fades in the west",
    "while the clouds gather over the far hills",
    "because the lower path floods every spring",
    "and writes the time in a small notebook",
    "so that nobody gets lost on the way down",
)
_INLINE_HTML = (
    "<code>{}</code>",
    "<em>{}</em>",
    "<strong>{}</strong>",
    '<a href="other.html">{}</a>',
    "<kbd>{}</kbd>",
    '<span class="pre">{}</span>',
    '<abbr title="a word">{}</abbr>',
    "<var>{}</var>",
    "<samp>{}</samp>",
)
_INLINE_MD = ("`{}`", "*{}*", "**{}**", "[{}](https://example.com/{})")


@dataclass
class Case:
    title: str
    chapters: list[str]
    skipped: set[str]
    sentences: list[str] = field(default_factory=list)
    absent: tuple[str, ...] = ()
    """Text that must not be spoken (chrome, footnote bodies)."""


class Prose:
    """Deterministic sentences, rendered as HTML or Markdown with inline markup inside them."""

    def __init__(self, case: Case, seed: int) -> None:
        self.case = case
        self.rng = random.Random(seed)

    def _sentence(self) -> tuple[list[str], str]:
        r = self.rng
        words = [
            *r.choice(_SUBJECTS).split(),
            r.choice(_VERBS),
            "the",
            r.choice(_ADJECTIVES),
            r.choice(_NOUNS),
            "near",
            "the",
            r.choice(_NOUNS),
            *r.choice(_ENDINGS).split(),
        ]
        end = r.choice(".....?!")
        return words, " ".join(words) + end

    def html(self, sentences: int = 4, *, br: bool = False) -> str:
        parts = []
        for n in range(sentences):
            words, plain = self._sentence()
            self.case.sentences.append(plain)
            at = self.rng.randrange(2, len(words))
            words[at] = self.rng.choice(_INLINE_HTML).format(words[at])
            # source lines wrap anywhere, as generators print them
            text = textwrap.fill(" ".join(words) + plain[-1], 70)
            parts.append(text + ("<br>\n" if br and n == 1 else ""))
        return "<p>" + " ".join(parts) + "</p>\n"

    def markdown(self, sentences: int = 4) -> str:
        parts = []
        for _ in range(sentences):
            words, plain = self._sentence()
            self.case.sentences.append(plain)
            at = self.rng.randrange(2, len(words))
            words[at] = self.rng.choice(_INLINE_MD).format(words[at], words[at])
            parts.append(" ".join(words) + plain[-1])
        return textwrap.fill(" ".join(parts), 72, break_long_words=False) + "\n\n"


def readme() -> tuple[bytes, Case]:
    """A GitHub-style README: badges, a Table of Contents of anchor links, code, a table."""
    case = Case(
        "Widgetry",
        ["Widgetry", "Installation", "Usage", "Contributing", "License"],
        {"table of contents", "code blocks"},
        absent=("Table of Contents", "pip install", "build-passing"),
    )
    p = Prose(case, 5)
    text = (
        "# Widgetry\n\n"
        "[![Build](https://img.shields.io/badge/build-passing-green.svg)](https://ci.example)"
        " [![PyPI](https://img.shields.io/pypi/v/widgetry.svg)](https://pypi.org)\n\n"
        + p.markdown(4)
        + "## Table of Contents\n\n- [Installation](#installation)\n- [Usage](#usage)\n"
        "  - [Command line](#command-line)\n- [Contributing](#contributing)\n"
        "- [License](#license)\n\n"
        + "## Installation\n\n"
        + p.markdown(3)
        + "```bash\npip install widgetry\n```\n\n"
        + p.markdown(3)
        + "## Usage\n\n"
        + p.markdown(4)
        + "### Command line\n\n"
        + p.markdown(3)
        + "- `--verbose` prints every step of the walk.\n- `--quiet` prints nothing at all.\n\n"
        + "| Option | Default |\n|---|---|\n| `size` | 10 |\n| `colour` | blue |\n\n"
        + "## Contributing\n\n"
        + p.markdown(4)
        + "## License\n\nMIT, see the LICENSE file.\n"
    )
    case.sentences += ["--verbose prints every step of the walk.", "Option: size, Default: 10."]
    return text.encode(), case


def pandoc_epub() -> tuple[bytes, Case]:
    """A pandoc-style EPUB with the whole book in one file: a title page, h1 chapters, h2
    sections, noterefs and an endnotes section at the end; built with ebooklib."""
    case = Case(
        "The Walker's Almanac",
        ["Spring", "Summer", "Autumn"],
        # the nav document and the title page (front matter), the footnotes inside a chapter
        {"", "The Walker's Almanac", "footnotes"},
        absent=("The endnote body is not read inline.", "↩"),
    )
    p = Prose(case, 6)
    body = ""
    for number, season in enumerate(case.chapters, 1):
        body += f'<section id="{season.lower()}" class="level1"><h1>{season}</h1>'
        body += p.html(4) + p.html(4)
        body += f'<section class="level2"><h2>{season} walks</h2>' + p.html(4)
        body += (
            f'<p>The almanac keeps a note<a href="#fn{number}" class="footnote-ref" id="fnref'
            f'{number}" role="doc-noteref"><sup>{number}</sup></a> here.</p></section></section>'
        )
        case.sentences.append("The almanac keeps a note here.")
    body += '<section id="footnotes" class="footnotes footnotes-end-of-document" role="doc-'
    body += 'endnotes"><hr/><ol>'
    for number in (1, 2, 3):
        body += (
            f'<li id="fn{number}"><p>The endnote body is not read inline.<a href="#fnref{number}"'
            ' class="footnote-back" role="doc-backlink">↩︎</a></p></li>'
        )
    body += "</ol></section>"
    title_page = '<section epub:type="titlepage"><h1 class="title">The Walker\'s Almanac</h1>'
    title_page += '<p class="author">Ann Author</p></section>'
    return _epub(case.title, [("title_page.xhtml", title_page), ("ch001.xhtml", body)]), case


def _epub(title: str, pages: list[tuple[str, str]]) -> bytes:
    book = epub.EpubBook()
    book.set_identifier("almanac")
    book.set_title(title)
    book.set_language("en")
    book.add_author("Ann Author")
    items = []
    for name, body in pages:
        item = epub.EpubHtml(title=name, file_name=name, lang="en")
        item.set_content(
            '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">'
            f"<head><title>{title}</title></head><body>{body}</body></html>"
        )
        book.add_item(item)
        items.append(item)
    book.toc = [epub.Link(pages[-1][0], "Spring", "spring")]
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = ["nav", *items]
    out = io.BytesIO()
    epub.write_epub(out, book)
    return out.getvalue()
