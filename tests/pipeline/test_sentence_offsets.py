"""Sentence offsets through blingfire's library alone give what its package gives."""

from __future__ import annotations

from pathlib import Path

import blingfire
import pytest

from narration.pipeline.sentence_offsets import sentence_offsets

TEXTS = [
    " ",
    "One sentence.",
    "Dr. Smith went to Washington. He arrived at 5 p.m. on Monday! Did he stay? Yes.",
    "Ünïcödé café — naïve façade. 日本語の文です。次の文です。 Emoji 🎉 here. And “quotes.”",
    "¿Dónde está? ¡Aquí! «Voilà», dit-il. Fin.",
    "No end punctuation at all",
    "Trailing spaces.   \n\nNew paragraph.  ",
    "A.B.C. then a sentence. 3.14 is pi. e.g. this one.",
]


@pytest.mark.parametrize("text", TEXTS)
def test_the_offsets_are_blingfires(text: str) -> None:
    assert sentence_offsets(text) == blingfire.text_to_sentences_and_offsets(text)[1]


def test_a_long_document_splits_as_blingfire_splits_it() -> None:
    licence = Path("/usr/share/common-licenses/GPL-3")
    text = licence.read_text(encoding="utf-8") if licence.exists() else " ".join(TEXTS) * 200
    offsets = sentence_offsets(text)
    assert len(offsets) > 100
    assert offsets == blingfire.text_to_sentences_and_offsets(text)[1]


def test_no_text_has_no_sentences() -> None:
    assert sentence_offsets("") == []
