"""The options of a job, shared by `narrate submit` and `narrate run` (same names and defaults)."""

from __future__ import annotations

import typer

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
SEED = typer.Option(
    0, "--seed", help="Mixed into every chunk's seed (0: none; the same text gives the same audio)."
)
