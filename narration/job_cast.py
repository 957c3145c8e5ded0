"""A script's cast, resolved and checked at submit, before anything is stored or queued.

`--cast "HOST=af_heart,GUEST=am_michael"` (or the `[cast]` table of the config file) names each
speaker's voice; `--narrator VOICE` gives the text outside any turn a voice of its own (speaker
`NARRATOR`). Every speaker the script has must have a voice, and every voice must be installed;
otherwise one line lists the speakers found and what is missing (exit 2, HTTP 400). A Japanese or
Chinese voice is refused in a cast as it is as a job's voice: its G2P is not here. All voices
of one cast are of one family with one sample rate: one engine kind renders the job and one
sample rate runs through its timeline (docs/SCRIPTS.md).

An SSML document's `<voice name="…">` elements cast it too: each name is its own speaker, read
by the voice of that name (or the one `--cast` gives the name), and the text outside them by
the job's voice, labelled with that voice's name (`NARRATOR` with `--narrator`). A cast names
voices of the catalogue, never a path, whatever surface it comes from.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from narration.engines.kokoro.voice import lacks_g2p
from narration.engines.voices import MODEL_SUFFIX, find_voice
from narration.errors import CastRefused, InputError
from narration.job_options import SubmitRequest
from narration.pipeline.cast import NARRATOR, outside_speaker
from narration.pipeline.document import Document
from narration.pipeline.engine import VoiceInfo
from narration.pipeline.ingest.script import is_script, speakers_of
from narration.settings import Settings

PATH_MARKS: Final = ("/", "\\", MODEL_SUFFIX)
"""What makes `find_voice` read a file: a cast may not name one."""
NO_G2P: Final = "voices that need Japanese or Chinese G2P, which this version does not have"


def parse_cast(text: str) -> dict[str, str]:
    """`SPEAKER=voice,...` as a mapping, in the order given."""
    cast: dict[str, str] = {}
    for item in text.split(","):
        if not item.strip():
            continue
        speaker, sign, voice = item.partition("=")
        speaker, voice = speaker.strip(), voice.strip()
        if not sign or not speaker or not voice:
            raise CastRefused(f"--cast: {item.strip()!r} is not SPEAKER=voice")
        cast[speaker] = voice
    return cast


def resolve_cast(
    settings: Settings, request: SubmitRequest, document: Document
) -> tuple[tuple[tuple[str, str], ...], SubmitRequest]:
    """The document's cast in order, and the request with the voice of the text outside any
    turn as its `voice`. A script's speakers come in order of their first turn, then NARRATOR;
    an SSML document's outside voice first, then its `voice` names. A document with neither
    has no cast and keeps its request."""
    if document.extra.get("format") == "ssml":
        return _ssml_cast(settings, request, document)
    if not is_script(document):
        return (), request
    given = parse_cast(request.cast or settings.cast)
    found = speakers_of(document)
    speakers = found or list(given)[:1]
    unvoiced = [speaker for speaker in speakers if speaker not in given]
    cast = {speaker: given[speaker] for speaker in speakers if speaker in given}
    if request.narrator:
        cast[NARRATOR] = request.narrator
    voices, missing = _installed(settings, cast)
    unspoken = _without_g2p(cast)
    if not speakers or unvoiced or missing or unspoken:
        raise CastRefused(
            f"script speakers: {', '.join(found) or 'none'}; "
            f"no voice in the cast for: {', '.join(unvoiced) or 'none'}; "
            f"voices not installed: {', '.join(missing) or 'none'}" + _no_g2p(unspoken)
        )
    _check_one_family(voices, "a cast's voices")
    return _with_outside(tuple(cast.items()), request)


def _ssml_cast(
    settings: Settings, request: SubmitRequest, document: Document
) -> tuple[tuple[tuple[str, str], ...], SubmitRequest]:
    names = speakers_of(document)
    if not names:
        return (), request
    given = parse_cast(request.cast)
    cast: dict[str, str] = {}
    if any(not speaker for chapter in document.chapters for speaker in chapter.speakers):
        voice = request.narrator or request.voice or settings.voice
        outside = NARRATOR if request.narrator else voice
        cast[outside] = voice
    cast.update((name, given.get(name, name)) for name in names)
    voices, missing = _installed(settings, cast)
    unspoken = _without_g2p(cast)
    if missing or unspoken:
        not_installed = f"; voices not installed: {', '.join(missing)}" if missing else ""
        raise CastRefused(
            f"SSML <voice> names: {', '.join(names)}{not_installed}{_no_g2p(unspoken)}"
        )
    _check_one_family(voices, "the voices of an SSML document (its <voice> names and the job's)")
    return _with_outside(tuple(cast.items()), request)


def _without_g2p(cast: dict[str, str]) -> list[str]:
    """The cast's installed voices that this version cannot speak (Japanese, Chinese)."""
    return [voice for voice in dict.fromkeys(cast.values()) if lacks_g2p(voice)]


def _no_g2p(voices: list[str]) -> str:
    return f"; {NO_G2P}: {', '.join(voices)}" if voices else ""


def _installed(settings: Settings, cast: dict[str, str]) -> tuple[dict[str, VoiceInfo], list[str]]:
    """The cast's voices found in the catalogue, and those that are not (or are paths); a
    voice without G2P here is neither (`_without_g2p`)."""
    voices: dict[str, VoiceInfo] = {}
    missing = []
    for voice in dict.fromkeys(cast.values()):
        if lacks_g2p(voice):
            continue
        try:
            if any(mark in voice for mark in PATH_MARKS):
                raise InputError(voice)
            voices[voice] = find_voice(voice, settings.voice_dirs)
        except InputError:
            missing.append(voice)
    return voices, missing


def _with_outside(
    pairs: tuple[tuple[str, str], ...], request: SubmitRequest
) -> tuple[tuple[tuple[str, str], ...], SubmitRequest]:
    outside = dict(pairs)[outside_speaker(pairs)]
    return pairs, replace(request, voice=outside)


def _check_one_family(voices: dict[str, VoiceInfo], what: str) -> None:
    kinds = {(voice.engine, voice.sample_rate) for voice in voices.values()}
    if len(kinds) > 1:
        listed = ", ".join(f"{name} ({v.engine}, {v.sample_rate} Hz)" for name, v in voices.items())
        raise CastRefused(f"{what} must be of one family and sample rate, not: {listed}")
