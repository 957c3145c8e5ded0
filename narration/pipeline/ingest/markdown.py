"""Markdown in, via markdown-it-py (CommonMark plus tables; already installed through rich).

Read: headings, paragraphs, block quotes, list items (as sentences), table rows ("header:
value"), link text, inline code. Code blocks follow `ReadingOptions` (default: a short note);
a list of links into the document is a table of contents and is skipped. Not read: images,
HTML comments and tags, emphasis markers, YAML front matter (its `title:`/`author:` become
metadata).
"""

from __future__ import annotations

import html as html_lib
import re
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

from narration.pipeline.ingest.chrome import TOC_LINK_SHARE
from narration.pipeline.ingest.policy import (
    ReadingOptions,
    SkipLog,
    add_code,
    last_text,
    pop_toc_title,
    settle_code_notes,
)
from narration.pipeline.ingest.tables import rows_blocks
from narration.pipeline.ingest.text import ITEM, PARA, Block, clean

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


def _link_share(tokens: list[Token]) -> tuple[int, int, int]:
    """(links into the document, their text chars, all text chars) in these inline tokens."""
    links = link_chars = total = 0
    for tok in tokens:
        inside = False
        for child in tok.children or ():
            if child.type == "link_open":
                inside = str(child.attrs.get("href", "")).startswith("#")
                links += inside
            elif child.type == "link_close":
                inside = False
            elif child.type in ("text", "code_inline"):
                chars = len(child.content.strip())
                total += chars
                link_chars += chars if inside else 0
    return links, link_chars, total


def _list_end(tokens: list[Token], start: int) -> int:
    depth = 0
    for i in range(start, len(tokens)):
        if tokens[i].type.endswith(("_list_open", "_list_close")):
            depth += tokens[i].nesting
        if depth == 0:
            return i
    return len(tokens) - 1


def _is_toc(inline: list[Token]) -> bool:
    """A list whose text is almost all links into the document (`- [Usage](#usage)`)."""
    links, link_chars, total = _link_share(inline)
    return links >= 2 and total > 0 and link_chars >= TOC_LINK_SHARE * total


def parse_markdown(
    text: str, options: ReadingOptions | None = None
) -> tuple[dict[str, str], list[Block], SkipLog]:
    """Markdown to metadata, blocks, and what was skipped."""
    options = options or ReadingOptions()
    log = SkipLog("markdown")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    meta, body = front_matter(text)
    tokens = _parser().parse(body)
    blocks: list[Block] = []
    list_depth = 0
    header: list[str] = []
    rows: list[list[str]] = []
    skip_to = -1
    for i, tok in enumerate(tokens):
        t = tok.type
        if i <= skip_to:
            continue
        if t == "inline":
            parent = tokens[i - 1].type if i else ""
            content = _inline(tok)
            if parent == "heading_open":
                blocks.append((int(tokens[i - 1].tag[1]), content))
            elif parent == "th_open":
                header.append(content)
            elif parent == "td_open":
                rows[-1].append(content)
            else:
                blocks.append((ITEM if list_depth else PARA, content))
        elif t in ("bullet_list_open", "ordered_list_open"):
            end = _list_end(tokens, i)
            inline = [tk for tk in tokens[i:end] if tk.type == "inline"]
            if not list_depth and options.toc == "skip" and _is_toc(inline):
                where = f"list at line {(tok.map or [0])[0] + 1}"
                heading = pop_toc_title(blocks)
                toc = " ".join([heading, *(_inline(tk) for tk in inline)])
                log.add("toc", toc, where, last_text(blocks))
                skip_to = end
                continue
            list_depth += 1
        elif t in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
        elif t == "tr_open" and tokens[i + 1].type != "th_open":
            rows.append([])
        elif t == "table_close":
            blocks.extend(rows_blocks(header, rows, options, log, "table", last_text(blocks)))
            header, rows = [], []
        elif t in ("fence", "code_block"):
            where = f"code at line {(tok.map or [0])[0] + 1}"
            add_code(blocks, tok.content, options, log, where)
        elif t == "html_block":
            content = _html_text(tok.content)
            if content:
                blocks.append((PARA, content))
        # hr, image (inside inline): not read
    return meta, settle_code_notes(blocks), log
