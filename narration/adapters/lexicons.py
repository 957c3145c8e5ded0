"""Pronunciation lexicons stored in the bucket, by name: `<prefix>/lexicons/<NAME>.pls`.

The one store behind `narrate lexicon put|get|list|delete`, `submit --lexicon` and the HTTP
service's PutLexicon/GetLexicon/ListLexicons/DeleteLexicon. A lexicon is checked (`parse_pls`)
before it is stored, so a stored lexicon always parses; putting a name again replaces it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from narration.adapters.object_store import ObjectStore
from narration.errors import InputError, LexiconNotFound, ObjectNotFound
from narration.pipeline.lexicon import (
    MAX_JOB_LEXICONS,
    Lexicon,
    check_name,
    merge,
    parse_pls,
)

SUFFIX: Final = ".pls"
CONTENT_TYPE: Final = "application/pls+xml"


@dataclass(frozen=True)
class LexiconAttributes:
    """What ListLexicons/GetLexicon report about a stored lexicon."""

    name: str
    language: str
    alphabet: str
    lexemes: int
    size: int


class LexiconStore:
    def __init__(self, objects: ObjectStore, prefix: str) -> None:
        self.objects = objects
        self.root = f"{prefix.strip('/')}/lexicons/" if prefix.strip("/") else "lexicons/"

    def _key(self, name: str) -> str:
        return f"{self.root}{check_name(name)}{SUFFIX}"

    def put(self, name: str, content: bytes) -> LexiconAttributes:
        """Check and store (or replace) a lexicon."""
        lexicon = parse_pls(content)
        self.objects.put_bytes(self._key(name), content, CONTENT_TYPE)
        return _attributes(name, lexicon, len(content))

    def get(self, name: str) -> bytes:
        try:
            return self.objects.get_bytes(self._key(name))
        except ObjectNotFound:
            raise LexiconNotFound(f"no lexicon {name!r}") from None

    def describe(self, name: str) -> LexiconAttributes:
        content = self.get(name)
        return _attributes(name, parse_pls(content), len(content))

    def names(self) -> list[str]:
        keys = self.objects.list_keys(self.root)
        return sorted(
            key[len(self.root) : -len(SUFFIX)]
            for key in keys
            if key.endswith(SUFFIX) and "/" not in key[len(self.root) :]
        )

    def list(self) -> list[LexiconAttributes]:
        return [self.describe(name) for name in self.names()]

    def delete(self, name: str) -> None:
        key = self._key(name)
        if not self.objects.exists(key):
            raise LexiconNotFound(f"no lexicon {name!r}")
        self.objects.delete_keys([key])

    def load(self, names: Sequence[str]) -> Lexicon:
        """The named lexicons merged in the order given (the first match wins)."""
        if len(names) > MAX_JOB_LEXICONS:
            raise InputError(f"at most {MAX_JOB_LEXICONS} lexicons per job, not {len(names)}")
        if len(set(names)) != len(names):
            raise InputError("a lexicon is named twice")
        return merge([parse_pls(self.get(name)) for name in names])


def _attributes(name: str, lexicon: Lexicon, size: int) -> LexiconAttributes:
    return LexiconAttributes(name, lexicon.language, lexicon.alphabet, len(lexicon.lexemes), size)
