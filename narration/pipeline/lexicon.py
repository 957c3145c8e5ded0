"""Pronunciation lexicons (W3C PLS 1.0, as Polly takes them): what a word is said as.

A lexeme names one or more graphemes (the written word, matched whole and case-sensitively, as
written) and how to say them: an `<alias>` (other words, read by the voice as text) or a
`<phoneme>` in IPA. IPA is mapped onto the voice's own phoneme symbols when the lexicon is
applied to a job (`for_voice`); a symbol the voice has no sound for is refused, with the lexeme
named, rather than silently dropped by the engine. Lexicons listed for a job are applied in
order and the first match wins. A phoneme reaches Piper as a raw `[[ … ]]` block, which it
reads as phonemes, not text.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any, Final, Literal

from narration.errors import InputError

PLS_NAMESPACE: Final = "http://www.w3.org/2005/01/pronunciation-lexicon"
NAME_PATTERN: Final = re.compile(r"[0-9A-Za-z]{1,20}")
"""Lexicon names as Polly allows them: 1-20 letters and digits, case-sensitive."""
MAX_LEXICON_BYTES: Final = 100_000
MAX_JOB_LEXICONS: Final = 5
ALPHABETS: Final = frozenset(("ipa",))
PHONEME_OPEN: Final = "[["
PHONEME_CLOSE: Final = "]]"
PHONEME_BLOCK: Final = re.compile(r"(\[\[.*?\]\])")
_DROPPED: Final = frozenset("/[]{}.\u0361\u035c\u200d")
"""Delimiters, syllable dots and tie bars: IPA notation, not sounds."""
_EQUIVALENTS: Final = {
    "g": "ɡ",
    "ɡ": "g",
    "'": "ˈ",
    ",": "ˌ",
    "ʤ": "dʒ",
    "ʧ": "tʃ",
    "ʦ": "ts",
    "ʣ": "dz",
    "ɝ": "ɜː",
    "r": "ɹ",
    "ɹ": "r",
    ":": "ː",
}
"""Other spellings of a sound, tried when the voice lacks the symbol as written."""

Kind = Literal["alias", "phoneme"]


@dataclass(frozen=True)
class Lexeme:
    graphemes: tuple[str, ...]
    kind: Kind
    value: str

    @property
    def label(self) -> str:
        return self.graphemes[0]


@dataclass(frozen=True)
class Lexicon:
    """One or more lexicons merged in order; `apply` rewrites text with them."""

    lexemes: tuple[Lexeme, ...]
    language: str = ""
    alphabet: str = "ipa"

    @cached_property
    def _table(self) -> dict[str, Lexeme]:
        table: dict[str, Lexeme] = {}
        for lexeme in self.lexemes:
            for grapheme in lexeme.graphemes:
                table.setdefault(grapheme, lexeme)  # the first lexicon listed wins
        return table

    @cached_property
    def _pattern(self) -> re.Pattern[str] | None:
        if not self.lexemes:
            return None
        words = sorted(self._table, key=len, reverse=True)  # "New York" before "York"
        return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, words)) + r")(?!\w)")

    @property
    def content_hash(self) -> str:
        encoded = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False).encode()
        return hashlib.blake2b(encoded, digest_size=16).hexdigest()

    def apply(self, text: str) -> str:
        """The text with every whole-word grapheme replaced by its alias or phoneme block;
        phoneme blocks already in the text are left alone."""
        pattern = self._pattern
        if pattern is None:
            return text
        parts = PHONEME_BLOCK.split(text)
        return "".join(
            part if part.startswith(PHONEME_OPEN) else pattern.sub(self._say, part)
            for part in parts
        )

    def _say(self, match: re.Match[str]) -> str:
        return _say(self._table[match.group()])

    def to_dict(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "alphabet": self.alphabet,
            "lexemes": [[list(x.graphemes), x.kind, x.value] for x in self.lexemes],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Lexicon:
        lexemes = tuple(Lexeme(tuple(g), k, v) for g, k, v in data.get("lexemes", ()))
        return cls(lexemes, data.get("language", ""), data.get("alphabet", "ipa"))


def _say(lexeme: Lexeme) -> str:
    if lexeme.kind == "alias":
        return lexeme.value
    return f"{PHONEME_OPEN} {lexeme.value} {PHONEME_CLOSE}"


def check_name(name: str) -> str:
    if not NAME_PATTERN.fullmatch(name):
        raise InputError(
            f"invalid lexicon name {name!r}: use 1 to 20 letters and digits (A-Z, a-z, 0-9)"
        )
    return name


def parse_pls(content: bytes) -> Lexicon:
    """A PLS 1.0 document; InputError with the line, or the lexeme, for what is wrong."""
    if len(content) > MAX_LEXICON_BYTES:
        raise InputError(
            f"the lexicon is {len(content):,} bytes; the limit is {MAX_LEXICON_BYTES:,}"
        )
    # lxml is imported where a lexicon is parsed: `narrate submit` imports this module for
    # every job, and most name no lexicon (docs/BENCHMARKS.md, "CLI start-up").
    from lxml import etree

    try:
        root = etree.fromstring(content, _xml_parser())
    except etree.XMLSyntaxError as error:
        line, column = error.position
        raise InputError(
            f"the lexicon is not valid XML (line {line}, column {column}): {error.msg}"
        ) from None
    if root.tag != f"{{{PLS_NAMESPACE}}}lexicon":
        raise InputError(
            f'not a PLS lexicon: the root element must be <lexicon xmlns="{PLS_NAMESPACE}">'
        )
    alphabet = root.get("alphabet", "")
    language = root.get("{http://www.w3.org/XML/1998/namespace}lang", "")
    lexemes = [_lexeme(element, alphabet) for element in root.iter(f"{{{PLS_NAMESPACE}}}lexeme")]
    return Lexicon(tuple(lexemes), language, alphabet or "ipa")


@cache
def _xml_parser() -> Any:
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def _lexeme(element: Any, alphabet: str) -> Lexeme:
    from lxml import etree

    graphemes = tuple(
        " ".join((g.text or "").split()) for g in element.iter(f"{{{PLS_NAMESPACE}}}grapheme")
    )
    where = f"lexeme on line {element.sourceline}"
    if not graphemes or not all(graphemes):
        raise InputError(f"the {where} has no grapheme")
    where = f"lexeme {graphemes[0]!r} (line {element.sourceline})"
    for child in element:
        name = etree.QName(child).localname if isinstance(child.tag, str) else ""
        if name == "alias":
            alias = " ".join((child.text or "").split())
            if not alias:
                raise InputError(f"{where}: empty <alias>")
            return Lexeme(graphemes, "alias", alias)
        if name == "phoneme":
            used = child.get("alphabet", alphabet) or "ipa"
            if used.lower() not in ALPHABETS:
                raise InputError(f"{where}: alphabet {used!r} is not supported (use ipa)")
            phonemes = unicodedata.normalize("NFD", " ".join((child.text or "").split()))
            if not phonemes:
                raise InputError(f"{where}: empty <phoneme>")
            return Lexeme(graphemes, "phoneme", phonemes)
    raise InputError(f"{where} has neither <alias> nor <phoneme>")


def merge(lexicons: Sequence[Lexicon]) -> Lexicon:
    """Lexicons in the order given: for a grapheme in several, the first listed wins."""
    return Lexicon(tuple(x for lexicon in lexicons for x in lexicon.lexemes))


def for_voice(lexicon: Lexicon, symbols: Iterable[str], voice: str) -> Lexicon:
    """Phonemes rewritten in the voice's symbols; InputError naming the lexeme it cannot say."""
    known = frozenset(symbols)
    out = []
    for lexeme in lexicon.lexemes:
        if lexeme.kind == "phoneme":
            label = f"lexeme {lexeme.label!r}"
            lexeme = Lexeme(lexeme.graphemes, "phoneme", map_ipa(label, lexeme.value, known, voice))
        out.append(lexeme)
    return Lexicon(tuple(out), lexicon.language, lexicon.alphabet)


def map_ipa(label: str, ipa: str, known: frozenset[str], voice: str) -> str:
    """IPA in the voice's symbols; InputError naming `label` for a sound the voice lacks."""
    mapped = []
    for symbol in ipa:
        if symbol in _DROPPED:
            continue
        if symbol in known or symbol == " ":
            mapped.append(symbol)
            continue
        other = _EQUIVALENTS.get(symbol, "")
        if not other or not all(part in known for part in other):
            raise InputError(
                f"{label}: the voice {voice} has no sound for {symbol!r} "
                f"(U+{ord(symbol):04X}) in /{ipa}/"
            )
        mapped.append(other)
    return "".join(mapped).strip()
