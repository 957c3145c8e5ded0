"""The options of a job, declared once, and the one function that checks them.

Each option is a field of `SubmitRequest` whose spec (`OptionSpec`: help, allowed values,
bounds, the surfaces that show it) sits in the field's metadata, so an option is added in one
place. The CLI's `submit`, `run` and `inspect` flags, the native API's form fields, the console
form, the Polly and OpenAI mappings and the job record's options are built from these fields,
and `validate` turns the raw values of any surface into a checked `SubmitRequest` (an
`InputError` names the option as that surface spells it: exit 2, HTTP 400).

Light on purpose (standard library only): `narrate --help` reads it.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from narration.option_spec import (
    CLI,
    JOB_FORMS,
    READING,
    Option,
    Surface,
    option,
)


@dataclass(frozen=True)
class SubmitRequest:
    """The options of one submission, checked; empty ones take the settings' (`jobs`)."""

    voice: str = option(
        "",
        "Voice name or .onnx path.",
        JOB_FORMS
        | {Surface.INSPECT, Surface.CONSOLE, Surface.POLLY, Surface.OPENAI, Surface.RECORD},
        label="Voice",
        polly="VoiceId",
        openai="voice",
    )
    cast: str = option(
        "",
        "A script's voices, e.g. HOST=af_heart,GUEST=am_michael (default: the config file's cast).",
        JOB_FORMS | {Surface.CONSOLE},
        label="Cast",
    )
    narrator: str = option(
        "", "A script's voice for text outside any turn (default: the cast's first).", JOB_FORMS
    )
    language: str = option(
        "",
        "The document's language, e.g. es (default: its metadata); picks a voice without --voice.",
        JOB_FORMS | {Surface.INSPECT},
    )
    script: bool | None = option(
        None,
        "Read as a script with speakers (default: *.script.md/.txt, or with --cast).",
        READING,
    )
    format: str = option(
        "",
        "mp3, m4b, m4a, opus, ogg, flac or wav (default: settings).",
        JOB_FORMS | {Surface.CONSOLE, Surface.POLLY, Surface.OPENAI, Surface.RECORD},
        label="Format",
        polly="OutputFormat",
        openai="response_format",
    )
    title: str = option(
        "",
        "Title tag; overrides the document's.",
        JOB_FORMS | {Surface.CONSOLE, Surface.RECORD},
        label="Title",
    )
    author: str = option(
        "",
        "Author tag; overrides the document's.",
        JOB_FORMS | {Surface.CONSOLE, Surface.RECORD},
        label="Author",
    )
    output: str = option(
        "",
        "Place the audio at s3://bucket/key.",
        frozenset({Surface.SUBMIT, Surface.NATIVE, Surface.RECORD}),
        record="output_uri",
    )
    loudness: float | None = option(
        None,
        "Target LUFS (default -16).",
        JOB_FORMS | {Surface.RECORD},
        record="loudness_lufs",
    )
    bitrate: str = option("", "e.g. 64k, 128k.", JOB_FORMS | {Surface.RECORD})
    chapters: str = option(
        "",
        "Subset, e.g. 3-7 or 1,4.",
        JOB_FORMS | {Surface.CONSOLE, Surface.RECORD},
        label="Chapters",
    )
    split_chapters: bool = option(
        False,
        "Also one file per chapter.",
        JOB_FORMS | {Surface.CONSOLE, Surface.RECORD},
        label="Also one file per chapter",
    )
    seed: int = option(
        0,
        "Mixed into every chunk's seed (0: none; the same text gives the same audio).",
        JOB_FORMS | {Surface.RECORD},
    )
    speed: float = option(
        1.0,
        "Speaking rate, 0.25 to 4 (1: the voice's own).",
        JOB_FORMS | {Surface.RECORD},
        minimum=0.25,
        maximum=4.0,
    )
    hls: bool = option(
        False,
        "Grow an HLS playlist while it renders (listen while it renders).",
        JOB_FORMS | {Surface.RECORD},
        defaults={Surface.NATIVE: True, Surface.CONSOLE: True},
    )
    lexicons: tuple[str, ...] = option(
        (),
        "A stored pronunciation lexicon (`narrate lexicon put`); repeat for more, first wins.",
        CLI | {Surface.INSPECT, Surface.POLLY, Surface.RECORD},
        flag="--lexicon",
        polly="LexiconNames",
    )
    text_type: str = option(
        "",
        "text or ssml (default: from the file name; .ssml is SSML).",
        CLI | {Surface.INSPECT, Surface.POLLY},
        choices=("text", "ssml"),
        polly="TextType",
    )
    engine: str = option(
        "",
        "onnx (onnxruntime, CPU workers; alias piper) or torch (batched PyTorch workers, Piper "
        "voices); the voice picks its family. Default: settings.",
        CLI | {Surface.RECORD},
    )
    keep_front_matter: bool = option(
        False, "Read everything: cover, contents, copyright page, licence.", READING
    )
    code: str = option(
        "note",
        "Code blocks: note (a short spoken note), skip or read.",
        READING,
        choices=("note", "skip", "read"),
    )
    footnotes: str = option(
        "skip", "Footnotes and endnotes: skip or read.", READING, choices=("skip", "read")
    )
    tables: str = option(
        "note",
        "Tables over --table-max-rows: note (a short spoken note), skip or read (row by row).",
        READING,
        choices=("note", "skip", "read"),
    )
    table_max_rows: int = option(
        12, "Larger tables follow --tables (default: a spoken note).", READING, minimum=0
    )
    toc: str = option(
        "skip",
        "The document's own table of contents: skip or read (--keep-front-matter reads it).",
        READING,
        choices=("skip", "read"),
    )
    index: str = option(
        "skip", "A book's index (terms and page numbers): skip or read.", READING,
        choices=("skip", "read"),
    )  # fmt: skip
    master: str = option(
        "podcast",
        "Mastering preset: podcast (-16 LUFS MP3), acx (Audible: RMS -20 dB, 44.1 kHz 192k CBR "
        "MP3, one file per chapter), ebu (R128: -23 LUFS, 48 kHz WAV) or none (the rendered "
        "level).",
        JOB_FORMS | {Surface.RECORD},
    )
    strict: bool = option(
        False, "A failing compliance check fails the job.", JOB_FORMS | {Surface.RECORD}
    )
    opening_credits: str = option(
        "",
        "Text read as the opening credits, a file of its own with acx.",
        JOB_FORMS | {Surface.RECORD},
    )
    closing_credits: str = option(
        "",
        "Text read as the closing credits, a file of its own with acx.",
        JOB_FORMS | {Surface.RECORD},
    )
    retail_sample: bool = option(
        False,
        "Also deliver a 1-5 minute excerpt (up to 3 min of chapter 1).",
        JOB_FORMS | {Surface.RECORD},
    )
    proof: bool = option(
        False,
        "Proof every chunk by ear: a recogniser hears it, a misheard chunk is rendered again "
        "(up to 2 more takes) and suspects are listed (`narrate proof JOB`).",
        JOB_FORMS | {Surface.CONSOLE, Surface.RECORD},
        label="Proof-listen every chunk",
    )


@dataclass(frozen=True)
class FileInput:
    """A file given with a job: a path on the CLI, an upload on the native API."""

    name: str
    help: str


FILE_INPUTS: Final = (
    FileInput("cover", "Cover image (JPEG or PNG)."),
    FileInput(
        "intro",
        "Audio file (any format ffmpeg reads, up to 10 min) played before the first chapter, "
        "levelled to the narration.",
    ),
    FileInput("outro", "Audio file played after the last chapter, like --intro."),
)
"""Shown wherever the full options are (`JOB_FORMS`); each surface reads the files itself."""


def _options() -> tuple[Option, ...]:
    hints = typing.get_type_hints(SubmitRequest)
    return tuple(
        Option(item.name, hints[item.name], item.default, item.metadata["option"])
        for item in dataclasses.fields(SubmitRequest)
    )


OPTIONS: Final = _options()
"""Every option, in the order the surfaces show them."""


def options_on(surface: Surface) -> tuple[Option, ...]:
    return tuple(item for item in OPTIONS if surface in item.spec.surfaces)


def validate(raw: Mapping[str, Any], surface: Surface) -> SubmitRequest:
    """A checked `SubmitRequest` from the values a surface was given, by option name.

    A missing value, or None where the option cannot be None, takes the surface's default;
    strings are converted to the option's type. Raises `InputError` naming the option as the
    surface spells it.
    """
    unknown = set(raw) - {item.name for item in OPTIONS}
    if unknown:
        raise TypeError(f"not job options: {', '.join(sorted(unknown))}")
    values = {}
    for item in OPTIONS:
        value = raw.get(item.name)
        if value is None and (item.name not in raw or item.default is not None):
            value = item.default_on(surface)
        values[item.name] = item.value(value, surface)
    return SubmitRequest(**values)


def mapped(surface: Surface, fields: Mapping[str, Any]) -> dict[str, Any]:
    """Option values by option name from a Polly or OpenAI request's fields (`OptionSpec.polly`,
    `OptionSpec.openai`), for `validate`; the protocol's own value mappings come after."""
    foreign = {Surface.POLLY: "polly", Surface.OPENAI: "openai"}[surface]
    names = {getattr(item.spec, foreign): item.name for item in options_on(surface)}
    return {names[key]: value for key, value in fields.items() if key in names}
