"""What technical books are full of: version numbers, IP addresses, command-line options,
identifiers with digits, and file names espeak spells oddly.

espeak reads a dotted name ("os.path.join" → "O S dot path dot join"), a path ("/usr/share" →
"slash user slash share") and most file names ("setup.py" → "setup dot pie") well, so those are
left alone. It gets wrong: versions ("3.10.4" → "three point one zero point four"), IP
addresses, options ("--verbose" → "verbose"), digits after a hyphen in a name ("ISO-8859-1" →
"eight thousand …"), dunder names and a few extensions (".ipynb", ".yml", ".whl").
"""

from __future__ import annotations

import re
from typing import Final

from narration.pipeline.normalise.numbers import digits, pairs, part
from narration.pipeline.normalise.rule import Rule

# --- versions -----------------------------------------------------------------------------------
_VERSION_CUES: Final = frozenset(
    "version versions release releases v ver python linux kernel java node gcc perl ruby "
    "php go rust django debian ubuntu fedora macos ios android windows firefox chrome "
    "openssl tls ssl http unicode section sections figure fig table step part chapter "
    "equation eq listing example appendix rule item note".split()
)
_SUFFIXES: Final = {
    "rc": "R C",
    "a": "alpha",
    "alpha": "alpha",
    "b": "beta",
    "beta": "beta",
    "dev": "dev",
    "post": "post",
    "pre": "pre",
}
_VERSION: Final = re.compile(
    r"(?<![\w.,$£€¥/])(?<![\d\s]-)(?<!^-)(?P<v>[vV](?=\d))?(?P<n>\d+(?:\.\d+){1,4})"
    r"(?:[-.]?(?P<s>rc|alpha|beta|a|b|dev|post|pre)\.?(?P<sn>\d+)?)?(?![\w-]|\.\d)"
)
_PREV: Final = re.compile(r"([A-Za-z]+)\s$")


def version(numbers: str, suffix: str = "", suffix_number: str = "") -> str:
    """A version in words: "3.10.4" → "three point ten point four"."""
    said = " point ".join(part(p) for p in numbers.split("."))
    if suffix:
        said += f" {_SUFFIXES[suffix.lower()]}"
    if suffix_number:
        said += f" {part(suffix_number)}"
    return said


def ip_address(text: str) -> str:
    """An IPv4 address digit by digit: "10.0.0.1" → "one zero dot zero dot zero dot one"."""
    return " dot ".join(digits(p) for p in text.split("."))


def _version(m: re.Match[str]) -> str:
    numbers = m.group("n")
    pieces = numbers.split(".")
    if len(pieces) == 4 and all(int(p) <= 255 for p in pieces) and not m.group("v"):
        return ip_address(numbers)
    said = version(numbers, m.group("s") or "", m.group("sn") or "")
    if m.group("v"):
        return f"version {said}"
    if len(pieces) > 2 or m.group("s"):
        return said
    # Two parts are a decimal ("3.14") unless a version cue comes before ("Python 3.10").
    before = _PREV.search(m.string, max(0, m.start() - 16), m.start())
    if before is not None and before.group(1).lower() in _VERSION_CUES:
        return said
    return m.group(0)


# --- options, names ------------------------------------------------------------------------------
_OPTION: Final = re.compile(
    r"(?<![^\s(\[{\"'“‘|])(?P<d>--?)(?P<o>[A-Za-z][\w-]*)(?=[\s=,;:)\]'\"]|\.(?!\w)|$)"
)
_HYPHENATED: Final = re.compile(r"\b[A-Za-z][A-Za-z\d]*(?:-[A-Za-z\d]+)*-\d[\w-]*\b")
_DUNDER: Final = re.compile(r"(?<!\w)__(?P<name>[A-Za-z]\w*?)__(?!\w)")
_EXTENSIONS: Final = {"ipynb": "I P Y N B", "yml": "yammel", "whl": "wheel"}
_EXTENSION: Final = re.compile(r"(?<=\w)\.(?P<e>" + "|".join(_EXTENSIONS) + r")\b(?![.\w])")


def _option(m: re.Match[str]) -> str:
    dashes = "dash dash" if m.group("d") == "--" else "dash"
    return f"{dashes} {m.group('o')}"


def _hyphenated(m: re.Match[str]) -> str:
    # "ISO-8859-1", "x86-64": espeak reads "8859" as a count and "86-64" as "86 dash 64";
    # a name's four digits are read in pairs, as a model number is
    parts = m.group(0).split("-")
    return " ".join(pairs(p) if len(p) == 4 and p.isdigit() else p for p in parts)


# "RFC 4492", "ISO 9001": a standard's number is read in pairs, not as a count
_STANDARD: Final = re.compile(
    r"\b(?P<s>RFC|ISO|IEC|IEEE|ECMA|PEP|CVE)(?P<sep>[\s-])(?P<n>\d{4})\b(?!-\w)"
)
# "PKCS#11" is "PKCS 11"; "C#" and "F#" are languages
_HASH: Final = re.compile(r"\b(?:(?P<lang>[CF])#(?!\w)|(?<=[A-Za-z])#(?=\d))")
_IP_VERSION: Final = re.compile(r"\bIPv(?P<n>[46])\b")


RULES: Final[tuple[Rule, ...]] = (
    (_STANDARD, lambda m: f"{m.group('s')} {pairs(m.group('n'))}"),
    (_HASH, lambda m: f"{m.group('lang')} sharp" if m.group("lang") else " "),
    (_IP_VERSION, lambda m: f"I P v {m.group('n')}"),
    (_VERSION, _version),
    (_OPTION, _option),
    (_HYPHENATED, _hyphenated),
    (_DUNDER, lambda m: f"dunder {m.group('name')}"),
    (_EXTENSION, lambda m: f" dot {_EXTENSIONS[m.group('e')]}"),
)
