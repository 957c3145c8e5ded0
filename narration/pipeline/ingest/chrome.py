"""Page chrome and tables of contents in HTML, recognised by structure.

Documentation generators (Sphinx, MkDocs, Docusaurus, mdBook), blogs and READMEs wrap the text
in furniture a listener does not want read: heading permalinks (¶), skip links, "edit this
page" links, breadcrumbs, previous/next links, cookie banners, menus, tables of contents. Each
rule below looks at elements, attributes, link targets and the share of link text, never at a
word in the prose, so a sentence that happens to say "cookie" or "contents" is still read.
"""

from __future__ import annotations

import re
from typing import Any, Final

_HEADINGS: Final = frozenset("h1 h2 h3 h4 h5 h6 dt".split())
_LISTS: Final = frozenset("ul ol".split())
_CONTAINERS: Final = frozenset("div section aside nav ul ol p header footer details".split())
_PERMALINK_CLASS = re.compile(
    r"headerlink|hash-link|anchor-?link|anchorjs|heading-anchor|header-anchor|permalink|"
    r"(?:^|\s)anchor(?:\s|$)",
    re.I,
)
_PERMALINK_TITLE = re.compile(r"^(?:permalink|permanent link|direct link|link to this)", re.I)
_PERMALINK_TEXT: Final = frozenset(("", "¶", "#", "§", "🔗", "⚓", "∞", "¤"))
_SKIP_LINK = re.compile(r"skip-?link|skip-?to|screen-reader-shortcut", re.I)
_EDIT_HREF = re.compile(r"/(?:edit|_edit)/|[?&]action=edit\b", re.I)
_EDIT_CLASS = re.compile(r"edit-?this|edit-?page|edit-?link|editlink", re.I)
_BREADCRUMBS = re.compile(r"breadcrumb", re.I)
_PAGINATION = re.compile(
    r"pagination|pager|prev-?next|footer-buttons|post-navigation|nav-links|nav-wrapper", re.I
)
_COOKIE = re.compile(r"cookie|consent|gdpr", re.I)
_PROMO = re.compile(r"related|widget|share|social|advert|promo|newsletter|subscribe", re.I)
_COMMENTS = re.compile(r"(?:^|[\s_-])comments?(?:-area|-list|-respond)?(?:$|\s)", re.I)
_TOC_ATTR = re.compile(
    r"(?:^|[\s_-])toc(?:$|[\s_-])|table-of-contents|(?:^|\s)contents(?:\s|$)|toctree-wrapper"
)
_FOOTNOTES = re.compile(r"(?:^|[\s_-])(?:foot|end)notes?(?:$|[\s_-](?!ref|back))", re.I)
_FOOTNOTE_TYPES = re.compile(r"\b(?:doc-)?(?:foot|end|rear)notes?\b|doc-endnotes")
_GENERATED_PAGE = re.compile(r"(?:^|/)(?:genindex|py-modindex|modindex|search)(?:-\w+)?\.html?$")
"""Pages a documentation generator makes on its own: the index, module index, search page."""
_INDEX_CLASS = re.compile(r"^(?:index-\w+|indextable|genindex\w*)$")
_SLUG = re.compile(r"[\W_]+")
_NUMBERING = re.compile(r"^[\s\d.]+")
TOC_LINK_SHARE: Final = 0.8
MARKED_TOC_LINK_SHARE: Final = 0.5
PAGINATION_LINK_SHARE: Final = 0.5
_NAVIGATION_RELS: Final = frozenset("prev next previous up contents index start first last".split())


def localname(el: Any) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    if tag[0] == "{":
        tag = tag.rsplit("}", 1)[1]
    return tag.rsplit(":", 1)[-1].lower()


def semantic_type(el: Any) -> str:
    """epub:type and role of an element, lower-cased, space-joined."""
    parts = []
    for key, value in el.attrib.items():
        if key.endswith("}type") or key == "epub:type" or key == "role":
            parts.append(value.lower())
    return " ".join(parts)


def _ident(el: Any) -> str:
    """The attributes a page uses to name what an element is for."""
    keys = ("id", "class", "aria-label", "itemtype", "data-testid")
    return " ".join(el.get(k, "") for k in keys).strip()


def text_chars(el: Any) -> int:
    return len(" ".join("".join(el.itertext()).split()))


def _link_stats(el: Any) -> tuple[int, int, int]:
    """(in-page links, their text chars, all link text chars) under el."""
    inner = inner_chars = all_chars = 0
    for a in el.iter("a", "{http://www.w3.org/1999/xhtml}a"):
        href = a.get("href")
        if href is None:
            continue
        chars = text_chars(a)
        all_chars += chars
        if href.startswith("#") and len(href) > 1:
            inner += 1
            inner_chars += chars
    return inner, inner_chars, all_chars


def is_toc(el: Any, name: str) -> bool:
    """A list (or a nav/contents block) whose text is almost all links into this document."""
    ident = f"{_ident(el)} {semantic_type(el)}"
    if name not in _LISTS and name != "nav" and not _TOC_ATTR.search(ident.lower()):
        return False
    inner, inner_chars, all_chars = _link_stats(el)
    if "toctree-wrapper" in ident:
        # Sphinx's toctree: the manual's contents, links to its other pages
        inner, inner_chars = len(list(el.iter("a"))), all_chars
    total = text_chars(el)
    # a marked block may carry its own title ("On this page"); a bare list is links only
    share = TOC_LINK_SHARE if name in _LISTS else MARKED_TOC_LINK_SHARE
    return inner >= 2 and total > 0 and inner_chars >= share * total


def _is_permalink(el: Any) -> bool:
    if _PERMALINK_CLASS.search(el.get("class", "")):
        return not el.get("href", "#").startswith("http") or text_chars(el) == 0
    if _PERMALINK_TITLE.match(el.get("title", "") or el.get("aria-label", "")):
        return el.get("href", "").startswith("#")
    text = "".join("".join(el.itertext()).split()).strip("\u200b")
    in_heading = any(localname(a) in _HEADINGS for a in el.iterancestors())
    return in_heading and el.get("href", "").startswith("#") and text in _PERMALINK_TEXT


def _in_sentence(el: Any) -> bool:
    """Text right before or after the element in its parent: it is part of a sentence."""
    previous = el.getprevious()
    parent = el.getparent()
    before = previous.tail if previous is not None else (parent.text if parent is not None else "")
    return bool((before or "").strip() or (el.tail or "").strip())


def _is_edit_link(el: Any) -> bool:
    href = el.get("href", "")
    edit = _EDIT_HREF.search(href) or _EDIT_CLASS.search(el.get("class", ""))
    return bool(edit) and not _in_sentence(el)


def _is_pagination(el: Any) -> bool:
    """Links to the neighbouring pages: most of the text, or every link of the block with a
    navigation `rel` (Texinfo's "Next: …, Previous: …, Up: … [Contents][Index]")."""
    links = list(el.iter("a"))
    rel = [a for a in links if a.get("rel", "") in ("prev", "next", "previous")]
    if not rel:
        return False
    if all(a.get("rel", "") in _NAVIGATION_RELS for a in links):
        return True
    _, _, link_chars = _link_stats(el)
    return link_chars >= PAGINATION_LINK_SHARE * text_chars(el)


def _generated_links(el: Any) -> bool:
    """A list of links only to the generator's own pages ("Index", "Module Index", "Search
    Page"): Sphinx's "Indices and tables"."""
    hrefs = [a.get("href", "") for a in el.iter("a", "{http://www.w3.org/1999/xhtml}a")]
    _, _, link_chars = _link_stats(el)
    return (
        bool(hrefs)
        and all(_GENERATED_PAGE.search(h.split("#", 1)[0]) for h in hrefs)
        and link_chars >= TOC_LINK_SHARE * text_chars(el)
    )


def _table_kind(el: Any) -> str | None:
    """A generator's index (Texinfo `index-cp`, Sphinx `indextable`) or node menu (Texinfo
    `menu`: the chapters below, as links) laid out as a table."""
    classes = el.get("class", "").split()
    if any(_INDEX_CLASS.match(c) for c in classes):
        return "index"
    if any("summary-letter" in a.get("class", "") for a in el.iter("a")):
        return "index"  # Texinfo's "Jump to: A B C …" above and below its index
    return "toc" if "menu" in classes and _link_stats(el)[0] >= 2 else None


def is_own_section(el: Any) -> bool:
    """A section named after its own heading (Sphinx: `<section id="comments"><h2>Comments`):
    document structure, whatever the name says."""
    ident = el.get("id", "")
    heading = next((c for c in el if localname(c) in _HEADINGS), None)
    if not ident or heading is None:
        return False
    # a section number ("1.1.13. Comments") is not part of the name
    slug = _SLUG.sub("-", _NUMBERING.sub("", "".join(heading.itertext()).lower())).strip("-_")
    return bool(slug) and _SLUG.sub("-", ident.lower()).strip("-") == slug


def chrome_kind(el: Any, name: str, main_ids: frozenset[str]) -> str | None:
    """The kind of page chrome el is (a `policy.KINDS` key), or None for content."""
    if name == "a":
        href = el.get("href", "")
        if _is_permalink(el):
            return "permalink"
        if href[:1] == "#" and (href[1:] in main_ids or _SKIP_LINK.search(_ident(el))):
            return "skip_link"
        return "edit_link" if _is_edit_link(el) else None
    if name == "table":
        return _table_kind(el)
    if name not in _CONTAINERS or is_own_section(el):
        return None
    ident = _ident(el)
    role = semantic_type(el)
    if _BREADCRUMBS.search(ident) or "breadcrumb" in role:
        return "breadcrumbs"
    if _COOKIE.search(ident):
        return "cookie"
    if is_toc(el, name) or "toc" in role.split():
        return "toc"
    if _PAGINATION.search(ident) or _is_pagination(el):
        return "pagination"
    if name == "nav" or "navigation" in role or (name in _LISTS and _generated_links(el)):
        return "navigation"
    if name == "footer":
        return "footer"
    names = f"{el.get('id', '')} {el.get('class', '')}"
    if name in ("aside", "div", "section") and _PROMO.search(names):
        return "promo"
    if name not in _LISTS and _COMMENTS.search(names):
        return "comments"
    return None


def is_footnotes(el: Any, name: str) -> bool:
    """A footnote or endnote body (or the block holding them), not the marker in the text."""
    if name in ("a", "sup", "span"):
        return False
    role = semantic_type(el)
    return bool(_FOOTNOTE_TYPES.search(role) or _FOOTNOTES.search(el.get("class", "")))
