"""`--write-lexicon`'s PLS file holds a lexeme for each written word to fix, and none for a
stretch heard where nothing was written (`lexicon put` refuses a lexeme without a grapheme)."""

from __future__ import annotations

from narration.production.proofing.report import Suspect, lexeme, pls_document


def suspect(word: str) -> Suspect:
    return Suspect(seq=0, word=word, heard="", time=0, text="", suggestion=lexeme(word))


def test_a_stretch_heard_where_nothing_was_written_gets_no_lexeme() -> None:
    written = pls_document([suspect("Vrelthaxomir"), suspect(""), suspect("Vrelthaxomir")])
    assert written.count("<lexeme>") == 1
    assert "<grapheme>Vrelthaxomir</grapheme>" in written
    assert "<grapheme></grapheme>" not in written
