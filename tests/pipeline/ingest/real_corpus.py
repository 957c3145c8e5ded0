"""Real documents, made at test time by the common generators from files Debian installs.

Nothing here is written to pass: each document is a manual or README some project wrote, turned
into the format under test by the tool people use for it (Sphinx's HTML as Debian ships it,
texi2pdf, `man -Tpdf`, pandoc). scripts/setup installs the packages; where a tool or a file is
missing the test skips and says which.
"""

from __future__ import annotations

import gzip
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

PYTHON_HTML = Path("/usr/share/doc/python3.11/html")
PYTHON_SOURCES = PYTHON_HTML / "_sources"
BLINKER = Path("/usr/share/doc/python-blinker-doc/html")
CONFIGOBJ = Path("/usr/share/doc/python-configobj-doc/html")
CACHELIB = Path("/usr/share/doc/python3-cachelib/html")
FONTNAME_TEXI = Path("/usr/share/doc/texlive-doc/fonts/fontname/fontname.texi.gz")
BZIP2_TEXI = Path("/usr/share/doc/bzip2/manual.texi.gz")
PANDOC_README = Path("/usr/share/doc/pandoc/README.md.gz")
GROFF_PDFMARK = Path("/usr/share/doc/groff/pdf/pdfmark.pdf.gz")
GROFF_MOM_COVER = Path("/usr/share/doc/groff/html/mom/cover.html")
EXPKV_PDF = Path("/usr/share/doc/texlive-doc/latex/expkv/expkv.pdf")
FONTNAME_HTML = Path("/usr/share/doc/texlive-doc/fonts/fontname/fontname.html")
TIMEOUT_S = 60


@dataclass(frozen=True)
class RealCase:
    """A generated document and what a listener should get from it."""

    name: str
    """The file name the reader sees (its extension picks the reader)."""
    make: Callable[[Path], bytes]
    title: str
    chapters: tuple[int, int]
    """The least and the most chapters the document's structure gives."""
    absent: tuple[str, ...] = ()
    """Text that must reach no chunk: code, contents and index entries, furniture."""
    present: tuple[str, ...] = ()
    """Prose that must be read (so a rule that drops too much fails)."""
    chapter_titles: tuple[str, ...] = ()
    """Titles that must be among the chapters'."""


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is not installed (scripts/setup installs it)")
    return path


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (scripts/setup installs it)")
    return found


def _run(args: list[str], cwd: Path) -> None:
    done = subprocess.run(
        args, cwd=cwd, capture_output=True, timeout=TIMEOUT_S, stdin=subprocess.DEVNULL
    )
    if done.returncode:
        raise AssertionError(f"{args[0]} failed: {done.stderr.decode(errors='replace')[-400:]}")


def _text(path: Path) -> str:
    data = need(path).read_bytes()
    return (gzip.decompress(data) if path.suffix == ".gz" else data).decode()


def shipped(path: Path) -> Callable[[Path], bytes]:
    """A document as its package ships it (gzip-compressed or not)."""

    def make(_: Path) -> bytes:
        data = need(path).read_bytes()
        return gzip.decompress(data) if path.suffix == ".gz" else data

    return make


html_page = shipped


def texinfo_pdf(source: Path) -> Callable[[Path], bytes]:
    """texi2pdf of a Texinfo manual; the files it @includes from elsewhere are left out."""

    def make(work: Path) -> bytes:
        texi2pdf = _tool("texi2pdf")
        lines = _text(source).splitlines(keepends=True)
        kept = [ln for ln in lines if not ln.startswith(("@include ", "@verbatiminclude "))]
        (work / "manual.texi").write_text("".join(kept))
        _run([texi2pdf, "-q", "-b", "manual.texi", "-o", "manual.pdf"], work)
        return (work / "manual.pdf").read_bytes()

    return make


def man_pdf(page: str) -> Callable[[Path], bytes]:
    """A manual page set by groff (`man -Tpdf`)."""

    def make(work: Path) -> bytes:
        man = _tool("man")
        if shutil.which("gropdf") is None:
            pytest.skip("gropdf (Debian's groff) is not installed (scripts/setup installs it)")
        done = subprocess.run(
            [man, "-Tpdf", page], capture_output=True, timeout=TIMEOUT_S, check=False
        )
        if done.returncode or not done.stdout.startswith(b"%PDF"):
            pytest.skip(f"man page {page} is not installed")
        return done.stdout

    return make


_NO_IMAGES = "function Image(el) return {} end\n"
"""A pandoc filter: no badge is fetched over the network (the README's are remote)."""


def pandoc(source: Path, to: str, reader: str = "markdown") -> Callable[[Path], bytes]:
    """pandoc's conversion of a project document (README or reStructuredText page)."""

    def make(work: Path) -> bytes:
        binary = _tool("pandoc")
        named = work / (source.name.split(".")[0] + ".txt")
        named.write_text(_text(source))
        (work / "no-images.lua").write_text(_NO_IMAGES)
        out = f"out.{to}"
        args = [binary, "-f", reader, named.name, "--lua-filter", "no-images.lua", "-o", out]
        if to == "epub":
            args.append("--toc")
        _run(args, work)
        return (work / out).read_bytes()

    return make
