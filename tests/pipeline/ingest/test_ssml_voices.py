"""SSML `<voice name>`: where it may stand, the speakers it gives paragraphs and chunks, the cast
it makes at submit, and what is refused there."""

from __future__ import annotations

import pytest

from narration.errors import InputError
from narration.job_cast import resolve_cast
from narration.job_options import validate
from narration.option_spec import Surface
from narration.pipeline.chunker import chunk_document
from narration.pipeline.document import Document
from narration.pipeline.ingest import load_document
from narration.pipeline.markup import phonemes_for_voice
from narration.pipeline.plan import JobOptions, make_plan
from narration.settings import Settings

DIALOGUE = """<speak>
  <p>The interview begins.</p>
  <voice name="am_michael"><p>Thank you for having me.</p><p>It is good to be here.</p></voice>
  <p>And the host <voice name="bf_emma">asks <break time="1s"/> a question</voice> back.</p>
</speak>"""


def _ssml(text: str) -> Document:
    return load_document(text.encode(), "dialogue.ssml")


def _cast(document: Document, **options: str) -> tuple[tuple[tuple[str, str], ...], str]:
    cast, request = resolve_cast(Settings(), validate(options, Surface.SUBMIT), document)
    return cast, request.voice


def test_a_voice_element_gives_its_paragraphs_its_name_and_splits_a_paragraph() -> None:
    (chapter,) = _ssml(DIALOGUE).chapters
    assert chapter.paragraphs == (
        "The interview begins.",
        "Thank you for having me.",
        "It is good to be here.",
        "And the host",
        "asks a question",
        "back.",
    )
    assert chapter.speakers == ("", "am_michael", "am_michael", "", "bf_emma", "")
    assert chapter.markup[4] is not None and chapter.markup[4].breaks == ((4, 1.0),)
    voiced = phonemes_for_voice(_ssml(DIALOGUE), ["a"], "af_heart")  # as submit maps phonemes
    assert voiced.chapters[0].speakers == chapter.speakers


def test_ssml_without_a_voice_element_has_no_speakers_and_no_cast() -> None:
    document = _ssml("<speak><p>One voice.</p><p>All along.</p></speak>")
    assert document.chapters[0].speakers == ()
    assert _cast(document, voice="af_heart") == ((), "af_heart")


@pytest.mark.parametrize(
    ("ssml", "refusal"),
    [
        ('<speak><voice name="a"><voice name="b">x</voice></voice></speak>', "inside <voice>"),
        ('<speak><p><s>A <voice name="a">b</voice></s></p></speak>', "<voice> inside <s>"),
        ('<speak><p><voice name="a"><p>x</p></voice></p></speak>', "<p> inside <voice>"),
        ("<speak><voice>x</voice></speak>", "<voice> needs a name attribute"),
        ('<speak><voice name=" ">x</voice></speak>', "<voice> needs a name attribute"),
    ],
)
def test_a_misplaced_or_nameless_voice_is_refused_with_its_place(ssml: str, refusal: str) -> None:
    with pytest.raises(InputError, match="line 1, column") as refused:
        _ssml(ssml)
    assert refusal in str(refused.value)


def test_each_voice_is_a_speaker_and_the_outside_text_the_jobs_voice() -> None:
    document = _ssml(DIALOGUE)
    cast, voice = _cast(document, voice="af_heart")
    assert cast == (("af_heart", "af_heart"), ("am_michael", "am_michael"), ("bf_emma", "bf_emma"))
    assert voice == "af_heart"
    chunks = make_plan("job", document, JobOptions(voice=voice, cast=cast), 100).chunks
    assert [(chunk.text, chunk.speaker) for chunk in chunks] == [
        ("The interview begins.", "af_heart"),
        ("Thank you for having me.", "am_michael"),
        ("It is good to be here.", "am_michael"),
        ("And the host", "af_heart"),
        ("asks", "bf_emma"),
        ("a question", "bf_emma"),
        ("back.", "af_heart"),
    ]
    assert [chunk.boundary_after for chunk in chunks][:4] == [
        "turn", "paragraph", "turn", "turn",
    ]  # fmt: skip


def test_a_narrator_reads_the_outside_text_and_a_cast_may_rename_a_voice() -> None:
    document = _ssml(DIALOGUE)
    cast, voice = _cast(document, voice="af_heart", narrator="af_sky")
    assert cast[0] == ("NARRATOR", "af_sky") and voice == "af_sky"
    aliased = _ssml(
        '<speak><voice name="HOST">Hello.</voice><voice name="GUEST">Hi.</voice></speak>'
    )
    cast, voice = _cast(aliased, voice="af_heart", cast="HOST=af_heart,GUEST=am_michael")
    assert cast == (("HOST", "af_heart"), ("GUEST", "am_michael"))  # no text outside a voice
    assert voice == "af_heart"
    assert [chunk.speaker for chunk in chunk_document(aliased)] == ["HOST", "GUEST"]


@pytest.mark.parametrize("name", ["zz_nobody", "/etc/passwd", "../voices/x.onnx"])
def test_a_voice_that_is_not_installed_is_refused_in_one_line(name: str) -> None:
    document = _ssml(f'<speak>Hello. <voice name="{name}">Hi.</voice></speak>')
    with pytest.raises(InputError) as refused:
        _cast(document, voice="af_heart")
    message = str(refused.value)
    assert "\n" not in message
    assert message == f"SSML <voice> names: {name}; voices not installed: {name}"


@pytest.mark.parametrize("name", ["jf_alpha", "zf_xiaoxiao"])
def test_a_japanese_or_chinese_voice_is_refused_in_one_line(name: str) -> None:
    document = _ssml(f'<speak>Hello. <voice name="{name}">Hi.</voice></speak>')
    with pytest.raises(InputError) as refused:
        _cast(document, voice="af_heart")
    assert str(refused.value) == (
        f"SSML <voice> names: {name}; voices that need Japanese or Chinese G2P, which this "
        f"version does not have: {name}"
    )
    cast = _ssml('<speak>Hello. <voice name="GUEST">Hi.</voice></speak>')
    with pytest.raises(InputError, match=f"voices not installed: zz_nobody; .*G2P.*: {name}$"):
        _cast(cast, voice=name, cast="GUEST=zz_nobody")


def test_a_voice_of_another_family_is_refused() -> None:
    document = _ssml('<speak>Hello. <voice name="am_michael">Hi.</voice></speak>')
    with pytest.raises(InputError, match="one family and sample rate") as refused:
        _cast(document, voice="en_US-joe-medium")
    assert "en_US-joe-medium (piper, 22050 Hz)" in str(refused.value)
    assert "am_michael (kokoro, 24000 Hz)" in str(refused.value)
    inside = _ssml('<speak><voice name="am_michael">Hi.</voice></speak>')
    assert _cast(inside, voice="en_US-joe-medium")[1] == "am_michael"  # joe reads nothing
