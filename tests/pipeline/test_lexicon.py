"""Pronunciation lexicons: parsing PLS, whole-word replacement, voice mapping, plan and key."""

from __future__ import annotations

import pytest
from piper import PiperVoice

from narration.engines.voices import default_voice, phoneme_symbols
from narration.errors import InputError
from narration.pipeline.chunk_key import chunk_key
from narration.pipeline.document import Chapter, Document
from narration.pipeline.lexicon import check_name, for_voice, merge, parse_pls
from narration.pipeline.plan import JobOptions, make_plan
from narration.pipeline.prosody import initial_state
from narration.pipeline.render import engine_text


def pls(*lexemes: str, alphabet: str = "ipa") -> bytes:
    body = "\n".join(lexemes)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon"\n'
        f'  alphabet="{alphabet}" xml:lang="en-US">\n{body}\n</lexicon>\n'
    ).encode()


W3C = "<lexeme><grapheme>W3C</grapheme><alias>World Wide Web Consortium</alias></lexeme>"
TOMATO = "<lexeme><grapheme>tomato</grapheme><phoneme>təˈmɑːtoʊ</phoneme></lexeme>"
NEW_YORK = "<lexeme><grapheme>New York</grapheme><alias>the Big Apple</alias></lexeme>"
YORK = "<lexeme><grapheme>York</grapheme><alias>Yorvik</alias></lexeme>"


def test_aliases_and_phonemes_replace_whole_words_case_sensitively() -> None:
    lexicon = parse_pls(pls(W3C, TOMATO, NEW_YORK, YORK))
    assert (lexicon.language, len(lexicon.lexemes)) == ("en-US", 4)
    assert lexicon.apply("The W3C said so.") == "The World Wide Web Consortium said so."
    assert lexicon.apply("W3Cs and xW3C and w3c") == "W3Cs and xW3C and w3c"
    assert lexicon.apply("A tomato, in New York; York.") == (
        "A [[ təˈmɑːtoʊ ]], in the Big Apple; Yorvik."
    )


def test_the_first_lexicon_listed_wins() -> None:
    first = parse_pls(pls("<lexeme><grapheme>Bob</grapheme><alias>Robert</alias></lexeme>"))
    second = parse_pls(pls("<lexeme><grapheme>Bob</grapheme><alias>Bobby</alias></lexeme>"))
    assert merge([first, second]).apply("Hi Bob.") == "Hi Robert."
    assert merge([second, first]).apply("Hi Bob.") == "Hi Bobby."


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<lexicon", "not valid XML (line 1, column 9)"),
        (b"<lexicon/>", "not a PLS lexicon"),
        (pls("<lexeme><alias>x</alias></lexeme>"), "lexeme on line 4 has no grapheme"),
        (pls("<lexeme><grapheme>a</grapheme></lexeme>"), "lexeme 'a' (line 4) has neither"),
        (pls(TOMATO, alphabet="x-sampa"), "lexeme 'tomato' (line 4): alphabet 'x-sampa'"),
        (pls("<lexeme><grapheme>a</grapheme><alias> </alias></lexeme>"), "empty <alias>"),
    ],
)
def test_invalid_lexicons_are_refused_with_where(content: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_pls(content)


def test_names_are_letters_and_digits() -> None:
    assert check_name("Names2") == "Names2"
    for bad in ("", "a" * 21, "a-b", "../x", "a b"):
        with pytest.raises(InputError, match="invalid lexicon name"):
            check_name(bad)


def test_ipa_is_mapped_onto_the_voice_or_refused_with_the_lexeme_named() -> None:
    symbols = phoneme_symbols(default_voice())
    gif = "<lexeme><grapheme>gif</grapheme><phoneme>/ˈgɪf/</phoneme></lexeme>"
    church = "<lexeme><grapheme>church</grapheme><phoneme>ˈʧɝt͡ʃ</phoneme></lexeme>"
    written = parse_pls(pls(gif, church))
    mapped = for_voice(written, symbols, "joe")
    assert [x.value for x in mapped.lexemes] == ["ˈɡɪf", "ˈtʃɜːtʃ"]
    clicks = parse_pls(pls("<lexeme><grapheme>Xhosa</grapheme><phoneme>ǃ☺sa</phoneme></lexeme>"))
    with pytest.raises(InputError, match=r"lexeme 'Xhosa': the voice joe has no sound for '☺'"):
        for_voice(clicks, symbols, "joe")


def _document(*paragraphs: str) -> Document:
    return Document("Doc", (Chapter("Doc", paragraphs, title_spoken=False),))


def test_the_plan_gives_the_engine_the_rewritten_text_and_keys_only_what_changed() -> None:
    lexicon = parse_pls(pls(W3C))
    document = _document("The W3C met today.", "Nothing to change here.")
    plain = make_plan("job", document, JobOptions(voice="v"), 40)
    with_lexicon = make_plan("job", document, JobOptions(voice="v"), 40, lexicon)
    changed, same = with_lexicon.chunks
    assert changed.text == "The W3C met today."
    assert changed.spoken == "The World Wide Web Consortium met today."
    assert (
        changed.lexicon == lexicon.content_hash and with_lexicon.lexicon["hash"] == changed.lexicon
    )
    assert same == plain.chunks[1]  # untouched: same planned chunk, so the same cache key
    state = initial_state("v")
    assert same.variant == {} and plain.chunks[0].variant == {}
    key = chunk_key(changed.text, changed.boundary_after, state, "engine")
    assert key == chunk_key(changed.text, changed.boundary_after, state, "engine", same.variant)
    assert changed.variant == {"spoken": changed.spoken, "lexicon": lexicon.content_hash}
    assert key != chunk_key(changed.text, changed.boundary_after, state, "engine", changed.variant)
    other = parse_pls(pls(W3C, TOMATO))
    assert other.content_hash != lexicon.content_hash


def test_the_phoneme_ids_sent_to_the_engine_change() -> None:
    voice = PiperVoice.load(default_voice().path)
    symbols = phoneme_symbols(default_voice())

    def ids(text: str) -> list[int]:
        return [i for sentence in voice.phonemize(text) for i in voice.phonemes_to_ids(sentence)]

    lexicon = for_voice(parse_pls(pls(TOMATO, W3C)), symbols, "joe")
    plan = make_plan("job", _document("I like tomato soup. The W3C agrees."), JobOptions("v"), 40,
                     lexicon)  # fmt: skip
    (chunk,) = plan.chunks
    spoken = engine_text(chunk)
    assert spoken == "I like [[ təˈmɑːtoʊ ]] soup. The World Wide Web Consortium agrees."
    tomato_ids = voice.phonemes_to_ids(list("təˈmɑːtoʊ"))[1:-1]  # without BOS and EOS
    sent = ids(spoken)
    assert sent != ids(chunk.text)
    assert any(sent[i : i + len(tomato_ids)] == tomato_ids for i in range(len(sent)))
    alias_ids = ids("World Wide Web Consortium")[2:-2]  # without BOS/EOS and their pads
    assert any(sent[i : i + len(alias_ids)] == alias_ids for i in range(len(sent)))


def test_ssml_phonemes_are_mapped_onto_the_voice_or_refused_naming_the_text() -> None:
    from narration.pipeline.ingest import load_document
    from narration.pipeline.markup import phonemes_for_voice

    symbols = phoneme_symbols(default_voice())
    ssml = '<speak>A <phoneme alphabet="ipa" ph="ˈgɪf">gif</phoneme> file.</speak>'
    document = phonemes_for_voice(load_document(ssml.encode(), "a.ssml"), symbols, "joe")
    (chunk,) = make_plan("job", document, JobOptions("v"), 40).chunks
    assert engine_text(chunk) == "A [[ ˈɡɪf ]] file."
    bad = '<speak>A <phoneme alphabet="ipa" ph="☺">smile</phoneme>.</speak>'
    with pytest.raises(InputError, match="phoneme 'smile': the voice joe has no sound for '☺'"):
        phonemes_for_voice(load_document(bad.encode(), "a.ssml"), symbols, "joe")
