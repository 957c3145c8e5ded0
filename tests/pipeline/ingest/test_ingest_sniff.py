from __future__ import annotations

import codecs
import io
import zipfile

import pytest

from narration.errors import InputError
from narration.pipeline.ingest import SUPPORTED_EXTENSIONS, load_document

TEXT = "Café society, naïvely.\n\nSecond paragraph."


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
    ],
    ids=["utf8", "utf8-bom", "utf16-le", "utf16-be"],
)
def test_encodings(data: bytes) -> None:
    doc = load_document(data, "x.txt")
    assert doc.chapters[0].paragraphs == ("Café society, naïvely.", "Second paragraph.")


def _zip(name: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(name, "x")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "x.txt", "empty"),
        (b"   \n\t\n  ", "x.txt", "empty"),
        (b"... --- !!! ???", "x.txt", "no speakable text"),
        (b"abc\x00def", "x.txt", "binary"),
        (bytes(range(1, 32)) * 20, "x.txt", "binary"),
        (b"caf\xe9 au lait", "x.txt", "not valid UTF-8"),
        (b"%PDF-1.7 ...", "x.txt", "the PDF cannot be read"),
        (b"\x89PNG\r\n\x1a\n", "-", "PNG"),
        (_zip("word/document.xml"), "x.txt", "the Word document cannot be read"),
        (_zip("content.xml"), "x.txt", "an OpenDocument file"),
        (_zip("a.txt"), "x.md", "ZIP"),
        (b"hello", "x.epub", "not an EPUB"),
        (b"hello", "x.pdf", "is not a PDF"),
        (b"hello", "x.odt", "unsupported"),
        (b"<html><body><script>x=1</script><img src=a.png></body></html>", "x.html", "no speak"),
        (codecs.BOM_UTF16_LE + b"\x00\xd8", "x.txt", "UTF-16"),
    ],
)
def test_refusals(data: bytes, name: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as info:
        load_document(data, name)
    assert "\n" not in str(info.value)


def test_supported_extensions() -> None:
    assert {".txt", ".md", ".html", ".htm", ".epub", ".pdf", ".docx"} <= set(SUPPORTED_EXTENSIONS)


def test_markdown_sniffed_without_extension() -> None:
    doc = load_document(b"# Title\n\nSome *text* here.\n\n- a\n- b\n", "s3://bucket/key")
    assert doc.extra["format"] == "markdown"
