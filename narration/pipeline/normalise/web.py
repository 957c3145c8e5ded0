"""Web addresses, read in a short form a listener can take in.

A URL is read as its host and a short path: the scheme ("https://"), the query ("?a=b"), the
fragment ("#top") and a trailing slash are left out, and a path of more than two parts or longer
than 24 characters is left out too ("https://docs.python.org/3/library/os.path.html" →
"docs.python.org"). espeak reads what is left ("docs dot python dot org"). An e-mail address is
read as written: espeak says "john dot doe at example dot com".
"""

from __future__ import annotations

import re
from typing import Final

from narration.pipeline.normalise.rule import Rule

MAX_PATH_PARTS: Final = 2
MAX_PATH_CHARS: Final = 24

_URL: Final = re.compile(r"\b(?:(?:https?|ftp)://|www\.)[^\s<>\"]*[\w/]")
_SCHEME: Final = re.compile(r"^(?:https?|ftp)://")
_QUERY: Final = re.compile(r"[?#].*$")


def short_url(url: str) -> str:
    """`url` as it is read: host and, when short, path; no scheme, query or fragment."""
    bare = _QUERY.sub("", _SCHEME.sub("", url)).rstrip("/")
    host, slash, path = bare.partition("/")
    if slash and (path.count("/") >= MAX_PATH_PARTS or len(path) > MAX_PATH_CHARS):
        return host
    return bare or url


RULES: Final[tuple[Rule, ...]] = ((_URL, lambda m: short_url(m.group(0))),)
