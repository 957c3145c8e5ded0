"""The suspect rule on transcripts: homophones and spelling variants are no alarm, a name not
heard exactly always is, and a garbled stretch inside a long chunk is found although the
chunk's overall similarity stays high."""

from __future__ import annotations

import difflib

from narration.production.proofing.scoring import HeardWord, heard_words, score_chunk
from narration.production.proofing.vocabulary import in_dictionary, sound_key

LONG = (
    "The ferry to the island left twice a day, once at first light and once in the late "
    "afternoon, and the people who lived out there planned their lives around it without ever "
    "seeming to think about it, because the boat had always come and always would."
)


def heard(text: str) -> list[HeardWord]:
    return heard_words(
        [HeardWord(word, n * 0.3, n * 0.3 + 0.25) for n, word in enumerate(text.split())]
    )


def test_homophones_spelling_variants_and_numbers_are_no_alarm() -> None:
    scored = score_chunk(
        "Their right to write the colour grey, everyone said, cost $3 in 1944.",
        heard("There write to right the color gray, every one said, cost three dollars in 1944."),
    )
    assert (scored.score, scored.wer, scored.suspect) == (0.0, 0.0, False)


def test_a_word_outside_the_dictionary_not_heard_exactly_is_a_suspect() -> None:
    assert not in_dictionary("vrelthaxomir") and in_dictionary("captain")
    scored = score_chunk(
        "Captain Vrelthaxomir sailed north.", heard("Captain Vrelthaxamir sailed north.")
    )
    assert scored.suspect
    (run,) = scored.suspect_runs()
    assert run.unknown == ("vrelthaxomir",)
    assert not score_chunk(
        "Captain Vrelthaxomir sailed.", heard("Captain Vrelthaxomir sailed.")
    ).suspect


def test_a_slip_of_one_word_is_not_a_suspect() -> None:
    scored = score_chunk(LONG, heard(LONG.replace("twice", "thrice")))
    assert 0 < scored.score < 1 and not scored.suspect


def test_a_garbled_stretch_inside_a_long_chunk_is_a_suspect_though_the_chunk_is_similar() -> None:
    garbled = LONG.replace("planned their lives around it", "pan the lyres round")
    ratio = difflib.SequenceMatcher(None, LONG.split(), garbled.split()).ratio()
    assert ratio > 0.85  # a whole-chunk ratio would let it through
    scored = score_chunk(LONG, heard(garbled))
    assert scored.suspect
    (run,) = scored.suspect_runs()
    assert " ".join(scored.spoken[run.start : run.end]) == "planned their lives around it"


def test_a_short_chunk_misheard_whole_is_a_suspect() -> None:
    assert score_chunk("Chapter two.", heard("Cap ten")).suspect


def test_sound_keys_group_homophones() -> None:
    assert sound_key("knight") == sound_key("night")
    assert sound_key("knight") != sound_key("light")


def test_a_word_not_heard_at_all_is_a_suspect_but_a_dropped_article_is_not() -> None:
    assert score_chunk(LONG, heard(LONG.replace(" island ", " "))).suspect
    assert not score_chunk(LONG, heard(LONG.replace(" the island", " island"))).suspect


def test_a_word_heard_as_nothing_like_it_is_a_suspect_but_a_sound_alike_slip_is_not() -> None:
    assert score_chunk(LONG, heard(LONG.replace(" island ", " blue grey "))).suspect
    assert not score_chunk(LONG, heard(LONG.replace(" planned ", " planted "))).suspect
