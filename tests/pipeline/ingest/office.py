"""Builders for PDF (reportlab) and Word (python-docx) documents made in the test, in memory."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass

import docx
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

WIDTH, HEIGHT = A4
MARGIN = 72.0
BODY_SIZE = 11.0
LEADING = 14.0
COLUMN_GAP = 36.0


@dataclass(frozen=True)
class PdfPage:
    """One page: an optional heading, then single-column lines or two columns of lines.

    An empty string in a list of lines is a paragraph gap (an empty line's height)."""

    heading: str = ""
    lines: Sequence[str] = ()
    left: Sequence[str] = ()
    right: Sequence[str] = ()
    image_only: bool = False


def _image() -> ImageReader:
    picture = Image.new("RGB", (200, 280), (200, 190, 170))
    return ImageReader(picture)


def build_pdf(
    pages: Sequence[PdfPage],
    *,
    title: str = "",
    author: str = "",
    header: str = "",
    page_numbers: bool = True,
    outline: bool = False,
    heading_size: float = 20.0,
    encrypt: str = "",
) -> bytes:
    """`header` is drawn at the top of every text page with `{n}` replaced by the page number;
    page numbers are centred at the bottom; `outline` bookmarks each page's heading."""
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, encrypt=encrypt or None)
    if title:
        pdf.setTitle(title)
    if author:
        pdf.setAuthor(author)
    for number, page in enumerate(pages, 1):
        if page.image_only:
            pdf.drawImage(_image(), MARGIN, MARGIN, WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN)
            pdf.showPage()
            continue
        pdf.setFont("Helvetica", 9)
        if header:
            pdf.drawString(MARGIN, HEIGHT - 40, header.replace("{n}", str(number)))
        if page_numbers:
            pdf.drawCentredString(WIDTH / 2, 30, str(number))
        y = HEIGHT - 110
        if page.heading:
            pdf.setFont("Helvetica", heading_size)
            pdf.drawString(MARGIN, y, page.heading)
            if outline:
                pdf.bookmarkPage(f"p{number}")
                pdf.addOutlineEntry(page.heading, f"p{number}", level=0)
            y -= 2 * heading_size
        pdf.setFont("Helvetica", BODY_SIZE)
        _column(pdf, page.lines, MARGIN, y)
        column_x = (WIDTH + COLUMN_GAP) / 2
        _column(pdf, page.left, MARGIN, y)
        _column(pdf, page.right, column_x, y)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def _column(pdf: canvas.Canvas, lines: Sequence[str], x: float, y: float) -> None:
    for line in lines:
        if line:
            pdf.drawString(x, y, line)
        y -= LEADING


def build_docx(
    blocks: Sequence[tuple[str, str]],
    *,
    title: str = "",
    author: str = "",
    footnotes: Sequence[str] = (),
    comment: str = "",
) -> bytes:
    """`blocks` are (style, text): "Title", "Heading 1"…, "List Bullet", "" for a paragraph.

    A `[^N]` in a paragraph becomes a reference to footnote N (1-based) of `footnotes`; the
    footnotes part is added to the package by hand, as python-docx cannot write one. `comment`
    is attached to the first paragraph."""
    document = docx.Document()
    document.core_properties.title = title
    document.core_properties.author = author
    first = None
    for style, text in blocks:
        paragraph = document.add_paragraph(style=style or None)
        for piece in re.split(r"(\[\^\d+\])", text):
            note = re.fullmatch(r"\[\^(\d+)\]", piece)
            if note:
                run = paragraph.add_run()
                ref = run._r.makeelement(_w("footnoteReference"), {_w("id"): note.group(1)})
                run._r.append(ref)
            elif piece:
                paragraph.add_run(piece)
        first = first or paragraph
    if comment and first is not None:
        document.add_comment(first.runs, text=comment, author="Reviewer")
    out = io.BytesIO()
    document.save(out)
    return _with_footnotes(out.getvalue(), footnotes) if footnotes else out.getvalue()


_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _w(name: str) -> str:
    return f"{{{_W_NS}}}{name}"


def _with_footnotes(package: bytes, footnotes: Sequence[str]) -> bytes:
    notes = "".join(
        f'<w:footnote w:id="{n}"><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:footnote>'
        for n, text in enumerate(footnotes, 1)
    )
    part = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes xmlns:w="{_W_NS}">'
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
        f"</w:footnote>{notes}</w:footnotes>"
    )
    source = zipfile.ZipFile(io.BytesIO(package))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/word/footnotes.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/></Types>',
                )
            elif item.filename == "word/_rels/document.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdNotes" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/footnotes" Target="footnotes.xml"/>'
                    b"</Relationships>",
                )
            target.writestr(item, data)
        target.writestr("word/footnotes.xml", part)
    return out.getvalue()
