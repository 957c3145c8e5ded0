"""Word timings of the spoken text moved onto the written text: aliases, numbers, symbols."""

from __future__ import annotations

from narration.pipeline.chunk_meta import WordJson
from narration.pipeline.written_words import WRITTEN_WORD, onto_written


def _said(spoken: str) -> list[WordJson]:
    """One word a second, as an engine would time `spoken`."""
    return [
        {"text": m.group(), "start": m.start(), "end": m.end(), "start_s": n, "end_s": n + 0.8}
        for n, m in enumerate(WRITTEN_WORD.finditer(spoken))
    ]


def test_the_same_text_keeps_its_words() -> None:
    words = _said("The keeper counted ships.")
    assert onto_written("The keeper counted ships.", "The keeper counted ships.", words) == words


def test_an_alias_is_one_word_as_written_lasting_all_it_was_said_for() -> None:
    written = "The W3C met in Boston."
    moved = onto_written(
        written,
        "The World Wide Web Consortium met in Boston.",
        _said("The World Wide Web Consortium met in Boston."),
    )
    assert [w["text"] for w in moved] == ["The", "W3C", "met", "in", "Boston"]
    alias = moved[1]
    assert (alias["start"], alias["end"]) == (4, 7)
    assert (alias["start_s"], alias["end_s"]) == (1, 4.8)
    assert all(written[w["start"] : w["end"]] == w["text"] for w in moved)
    assert [w["start_s"] for w in moved] == sorted(w["start_s"] for w in moved)


def test_numbers_said_in_words_are_marked_as_the_number() -> None:
    written = "In 1999 the light cost £5."
    spoken = "In nineteen ninety-nine the light cost five pounds."
    moved = onto_written(written, spoken, _said(spoken))
    assert [w["text"] for w in moved] == ["In", "1999", "the", "light", "cost", "5"]
    assert moved[-1]["end_s"] == 7.8  # "pounds", said for the symbol, ends the last word


def test_a_phoneme_block_stands_for_its_word() -> None:
    written = "Ask Siobhan now."
    spoken = "Ask [[ ʃɪvˈɔːn ]] now."
    said: list[WordJson] = [
        {"text": "Ask", "start": 0, "end": 3, "start_s": 0.0, "end_s": 0.4},
        {"text": "ʃɪvˈɔːn", "start": 7, "end": 14, "start_s": 0.5, "end_s": 1.1},
        {"text": "now", "start": 18, "end": 21, "start_s": 1.2, "end_s": 1.5},
    ]
    moved = onto_written(written, spoken, said)
    assert [w["text"] for w in moved] == ["Ask", "Siobhan", "now"]
