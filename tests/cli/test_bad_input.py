"""Bad input through the real CLI: one clear line on stderr, exit code 2, nothing stored touched.

Every refusal here is listed, with its exact message, in docs/BAD_INPUT.md. Cases that only read
a document use `narrate inspect` without the stack; cases that `submit` use the test stack so
that an early refusal is proven to happen before anything is written.
"""

from __future__ import annotations

import ctypes
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from narration.connections import Services
from narration.pipeline.chunker import MAX_CHUNK_CHARS
from narration.settings import Settings
from tests.conftest import ROOT, narrate
from tests.pipeline.ingest.office import PdfPage, build_pdf

EXIT_BAD_INPUT = 2
SMALL_TEXT = "A small document. It has two sentences.\n"
MB50 = 50_000_000
DEFAULT_LIMIT = 20_000_000


@pytest.fixture(scope="module")
def local_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment for commands that need no stack (`inspect` of a local file, option checks)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NARRATION_")}
    return {**clean, "NARRATION_HOME": str(tmp_path_factory.mktemp("no-stack-home"))}


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("small") / "small.txt"
    path.write_text(SMALL_TEXT)
    return path


def assert_refused(result: subprocess.CompletedProcess[str], expected: str) -> None:
    """Exit 2, nothing on stdout, and exactly `error: <expected>` on stderr."""
    assert result.returncode == EXIT_BAD_INPUT, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [f"error: {expected}"]
    assert result.stdout == ""


def inspect_json(env: dict[str, str], *args: str, stdin: bytes | None = None) -> dict:
    result = narrate(env, "inspect", *args, "--json", "--chunks", stdin=stdin)
    assert result.returncode == 0, result.stderr
    report: dict = json.loads(result.stdout)
    return report


def all_chunks(report: dict) -> list[dict]:
    return [chunk for chapter in report["chapters"] for chunk in chapter["chunks"]]


# --- documents that are not readable text ---------------------------------------------------


def test_empty_file(local_env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert_refused(narrate(local_env, "inspect", str(path)), f"{path} is empty")


def test_whitespace_only(local_env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "blank.txt"
    path.write_text("  \n\t\n\n   \r\n")
    assert_refused(narrate(local_env, "inspect", str(path)), f"{path} is empty")


def test_empty_stdin(local_env: dict[str, str]) -> None:
    assert_refused(narrate(local_env, "inspect", "-", stdin=b""), "the input is empty")


def test_binary_file(local_env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "random.txt"
    path.write_bytes(bytes(range(256)) * 8)
    assert_refused(
        narrate(local_env, "inspect", str(path)),
        "the file is binary (it contains NUL bytes); UTF-16 text needs a byte-order mark",
    )


def test_image_named_txt(local_env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "picture.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    assert_refused(
        narrate(local_env, "inspect", str(path)), f"{path} is a PNG image, not a text document"
    )


def test_invalid_utf8(local_env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("café au lait\n".encode("latin-1"))
    assert_refused(
        narrate(local_env, "inspect", str(path)),
        "the file is not valid UTF-8 (byte 3); re-save it as UTF-8",
    )


def test_unsupported_extension(local_env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "report.odt"
    path.write_bytes(b"PK\x03\x04")
    assert_refused(
        narrate(local_env, "inspect", str(path)),
        "unsupported document type '.odt' (supported: .docx, .epub, .htm, .html, .markdown, "
        ".md, .mdown, .pdf, .ssml, .text, .txt, .xhtml)",
    )


def test_scanned_pdf(local_env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(build_pdf([PdfPage(image_only=True)] * 2))
    assert_refused(
        narrate(local_env, "inspect", str(path)),
        "the PDF has no text layer (a scanned document?); run OCR on it first",
    )


def test_invalid_ssml(local_env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "story.ssml"
    path.write_text("<speak>\n  Hello <emphasis>there</emphasis>.\n</speak>\n")
    assert_refused(
        narrate(local_env, "inspect", str(path)),
        "invalid SSML (line 2, column 9): <emphasis> is not supported (speak, p, s, break, sub, "
        "phoneme, say-as, prosody, mark, lang, voice)",
    )
    broken = tmp_path / "broken.txt"
    broken.write_text("<speak>\n<p>Hello</speak>\n")
    assert_refused(
        narrate(local_env, "inspect", str(broken), "--text-type", "ssml"),
        "invalid SSML (line 2, column 11): mismatched tag",
    )


def test_encrypted_pdf(local_env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "secret.pdf"
    path.write_bytes(build_pdf([PdfPage(lines=["Hidden words."])], encrypt="secret"))
    assert_refused(
        narrate(local_env, "inspect", str(path)),
        "the PDF is encrypted; save an unprotected copy",
    )


def test_punctuation_only(local_env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "marks.txt"
    path.write_text("!!! ... ??? ,,, ;;; --- *** ...\n\n(( )) [] {}\n")
    assert_refused(narrate(local_env, "inspect", str(path)), f"{path} has no speakable text")


# --- paths that cannot be read ----------------------------------------------------------------


def test_missing_path(local_env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "nowhere.txt"
    assert_refused(narrate(local_env, "inspect", str(path)), f"{path}: no such file")


def test_path_through_a_file(local_env: dict[str, str], small: Path) -> None:
    path = small / "inside.txt"
    assert_refused(narrate(local_env, "inspect", str(path)), f"{path}: no such file")


def test_directory(local_env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "chapters.txt"
    path.mkdir()
    assert_refused(
        narrate(local_env, "inspect", str(path)), f"{path} is a directory, not a document"
    )


def _drop_file_read_override() -> None:
    """Run as root without CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH, so mode 000 really denies.

    Dropping them from the bounding set (prctl PR_CAPBSET_DROP) takes them from the exec'd
    program too; unlike switching to `nobody`, the interpreter under /root stays reachable.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _narrate_unprivileged(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "narration.cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        preexec_fn=_drop_file_read_override if os.geteuid() == 0 else None,
    )


@pytest.mark.parametrize("where", ["file", "directory"])
def test_unreadable(local_env: dict[str, str], tmp_path: Path, where: str) -> None:
    """Mode 000 on the file, or on the directory holding it (stat itself is then denied)."""
    path = tmp_path / "locked.txt"
    path.write_text(SMALL_TEXT)
    locked = path if where == "file" else tmp_path
    locked.chmod(0)
    try:
        result = _narrate_unprivileged(local_env, "inspect", str(path))
    finally:
        locked.chmod(0o700 if where == "directory" else 0o600)
    if result.returncode != EXIT_BAD_INPUT and os.geteuid() == 0 and "prctl" in result.stderr:
        pytest.skip(f"cannot drop root's file capabilities here: {result.stderr.strip()}")
    assert_refused(result, f"{path}: permission denied")


@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="needs Linux /proc")
def test_read_error(local_env: dict[str, str]) -> None:
    """/proc/self/mem stats as a regular file but reading offset 0 fails with EIO, even as root."""
    assert_refused(
        narrate(local_env, "inspect", "/proc/self/mem"),
        "/proc/self/mem: cannot read (Input/output error)",
    )


def test_fifo_without_writer(local_env: dict[str, str], tmp_path: Path) -> None:
    """A named pipe nobody writes to must not hang the CLI."""
    path = tmp_path / "pipe.txt"
    os.mkfifo(path)
    assert_refused(
        narrate(local_env, "inspect", str(path), timeout=60),
        f"{path} is not a regular file and nothing was written to it",
    )


def test_process_substitution_is_read(local_env: dict[str, str]) -> None:
    """Non-regular files with a writer (`narrate inspect <(cmd)`) stay usable."""
    read, write = os.pipe()
    os.write(write, SMALL_TEXT.encode())
    os.close(write)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "narration.cli.main", "inspect", f"/dev/fd/{read}", "--json"],
            env=local_env,
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
            pass_fds=(read,),
        )
    finally:
        os.close(read)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["chunks_total"] == 1


@pytest.mark.parametrize("name", ["[/red]notes.txt", "[bold]notes.txt"])
def test_markup_in_path_is_shown_verbatim(
    local_env: dict[str, str], tmp_path: Path, name: str
) -> None:
    path = tmp_path / name
    assert_refused(narrate(local_env, "inspect", str(path)), f"{path}: no such file")


# --- the size limit -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def text_50mb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """50 MB of ordinary prose in paragraphs of about 10 KB."""
    paragraph = "The quick brown fox jumps over the lazy dog, and then it rests. " * 160 + "\n\n"
    path = tmp_path_factory.mktemp("big") / "big.txt"
    with path.open("w") as out:
        for _ in range(MB50 // len(paragraph) + 1):
            out.write(paragraph)
    return path


def test_50mb_file_refused_by_default_limit(local_env: dict[str, str], text_50mb: Path) -> None:
    size = text_50mb.stat().st_size
    started = time.monotonic()
    result = narrate(local_env, "inspect", str(text_50mb))
    assert_refused(
        result,
        f"{text_50mb} is {size:,} bytes; the limit is {DEFAULT_LIMIT:,} (setting max_input_bytes)",
    )
    assert time.monotonic() - started < 30  # refused from its size, never read


def test_50mb_stdin_refused_by_default_limit(local_env: dict[str, str], text_50mb: Path) -> None:
    result = narrate(local_env, "inspect", "-", stdin=text_50mb.read_bytes())
    assert_refused(result, f"input is over {DEFAULT_LIMIT:,} bytes (setting max_input_bytes)")


def test_limit_from_config_file(local_env: dict[str, str], small: Path, tmp_path: Path) -> None:
    config = tmp_path / "tight.toml"
    config.write_text("[narration]\nmax_input_bytes = 10\n")
    size = small.stat().st_size
    assert_refused(
        narrate(local_env, "--config", str(config), "inspect", str(small)),
        f"{small} is {size:,} bytes; the limit is 10 (setting max_input_bytes)",
    )


def test_50mb_accepted_when_limit_raised(local_env: dict[str, str], text_50mb: Path) -> None:
    env = {**local_env, "NARRATION_MAX_INPUT_BYTES": str(60_000_000)}
    result = narrate(env, "inspect", str(text_50mb), "--json", timeout=400)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["chars"] > 49_000_000
    assert report["chunks_total"] > MB50 // MAX_CHUNK_CHARS


# --- legitimate but unusual text ------------------------------------------------------------


def test_long_run_without_punctuation(local_env: dict[str, str], tmp_path: Path) -> None:
    words = [f"word{n % 97}" for n in range(1000)]
    text = " ".join(words)[:5000].rsplit(" ", 1)[0]
    assert len(text) > 4900
    path = tmp_path / "run.txt"
    path.write_text(text + "\n")
    report = inspect_json(local_env, str(path))
    chunks = all_chunks(report)
    assert len(chunks) == report["chunks_total"] >= 5000 // MAX_CHUNK_CHARS
    assert all(0 < len(c["text"]) <= MAX_CHUNK_CHARS for c in chunks)
    assert " ".join(c["text"] for c in chunks).split() == text.split()  # cut at spaces only


def test_markup_in_txt_is_read_as_text(local_env: dict[str, str], tmp_path: Path) -> None:
    source = '<speak><break time="10s"/>Hello</speak>\n\n<script>alert(1)</script> & more.\n'
    path = tmp_path / "ssml.txt"
    path.write_text(source)
    for args, stdin in (((str(path),), None), (("-",), source.encode())):
        report = inspect_json(local_env, *args, stdin=stdin)
        texts = [c["text"] for c in all_chunks(report)]
        assert texts == [
            '<speak><break time="10s"/>Hello</speak>',
            "<script>alert(1)</script> & more.",
        ]


INTERNATIONAL = """# Around the World

Hello 😀 world, this line has an emoji 🎉 in it.

你好世界。这是中文。

שלום עולם. זה טקסט בעברית.

مرحبا بالعالم.
"""


def test_international_text_is_kept(local_env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "world.md"
    path.write_text(INTERNATIONAL)
    spoken = " ".join(c["text"] for c in all_chunks(inspect_json(local_env, str(path))))
    for fragment in ("😀", "你好世界。", "שלום עולם.", "مرحبا بالعالم."):
        assert fragment in spoken


def test_international_text_with_an_english_voice(
    stack_env: dict[str, str], tmp_path: Path
) -> None:
    """Legitimate input the default voice cannot speak well: the job narrates what it can."""
    path = tmp_path / "world.md"
    path.write_text(INTERNATIONAL)
    result = narrate(stack_env, "submit", str(path), "--wait", "--json", "--format", "wav")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["status"] == "succeeded", record.get("error")
    assert record["audio_seconds"] > 1


def test_100k_one_word_paragraphs(local_env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "words.txt"
    path.write_text("\n\n".join(f"word{n}" for n in range(100_000)) + "\n")
    started = time.monotonic()
    result = narrate(local_env, "inspect", str(path), "--json", timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["chunks_total"] == 100_000
    assert time.monotonic() - started < 30


# --- bad options ------------------------------------------------------------------------------


def test_unknown_voice(stack_env: dict[str, str], small: Path) -> None:
    assert_refused(
        narrate(stack_env, "submit", str(small), "--voice", "nobody"),
        "unknown voice 'nobody'; available: en_US-joe-medium (searched: no voice dirs "
        "configured). Pass a voice name or a path to a Piper .onnx model with its .onnx.json "
        "beside it.",
    )


def test_voice_path_that_does_not_exist(stack_env: dict[str, str], small: Path) -> None:
    assert_refused(
        narrate(stack_env, "submit", str(small), "--voice", "/nowhere/voice.onnx"),
        "voice model not found: /nowhere/voice.onnx",
    )


def test_unknown_format(stack_env: dict[str, str], small: Path) -> None:
    assert_refused(
        narrate(stack_env, "submit", str(small), "--format", "xyz"),
        "unknown format 'xyz'; choose one of mp3, m4b, m4a, opus, ogg, flac, wav",
    )


@pytest.mark.parametrize("value", ["3", "-100"])
def test_loudness_out_of_range(stack_env: dict[str, str], small: Path, value: str) -> None:
    assert_refused(
        narrate(stack_env, "submit", str(small), "--loudness", value),
        f"loudness target {float(value)} LUFS is outside -40..-5",
    )


def test_loudness_not_a_number(stack_env: dict[str, str], small: Path) -> None:
    """A parse error from the option parser: usage plus the reason, exit 2, no traceback."""
    result = narrate(stack_env, "submit", str(small), "--loudness", "loud")
    assert result.returncode == EXIT_BAD_INPUT
    assert "Traceback" not in result.stderr
    assert "Invalid value for '--loudness'" in result.stderr


UNSAFE_KEY = (
    "use letters, digits, '.', '_', '-' and '/', no '..', no leading '/', no control characters"
)


@pytest.mark.parametrize(
    ("output", "message"),
    [
        ("s3://narration/../escape.mp3", "unsafe object key in 's3://narration/../escape.mp3'"),
        ("s3://narration/a/../../b.mp3", "unsafe object key in 's3://narration/a/../../b.mp3'"),
        ("s3://narration//etc/passwd", "unsafe object key in 's3://narration//etc/passwd'"),
        ("s3://narration/a\x01b.mp3", "unsafe object key in 's3://narration/a\\x01b.mp3'"),
        ("s3://narration/a\nb.mp3", "unsafe object key in 's3://narration/a\\nb.mp3'"),
        ("s3://../x.mp3", "invalid bucket name in 's3://../x.mp3'"),
        ("/etc/passwd", "not an s3:// URI: '/etc/passwd'"),
        ("../out.mp3", "not an s3:// URI: '../out.mp3'"),
    ],
)
def test_unsafe_output(stack_env: dict[str, str], small: Path, output: str, message: str) -> None:
    expected = message if not message.startswith("unsafe") else f"{message}: {UNSAFE_KEY}"
    assert_refused(narrate(stack_env, "submit", str(small), "--output", output), expected)


@pytest.mark.parametrize("option", ["--title", "--author"])
@pytest.mark.parametrize("value", ["Bell\x07", "Two\nlines", "Esc\x1b[31mape"])
def test_control_characters_in_title(
    stack_env: dict[str, str], small: Path, option: str, value: str
) -> None:
    assert_refused(
        narrate(stack_env, "submit", str(small), option, value),
        "--title/--author must not contain control characters",
    )


def test_title_too_long(stack_env: dict[str, str], small: Path) -> None:
    assert_refused(
        narrate(stack_env, "submit", str(small), "--title", "x" * 301),
        "--title/--author is longer than 300 characters",
    )


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("5-9", "--chapters: '5-9' is outside 1-2"),
        ("0", "--chapters: '0' is outside 1-2"),
        ("2-1", "--chapters: '2-1' is outside 1-2"),
        ("one", "--chapters: 'one' is not a number or range like 3-7"),
    ],
)
def test_bad_chapters(stack_env: dict[str, str], tmp_path: Path, spec: str, message: str) -> None:
    path = tmp_path / "two.md"
    path.write_text("# One\n\nFirst chapter.\n\n# Two\n\nSecond chapter.\n")
    assert_refused(narrate(stack_env, "submit", str(path), "--chapters", spec), message)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[narration\nvoice = 1\n", "is not valid TOML: Expected ']' at the end of a table "),
        ("[narration]\nnot_a_setting = 1\n", ": unknown setting 'not_a_setting'"),
        ('[narration]\nmax_input_bytes = "lots"\n', "setting max_input_bytes: cannot use 'lots'"),
        ("narration = 3\n", ": [narration] must be a table"),
    ],
)
def test_bad_config_file(
    local_env: dict[str, str], small: Path, tmp_path: Path, content: str, message: str
) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(content)
    result = narrate(local_env, "--config", str(config), "inspect", str(small))
    assert result.returncode == EXIT_BAD_INPUT, result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("error: ") and message in result.stderr


def test_missing_config_file(local_env: dict[str, str], small: Path, tmp_path: Path) -> None:
    config = tmp_path / "absent.toml"
    assert_refused(
        narrate(local_env, "--config", str(config), "inspect", str(small)),
        f"config file not found: {config}",
    )


def test_bad_setting_in_environment(local_env: dict[str, str], small: Path) -> None:
    env = {**local_env, "NARRATION_MAX_INPUT_BYTES": "big"}
    assert_refused(
        narrate(env, "inspect", str(small)),
        "setting max_input_bytes: cannot use 'big' (invalid literal for int() with base 10: 'big')",
    )


def test_cover_not_an_image(stack_env: dict[str, str], small: Path, tmp_path: Path) -> None:
    cover = tmp_path / "cover.png"
    cover.write_text("not an image at all")
    assert_refused(
        narrate(stack_env, "submit", str(small), "--cover", str(cover)),
        f"cover image must be JPEG or PNG: {cover}",
    )


def test_cover_missing(stack_env: dict[str, str], small: Path, tmp_path: Path) -> None:
    cover = tmp_path / "absent.jpg"
    assert_refused(
        narrate(stack_env, "submit", str(small), "--cover", str(cover)),
        f"cover image not found: {cover}",
    )


def test_s3_input_that_does_not_exist(stack_env: dict[str, str]) -> None:
    uri = "s3://narration/no/such/document.txt"
    assert_refused(narrate(stack_env, "inspect", uri), f"{uri} does not exist")


def test_s3_input_with_unsafe_key(stack_env: dict[str, str]) -> None:
    uri = "s3://narration/../etc/passwd"
    assert_refused(
        narrate(stack_env, "inspect", uri), f"unsafe object key in {uri!r}: {UNSAFE_KEY}"
    )


# --- nothing stored before is lost or overwritten ---------------------------------------------


@pytest.fixture(scope="module")
def earlier_job(
    stack_env: dict[str, str], services: Services, tmp_path_factory: pytest.TempPathFactory
) -> dict:
    """One finished job, titled like a path (a title is only ever metadata, so that is fine)."""
    source = tmp_path_factory.mktemp("earlier") / "earlier.txt"
    source.write_text(SMALL_TEXT)
    result = narrate(
        stack_env, "submit", str(source), "--title", "../../etc/passwd", "--wait", "--json"
    )
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["status"] == "succeeded"
    return record


def _snapshot(services: Services, record: dict) -> dict[str, bytes]:
    store = services.store()
    root = services.keys(record["job_id"]).root
    return {key: store.get_bytes(key) for key in store.list_keys(root + "/")}


def test_path_like_title_is_only_metadata(earlier_job: dict, settings: Settings) -> None:
    assert earlier_job["title"] == "../../etc/passwd"
    prefix = f"s3://{settings.s3_bucket}/{settings.s3_prefix}/{earlier_job['job_id']}/"
    assert earlier_job["output_uri"] == prefix + "output.mp3"


def test_bad_submissions_leave_earlier_output_alone(
    earlier_job: dict, stack_env: dict[str, str], services: Services, tmp_path: Path
) -> None:
    before = _snapshot(services, earlier_job)
    output_key = services.keys(earlier_job["job_id"]).output("mp3")
    assert before[output_key][:3] == b"ID3" or before[output_key][:2] == b"\xff\xfb"
    jobs_before = json.loads(narrate(stack_env, "list", "--json").stdout)["jobs"]
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    good = tmp_path / "good.txt"
    good.write_text(SMALL_TEXT)
    not_image = tmp_path / "cover.jpg"
    not_image.write_text("text")
    target = earlier_job["output_uri"]
    for extra in (
        [str(empty)],
        ["-"],
        [str(tmp_path / "missing.txt")],
        [str(good), "--voice", "nobody"],
        [str(good), "--format", "xyz"],
        [str(good), "--loudness", "0"],
        [str(good), "--chapters", "7"],
        [str(good), "--cover", str(not_image)],
        [str(good), "--title", "bad\x07title"],
    ):
        result = narrate(stack_env, "submit", *extra, "--output", target, stdin=b"")
        assert result.returncode == EXIT_BAD_INPUT, (extra, result.stderr)
        assert "Traceback" not in result.stderr
    assert _snapshot(services, earlier_job) == before
    jobs_after = json.loads(narrate(stack_env, "list", "--json").stdout)["jobs"]
    assert [j["job_id"] for j in jobs_after] == [j["job_id"] for j in jobs_before]
