"""Scripts with speakers: turns read from labels, chunks cast, a chain per speaker, and the
speaker shown in marks and captions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from narration import settings as settings_module
from narration.errors import InputError
from narration.job_cast import parse_cast, resolve_cast
from narration.job_options import validate
from narration.option_spec import Surface
from narration.pipeline import captions, prosody
from narration.pipeline.chunker import chunk_document, joined_text, spoken_text
from narration.pipeline.document import Document
from narration.pipeline.ingest import ReadingOptions, load_document
from narration.pipeline.plan import JobOptions, Plan, make_plan
from narration.settings import Settings

EPISODE = b"""# Episode 12: Small models

HOST: Welcome back to the show. Today we talk about small speech models.
GUEST: Thanks for having me. It is good to be here.
HOST: What makes a model small?

GUEST: Fewer parameters, mostly.
It also needs less memory.

A second paragraph of the same answer.
"""
CAST = (("HOST", "af_heart"), ("GUEST", "am_michael"))


def _episode(name: str = "episode.script.md", **reading: Any) -> Document:
    return load_document(EPISODE, name, options=ReadingOptions(**reading))


def test_every_labelled_line_starts_a_turn_and_the_label_is_not_read() -> None:
    document = _episode()
    (chapter,) = document.chapters
    assert chapter.speakers == ("HOST", "GUEST", "HOST", "GUEST", "GUEST")
    assert chapter.paragraphs[1] == "Thanks for having me. It is good to be here."
    assert "HOST:" not in spoken_text(document) and "GUEST" not in spoken_text(document)


def test_scripts_are_found_by_name_or_asked_for() -> None:
    assert not _episode("episode.md").chapters[0].speakers
    assert _episode("episode.md", script=True).chapters[0].speakers
    assert not _episode(script=False).chapters[0].speakers
    assert validate({"cast": "HOST=af_heart"}, Surface.SUBMIT).cast == "HOST=af_heart"


def test_a_turn_change_is_its_own_boundary_and_chunks_stay_lossless() -> None:
    document = _episode()
    chunks = chunk_document(document)
    assert joined_text(chunks) == spoken_text(document)
    assert [chunk.boundary_after for chunk in chunks] == [
        "turn", "turn", "turn", "turn", "paragraph", "chapter",
    ]  # fmt: skip
    assert [chunk.speaker for chunk in chunks] == ["", "HOST", "GUEST", "HOST", "GUEST", "GUEST"]


def test_the_cast_reads_every_chunk_and_the_first_speaker_reads_the_title() -> None:
    plan = make_plan("job", _episode(), JobOptions(voice="af_heart", cast=CAST), 100)
    assert [chunk.speaker for chunk in plan.chunks] == [
        "HOST", "HOST", "GUEST", "HOST", "GUEST", "GUEST",
    ]  # fmt: skip
    assert plan.chunks[0].boundary_after == "paragraph"  # the title and HOST's turn: one voice
    assert Plan.from_json(plan.to_json()) == plan
    narrated = make_plan(
        "job", _episode(), JobOptions(voice="bf_emma", cast=(*CAST, ("NARRATOR", "bf_emma"))), 100
    )
    assert narrated.chunks[0].speaker == "NARRATOR"
    assert narrated.chunks[0].boundary_after == "turn"


def test_each_speaker_keeps_its_own_chain_across_turns() -> None:
    pauses = dict(prosody.PAUSES_S)
    start = prosody.initial_state("af_heart")
    host = prosody.for_speaker(start, "HOST", "af_heart", pauses)
    host = prosody.advance(host, "Welcome back.", 1.0, -22.0, 2.0, 1.5)
    guest = prosody.for_speaker(host, "GUEST", "am_michael", pauses)
    assert (guest.voice, guest.chunks, guest.level_db) == ("am_michael", 0, 0.0)
    guest = prosody.advance(guest, "Thanks.", 0.5, -25.0, 5.0, 1.0)
    back = prosody.for_speaker(guest, "HOST", "af_heart", pauses)
    assert (back.voice, back.chunks, back.level_db, back.rate_cps) == (
        "af_heart", 1, host.level_db, host.rate_cps,
    )  # fmt: skip
    assert back.position_s == guest.position_s
    assert prosody.SessionState.from_dict(back.to_dict()) == back
    assert "speaker" not in start.to_dict()  # states without speakers, and keys, unchanged


def test_a_turn_pause_lies_between_the_sentence_and_paragraph_pauses() -> None:
    state = prosody.initial_state("af_heart")
    assert (
        prosody.pause_after(state, "sentence")
        < prosody.pause_after(state, "turn")
        < prosody.pause_after(state, "paragraph")
    )


def test_marks_and_captions_carry_the_speaker_label() -> None:
    text = "Welcome back. Thanks."
    sentences = [captions.Span(0.0, 1.0, 0, 13, "HOST"), captions.Span(1.4, 2.0, 14, 21, "GUEST")]
    marks = captions.speech_marks(text, sentences)
    lines = captions.to_jsonl(marks).splitlines()
    assert lines[1] == (
        '{"time":1400,"type":"sentence","start":14,"end":21,"value":"Thanks.","speaker":"GUEST"}'
    )
    vtt = captions.to_webvtt(captions.cues_from_spans(text, sentences))
    assert "<v HOST>Welcome back." in vtt and "<v GUEST>Thanks." in vtt
    plain = captions.to_jsonl(captions.speech_marks(text, [captions.Span(0.0, 1.0, 0, 13)]))
    assert "speaker" not in plain


def test_a_cast_is_parsed_and_a_bad_one_refused() -> None:
    assert parse_cast("HOST=af_heart, GUEST=am_michael") == dict(CAST)
    with pytest.raises(InputError, match="not SPEAKER=voice"):
        parse_cast("HOST")


def test_a_speaker_without_an_installed_voice_is_refused_in_one_line() -> None:
    request = validate({"cast": "HOST=af_heart,GUEST=zz_nobody"}, Surface.SUBMIT)
    with pytest.raises(InputError) as refused:
        resolve_cast(Settings(), request, _episode())
    message = str(refused.value)
    assert "\n" not in message
    assert "script speakers: HOST, GUEST" in message
    assert "voices not installed: zz_nobody" in message
    unvoiced = validate({"cast": "HOST=af_heart"}, Surface.SUBMIT)
    with pytest.raises(InputError, match="no voice in the cast for: GUEST"):
        resolve_cast(Settings(), unvoiced, _episode())


@pytest.mark.parametrize("voice", ["jf_alpha", "zm_yunxi"])
def test_a_japanese_or_chinese_voice_in_a_cast_is_refused_in_one_line(voice: str) -> None:
    request = validate({"cast": f"HOST=af_heart,GUEST={voice}"}, Surface.SUBMIT)
    with pytest.raises(InputError) as refused:
        resolve_cast(Settings(), request, _episode())
    assert str(refused.value) == (
        "script speakers: HOST, GUEST; no voice in the cast for: none; voices not installed: "
        f"none; voices that need Japanese or Chinese G2P, which this version does not have: {voice}"
    )
    cast = "HOST=af_heart,GUEST=am_michael"
    narrated = validate({"cast": cast, "narrator": voice}, Surface.SUBMIT)
    with pytest.raises(InputError, match=f"Japanese or Chinese G2P.*: {voice}$"):
        resolve_cast(Settings(), narrated, _episode())


def test_a_cast_of_two_families_is_refused() -> None:
    request = validate({"cast": "HOST=af_heart,GUEST=en_US-joe-medium"}, Surface.SUBMIT)
    with pytest.raises(InputError, match="one family and sample rate"):
        resolve_cast(Settings(), request, _episode())


def test_the_config_file_cast_table_is_the_default_cast(tmp_path: Path) -> None:
    config = tmp_path / "narration.toml"
    config.write_text('[cast]\nHOST = "af_heart"\nGUEST = "am_michael"\n')
    loaded = settings_module.load_settings(config, environ={})
    assert parse_cast(loaded.cast) == dict(CAST)


def test_a_document_in_spanish_is_read_by_a_spanish_voice() -> None:
    from narration.job_language import with_language

    document = load_document("Llamó al 112 ayer.".encode(), "carta.txt")
    request = validate({"language": "es"}, Surface.SUBMIT)
    spanish, chosen = with_language(Settings(), request, document)
    assert (spanish.language, chosen.voice) == ("es", "ef_dora")
    english, kept = with_language(Settings(), validate({}, Surface.SUBMIT), document)
    assert (english.language, kept.voice) == ("en", "")
    named = validate({"language": "es", "voice": "em_alex"}, Surface.SUBMIT)
    assert with_language(Settings(), named, document)[1].voice == "em_alex"
