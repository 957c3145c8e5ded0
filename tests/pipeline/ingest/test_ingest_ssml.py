"""SSML documents: each element of the subset, where chunks may be cut, and refusals."""

from __future__ import annotations

import pytest

from narration.errors import InputError
from narration.pipeline.chunker import MAX_CHUNK_CHARS
from narration.pipeline.document import Markup
from narration.pipeline.ingest import load_document
from narration.pipeline.plan import BREAK_RENDER_VERSION, JobOptions, PlannedChunk, make_plan
from narration.pipeline.say_as import say_as


def _plan(ssml: str) -> list[PlannedChunk]:
    document = load_document(ssml.encode(), "doc.ssml")
    return make_plan("job", document, JobOptions("v"), 40).chunks


def _markup(ssml: str) -> tuple[str, Markup]:
    chapter = load_document(ssml.encode(), "doc.ssml").chapters[0]
    markup = chapter.markup[0]
    assert markup is not None
    return chapter.paragraphs[0], markup


def test_paragraphs_and_sentences() -> None:
    document = load_document(
        b"<speak><p><s>One here</s><s>Two there.</s></p>\n<p>Three.</p> Four.</speak>", "doc.ssml"
    )
    assert document.extra["format"] == "ssml"
    assert document.chapters[0].paragraphs == ("One here Two there.", "Three.", "Four.")
    assert not document.chapters[0].title_spoken


def test_a_break_ends_a_chunk_and_sets_the_pause_after_it() -> None:
    chunks = _plan('<speak>Wait for it. <break time="2s"/> Now. And <break time="750ms"/>'
                   ' then.<break strength="x-strong"/></speak>')  # fmt: skip
    assert [(c.text, c.pause_s) for c in chunks] == [
        ("Wait for it.", 2.0),
        ("Now. And", 0.75),
        ("then.", 1.0),
    ]
    assert [c.boundary_after for c in chunks] == ["sentence", "clause", "chapter"]
    assert chunks[0].variant == {"pause_s": 2.0, "break_render": BREAK_RENDER_VERSION}


def test_a_break_between_paragraphs_belongs_to_the_end_of_the_one_before() -> None:
    chunks = _plan('<speak><p>First.</p><break time="3s"/><p><break time="1s"/>Second.</p></speak>')
    assert [(c.text, c.pause_s) for c in chunks] == [("First.", 4.0), ("Second.", None)]


def test_sub_phoneme_and_say_as_are_shown_as_written_and_said_as_marked_up() -> None:
    chunks = _plan(
        '<speak>The <sub alias="World Wide Web Consortium">W3C</sub> grows '
        '<phoneme alphabet="ipa" ph="təˈmɑːtoʊ">tomatoes</phoneme> in room '
        '<say-as interpret-as="characters">B12</say-as>.</speak>'
    )
    (chunk,) = chunks
    assert chunk.text == "The W3C grows tomatoes in room B12."
    assert chunk.spoken == "The World Wide Web Consortium grows [[ təˈmɑːtoʊ ]] in room B 1 2."


@pytest.mark.parametrize(
    ("text", "interpret_as", "fmt", "said"),
    [
        ("NASA", "spell-out", "", "N A S A"),
        ("1,234", "cardinal", "", "1234"),
        ("21", "ordinal", "", "21st"),
        ("112", "ordinal", "", "112th"),
        ("2024", "digits", "", "2 0 2 4"),
        ("+1 555-0100", "telephone", "", "plus, 1, 5 5 5, 0 1 0 0"),
        ("3/5/2024", "date", "mdy", "March 5th, 2024"),
        ("5.3.2024", "date", "dmy", "the 5th of March, 2024"),
        ("2024-03", "date", "ym", "March, 2024"),
    ],
)
def test_say_as(text: str, interpret_as: str, fmt: str, said: str) -> None:
    assert say_as(text, interpret_as, fmt) == said


def test_prosody_rate_gets_chunks_of_its_own() -> None:
    chunks = _plan('<speak>Normal words. <prosody rate="slow">Slow words here.</prosody> More '
                   '<prosody rate="150%">quick</prosody> text.</speak>')  # fmt: skip
    assert [(c.text, c.rate) for c in chunks] == [
        ("Normal words.", 1.0),
        ("Slow words here.", 0.8),
        ("More", 1.0),
        ("quick", 1.5),
        ("text.", 1.0),
    ]
    assert chunks[1].variant == {"rate": 0.8}


def test_marks_are_placed_in_their_chunk() -> None:
    text, markup = _markup('<speak><mark name="start"/>Hello <mark name="mid"/>world. '
                           'Bye.<mark name="end"/></speak>')  # fmt: skip
    assert text == "Hello world. Bye."
    assert markup.marks == ((0, "start"), (5, "mid"), (17, "end"))
    (chunk,) = _plan('<speak><mark name="start"/>Hello <mark name="mid"/>world.</speak>')
    assert chunk.marks == ((0, "start"), (5, "mid"))


def test_lang_is_read_with_a_warning() -> None:
    document = load_document(b'<speak>Hi <lang xml:lang="fr-FR">bonjour</lang>.</speak>', "a.ssml")
    assert document.chapters[0].paragraphs == ("Hi bonjour.",)
    assert len(document.warnings) == 1 and "fr-FR" in document.warnings[0]


def test_no_chunk_is_cut_inside_an_element() -> None:
    # one sentence without punctuation: as plain text it is cut at the last space that fits,
    # which here falls inside the element
    inner = "alpha beta gamma delta epsilon zeta eta theta"
    head, tail = " ".join(["filler"] * 40), " ".join(["after"] * 40)
    plain = load_document(f"{head} {inner} {tail}".encode(), "doc.txt")
    cut_plain = make_plan("job", plain, JobOptions("v"), 40).chunks
    assert not any(inner in c.text for c in cut_plain)  # the element's words are split
    chunks = _plan(f'<speak>{head} <sub alias="the Greek letters">{inner}</sub> {tail}</speak>')
    assert all(len(c.text) <= MAX_CHUNK_CHARS for c in chunks)
    (holding,) = [c for c in chunks if "alpha" in c.text]
    assert inner in holding.text and "the Greek letters" in holding.spoken


def test_the_same_text_as_plain_text_keeps_its_cache_key_fields() -> None:
    (ssml,) = _plan("<speak>Just a sentence.</speak>")
    assert ssml.variant == {}


@pytest.mark.parametrize(
    ("ssml", "message"),
    [
        ("<speak>Hi <b>there</b></speak>", "line 1, column 11): <b> is not supported"),
        ("<speak>\n  Hi <break time='2 sec'/>", "line 2, column 6): <break time='2 sec'>"),
        ("<speak>Hi <break time='20s'/></speak>", "longer than 10 s"),
        ("<speak>Hi <break strength='huge'/></speak>", "<break strength='huge'>"),
        ("<speak>\n<p>Hi</speak>", "line 2, column 8): mismatched tag"),
        ("<p>Hi</p>", "line 1, column 1): the root element must be <speak>"),
        ("<speak><sub>W3C</sub></speak>", "<sub> needs a alias attribute"),
        ("<speak><sub alias='x'><b>y</b></sub></speak>", "<b> inside <sub>"),
        ("<speak><phoneme alphabet='x-sampa' ph='a'>a</phoneme></speak>", "only ipa"),
        ("<speak><say-as interpret-as='ordinal'>first</say-as></speak>", "not a whole number"),
        ("<speak><say-as interpret-as='date' format='mdy'>3/40/2024</say-as></speak>", "no day"),
        ("<speak><prosody rate='900%'>x</prosody></speak>", "20%-200%"),
        ("<speak><p><p>x</p></p></speak>", "<p> inside <p>"),
        ('<!DOCTYPE speak [<!ENTITY a "aaaa">]><speak>&a;</speak>', "document type"),
        ("<speak><break/></speak>", "no speakable text"),
    ],
)
def test_invalid_ssml_is_refused_with_line_and_column(ssml: str, message: str) -> None:
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")) as info:
        load_document(ssml.encode(), "doc.ssml")
    assert "\n" not in str(info.value)


def test_text_type_ssml_and_plain_text_with_tags() -> None:
    raw = b'<speak>Hi <break time="1s"/> there.</speak>'
    assert load_document(raw, "notes.txt").chapters[0].paragraphs == (raw.decode(),)
    document = load_document(raw, "notes.txt", text_type="ssml")
    assert document.chapters[0].paragraphs == ("Hi there.",)
    with pytest.raises(InputError, match="--text-type must be text or ssml"):
        load_document(raw, "notes.txt", text_type="html")
