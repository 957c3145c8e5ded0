"""Markdown in, via markdown-it-py (CommonMark plus tables; already installed through rich).

Read: headings, paragraphs, block quotes, list items (as sentences), table rows ("a, b, c."),
link text, inline code. Skipped: images, code blocks (fenced and indented), HTML comments and
tags, emphasis markers, YAML front matter (its `title:`/`author:` become metadata).
"""

from __future__ import annotations

import html as html_lib
import re
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

from narration.pipeline.ingest.text import BREAK, ITEM, PARA, Block, clean

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_FRONT_FIELD = re.compile(r"^(title|author|lang|language):[ \t]*(.+?)[ \t]*$", re.M | re.I)
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_HTML_DROP = re.compile(
    r"<(script|style|pre|code|svg|math|template)\b.*?(?:</\1\s*>|\Z)", re.S | re.I
)
_HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>")


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def _inline(token: Token) -> str:
    """The readable text of an inline token: no markers, no images, no raw HTML."""
    parts: list[str] = []
    for child in token.children or ():
        t = child.type
        if t in ("text", "code_inline"):
            parts.append(child.content)
        elif t in ("softbreak", "hardbreak") or (
            t == "html_inline" and child.content[:3].lower() == "<br"
        ):
            parts.append(" ")
    return clean("".join(parts))


def _html_text(raw: str) -> str:
    raw = _HTML_COMMENT.sub(" ", raw)
    raw = _HTML_DROP.sub(" ", raw)
    return clean(html_lib.unescape(_HTML_TAG.sub(" ", raw)))


def front_matter(text: str) -> tuple[dict[str, str], str]:
    """Split YAML front matter (simple `key: value` fields only) from the body."""
    m = _FRONT_MATTER.match(text)
    if m is None:
        return {}, text
    meta = {}
    for key, value in _FRONT_FIELD.findall(m.group(1)):
        key = "language" if key.lower() == "lang" else key.lower()
        meta[key] = value.strip("'\"")
    # keep line count so nothing else shifts; the block itself is not read
    return meta, "\n" * m.group(0).count("\n") + text[m.end() :]


def parse_markdown(text: str) -> tuple[dict[str, str], list[Block]]:
    """Markdown to metadata and blocks."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    meta, body = front_matter(text)
    tokens = _parser().parse(body)
    blocks: list[Block] = []
    list_depth = 0
    tight: list[bool] = []
    row: list[str] = []
    in_table = False
    for i, tok in enumerate(tokens):
        t = tok.type
        if t == "inline":
            parent = tokens[i - 1].type if i else ""
            content = _inline(tok)
            if parent == "heading_open":
                level = int(tokens[i - 1].tag[1])
                blocks.append((level, content))
            elif parent in ("th_open", "td_open"):
                if content:
                    row.append(content)
            elif list_depth and tight and tight[-1]:
                blocks.append((ITEM, content))
            else:
                blocks.append((PARA, content))
        elif t in ("bullet_list_open", "ordered_list_open"):
            list_depth += 1
            hidden = next(
                (tk.hidden for tk in tokens[i + 1 : i + 4] if tk.type == "paragraph_open"), True
            )
            tight.append(hidden or (bool(tight) and tight[-1]))
        elif t in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
            tight.pop()
            if not list_depth:
                blocks.append((BREAK, ""))
        elif t == "table_open":
            in_table = True
        elif t == "table_close":
            in_table = False
            blocks.append((BREAK, ""))
        elif t == "tr_close" and in_table:
            if row:
                blocks.append((ITEM, ", ".join(row)))
            row = []
        elif t == "html_block":
            content = _html_text(tok.content)
            if content:
                blocks.append((PARA, content))
        # fence, code_block, hr, image (inside inline): not read
    return meta, blocks
