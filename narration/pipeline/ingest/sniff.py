"""Decide what a document is from its name and its first bytes, and decode text safely.

The extension says what the user meant; the content has the last word where they disagree in a
way that matters (a ".txt" that is an image, another ZIP or binary is refused; an EPUB, a PDF or
a Word document is read as one whatever its name). Text must be UTF-8 (with or without BOM) or
UTF-16/32 with a BOM: guessing legacy code pages silently garbles narration, so we refuse and say
how to fix the file.
"""

from __future__ import annotations

import codecs
import io
import posixpath
import re
import zipfile
from typing import Final, Literal

from narration.errors import InputError

Kind = Literal["text", "markdown", "html", "epub", "pdf", "docx", "ssml"]

EXTENSIONS: Final[dict[str, Kind]] = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".mdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".epub": "epub",
    ".pdf": "pdf",
    ".docx": "docx",
    ".ssml": "ssml",
}
BINARY_KINDS: Final = frozenset(("epub", "pdf", "docx"))
"""Kinds read from their bytes; the others are decoded as text first."""

# A text document has almost no C0 control characters besides tab, newline, CR and form feed.
MAX_CONTROL_RATIO: Final = 0.01
_SAMPLE: Final = 65536

_BOMS: Final = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32 LE"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32 BE"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16 LE"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16 BE"),
)
_MAGIC: Final = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"\xd0\xcf\x11\xe0", "a legacy Microsoft Office file"),
    (b"{\\rtf", "an RTF file"),
    (b"ID3", "an MP3 file"),
    (b"RIFF", "a RIFF (WAV/AVI/WebP) file"),
    (b"OggS", "an Ogg file"),
    (b"fLaC", "a FLAC file"),
)
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")
_HTML_HINT = re.compile(
    r"<!doctype\s+html|<html[\s>]|<body[\s>]|<head[\s>]|<(?:p|div|article|h1|h2)[\s>]", re.I
)
_MD_HINT = re.compile(
    r"^(?:#{1,6}\s+\S|```|~~~|[-*+]\s+\S|\d+[.)]\s+\S|>\s|=+\s*$|-{3,}\s*$|\|.*\|\s*$)"
    r"|\[[^\]\n]+\]\([^)\s]+\)|\*\*\S",
    re.M,
)


def extension(name: str) -> str:
    """The lower-case extension of a file name or URI ('' for '-', a bare key or a dot-file)."""
    if name in ("", "-"):
        return ""
    return posixpath.splitext(_base_name(name))[1].lower()


def stem(name: str) -> str:
    """A readable fallback title from a file name or URI."""
    if name in ("", "-"):
        return "Untitled"
    base = posixpath.splitext(_base_name(name))[0]
    return " ".join(base.replace("_", " ").split()) or "Untitled"


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            if "mimetype" in names and zf.read("mimetype").strip() == b"application/epub+zip":
                return "epub"
            if "META-INF/container.xml" in names:
                return "epub"
            if "word/document.xml" in names:
                return "docx"
            if "content.xml" in names:
                return "an OpenDocument file"
    except (zipfile.BadZipFile, OSError, KeyError) as exc:
        raise InputError(f"the file looks like a damaged ZIP archive ({exc})") from None
    return "a ZIP archive"


def decode(data: bytes) -> str:
    """Bytes to text: UTF-8 (BOM optional) or UTF-16/32 with a BOM; refuse anything binary."""
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(codec)
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"the file starts with a {label} byte-order mark but is not valid {label} "
                    f"(byte {exc.start + len(bom)})"
                ) from None
            break
    else:
        if b"\x00" in data[:_SAMPLE]:
            raise InputError(
                "the file is binary (it contains NUL bytes); UTF-16 text needs a byte-order mark"
            )
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"the file is not valid UTF-8 (byte {exc.start}); re-save it as UTF-8"
            ) from None
    sample = text[:_SAMPLE]
    if "\x00" in sample:
        raise InputError("the file is binary (it contains NUL characters)")
    controls = len(_CONTROL.findall(sample))
    if sample and controls / len(sample) > MAX_CONTROL_RATIO:
        raise InputError(f"the file looks binary ({controls} control characters in its start)")
    return text


def sniff_text(text: str) -> Kind:
    """Guess html, markdown or text from decoded content."""
    head = text[:4096]
    if head.lstrip().startswith("<") and _HTML_HINT.search(head):
        return "html"
    if len(_MD_HINT.findall(text[:_SAMPLE])) >= 2:
        return "markdown"
    return "text"


def detect(data: bytes, name: str) -> Kind:
    """The document kind from the name's extension, checked against the content."""
    ext = extension(name)
    declared = EXTENSIONS.get(ext)
    if ext and declared is None:
        supported = ", ".join(sorted(EXTENSIONS))
        raise InputError(f"unsupported document type {ext!r} (supported: {supported})")
    if data.startswith(b"PK\x03\x04"):
        kind = _zip_kind(data)
        if kind == "epub":
            return "epub"
        if kind == "docx":
            return "docx"
        raise InputError(
            f"{name or 'the input'} is {kind}, not a text document, EPUB or Word document"
        )
    if data[:1024].lstrip().startswith(b"%PDF-"):
        return "pdf"
    if declared == "epub":
        raise InputError(f"{name} is not an EPUB (EPUB files are ZIP archives)")
    if declared == "docx":
        raise InputError(f"{name} is not a Word document (.docx files are ZIP archives)")
    if declared == "pdf":
        raise InputError(f"{name} is not a PDF (it does not start with %PDF-)")
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise InputError(f"{name or 'the input'} is {what}, not a text document")
    return declared or "text"  # refined by sniff_text once decoded when undeclared


def _base_name(name: str) -> str:
    """The last path component of a file name or URI, without its query or fragment."""
    return posixpath.basename(name.split("?", 1)[0].split("#", 1)[0])
