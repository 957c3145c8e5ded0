"""The options of a job, shared by `narrate submit` and `narrate run` (same names and defaults)."""

from __future__ import annotations

from typing import get_args, get_type_hints

import typer

from narration.errors import InputError
from narration.pipeline.ingest import ReadingOptions
from narration.pipeline.ingest.policy import DEFAULT_TABLE_MAX_ROWS

PATH = typer.Argument(..., help="Document path, - for stdin, or s3://bucket/key.")
VOICE = typer.Option("", "--voice", help="Voice name or .onnx path.")
FORMAT = typer.Option("", "--format", help="mp3, m4b, m4a, opus, ogg, flac or wav.")
TITLE = typer.Option("", "--title")
AUTHOR = typer.Option("", "--author")
LOUDNESS = typer.Option(None, "--loudness", help="Target LUFS (default -16).")
BITRATE = typer.Option("", "--bitrate", help="e.g. 64k, 128k.")
CHAPTERS = typer.Option("", "--chapters", help="Subset, e.g. 3-7 or 1,4.")
SPLIT_CHAPTERS = typer.Option(False, "--split-chapters", help="Also one file per chapter.")
COVER = typer.Option(None, "--cover", help="Cover image (JPEG or PNG).")
KEEP_FRONT_MATTER = typer.Option(
    False,
    "--keep-front-matter",
    help="Read everything: cover, contents, copyright page, licence.",
)
CODE = typer.Option("note", "--code", help="Code blocks: note (a short spoken note), skip or read.")
FOOTNOTES = typer.Option("skip", "--footnotes", help="Footnotes and endnotes: skip or read.")
TABLE_MAX_ROWS = typer.Option(
    DEFAULT_TABLE_MAX_ROWS,
    "--table-max-rows",
    min=0,
    help="Larger tables are skipped with a spoken note.",
)
LEXICON = typer.Option(
    [],
    "--lexicon",
    help="A stored pronunciation lexicon (`narrate lexicon put`); repeat for more, first wins.",
)
TEXT_TYPE = typer.Option(
    "", "--text-type", help="text or ssml (default: from the file name; .ssml is SSML)."
)
SPEED = typer.Option(1.0, "--speed", help="Speaking rate, 0.25 to 4 (1: the voice's own).")
ENGINE = typer.Option(
    "",
    "--engine",
    help="piper (onnxruntime, CPU workers) or torch (batched PyTorch workers); default: settings.",
)
MASTER = typer.Option(
    "podcast",
    "--master",
    help="Mastering preset: podcast (-16 LUFS MP3), acx (Audible: RMS -20 dB, 44.1 kHz 192k CBR "
    "MP3, one file per chapter), ebu (R128: -23 LUFS, 48 kHz WAV) or none (the rendered level).",
)
STRICT = typer.Option(False, "--strict", help="A failing compliance check fails the job.")
OPENING_CREDITS = typer.Option(
    "", "--opening-credits", help="Text read as the opening credits, a file of its own with acx."
)
CLOSING_CREDITS = typer.Option(
    "", "--closing-credits", help="Text read as the closing credits, a file of its own with acx."
)
RETAIL_SAMPLE = typer.Option(
    False, "--retail-sample", help="Also deliver a 1-5 minute excerpt (up to 3 min of chapter 1)."
)
INTRO = typer.Option(
    None,
    "--intro",
    help="Audio file (any format ffmpeg reads, up to 10 min) played before the first chapter, "
    "levelled to the narration.",
)
OUTRO = typer.Option(
    None, "--outro", help="Audio file played after the last chapter, like --intro."
)
SEED = typer.Option(
    0, "--seed", help="Mixed into every chunk's seed (0: none; the same text gives the same audio)."
)


def reading_options(code: str, footnotes: str, table_max_rows: int) -> ReadingOptions:
    """The blocks-that-are-not-prose policy from the command line, checked."""
    choices = {name: get_args(kind) for name, kind in get_type_hints(ReadingOptions).items()}
    for name, value in (("code", code), ("footnotes", footnotes)):
        if value not in choices[name]:
            raise InputError(f"--{name} must be one of {', '.join(choices[name])}, not {value!r}")
    return ReadingOptions(code=code, footnotes=footnotes, table_max_rows=table_max_rows)  # type: ignore[arg-type]
