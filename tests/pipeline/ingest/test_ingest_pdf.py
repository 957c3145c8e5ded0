"""PDFs made in the test: furniture left out, hyphens joined, columns in order, chapters found."""

from __future__ import annotations

import re

import pytest

from narration.errors import InputError
from narration.pipeline.chunker import chunk_document
from narration.pipeline.document import Document
from narration.pipeline.ingest import load_document
from narration.pipeline.ingest.pdf import join_lines
from tests.pipeline.ingest.office import PdfPage, build_pdf

HEADER = "The Lighthouse Report, page {n}"
PAGES = [
    PdfPage(
        heading="The Keeper",
        lines=[
            "The keeper climbed the stairs every evening and lit the great",
            "lamp before the sun went down. His work was simple, but it de-",
            "manded a patience that few of the villagers could understand.",
            "",
            "In winter the storms came from the north and the waves broke",
            "over the rocks at the foot of the tower, and the keeper wrote",
            "in his log about the ships that passed in the dark and the",
        ],
    ),
    PdfPage(
        lines=[
            "lights he saw far out at sea. Nobody read the log but him-",
            "self, and he did not mind.",
        ],
    ),
    PdfPage(
        heading="The Village",
        left=[
            "The village lay in a narrow bay",
            "where the fishing boats were",
            "pulled up on the shingle at night.",
        ],
        right=[
            "Its people were wary of strangers",
            "but kind to the keeper, whose light",
            "had brought their husbands home.",
        ],
    ),
    PdfPage(
        lines=[
            "When the keeper grew old, a young woman from the village took",
            "over the lamp, and the log went on in a different hand.",
        ],
    ),
]
EXPECTED = {
    "The Keeper": (
        "The keeper climbed the stairs every evening and lit the great lamp before the sun went "
        "down. His work was simple, but it demanded a patience that few of the villagers could "
        "understand.",
        "In winter the storms came from the north and the waves broke over the rocks at the foot "
        "of the tower, and the keeper wrote in his log about the ships that passed in the dark and "
        "the lights he saw far out at sea. Nobody read the log but himself, and he did not mind.",
    ),
    "The Village": (
        "The village lay in a narrow bay where the fishing boats were pulled up on the shingle at "
        "night.",
        "Its people were wary of strangers but kind to the keeper, whose light had brought their "
        "husbands home.",
        "When the keeper grew old, a young woman from the village took over the lamp, and the log "
        "went on in a different hand.",
    ),
}


def _chapters(document: Document) -> dict[str, tuple[str, ...]]:
    return {chapter.title: chapter.paragraphs for chapter in document.chapters}


def test_a_multi_page_pdf_is_read_without_furniture_and_with_hyphenated_words_joined() -> None:
    data = build_pdf(PAGES, title="The Lighthouse", author="Ann Example", header=HEADER)
    document = load_document(data, "lighthouse.pdf")
    assert (document.title, document.author) == ("The Lighthouse", "Ann Example")
    assert document.extra["format"] == "pdf"
    assert _chapters(document) == EXPECTED
    spoken = " ".join(chunk.text for chunk in chunk_document(document))
    assert "Lighthouse Report" not in spoken
    assert not re.search(r"\b[1-4]\b", spoken)  # no page number read
    skipped = {item.title: item for item in document.skipped}
    assert skipped["running headers and footers"].source == "pages 1-4"
    assert "4 found" in skipped["running headers and footers"].reason
    assert "4 found" in skipped["page numbers"].reason
    assert not any(item.body for item in document.skipped)
    assert document.coverage == 1.0


def test_two_columns_are_read_left_column_first() -> None:
    document = load_document(build_pdf(PAGES[2:3]), "columns.pdf")
    left, right = document.chapters[0].paragraphs
    assert left.startswith("The village lay") and left.endswith("shingle at night.")
    assert right.startswith("Its people") and right.endswith("husbands home.")


def test_chapters_come_from_the_outline_when_headings_are_not_larger() -> None:
    pages = [PdfPage(heading="Part A", lines=["Words of the first part."]),
             PdfPage(heading="Part B", lines=["Words of the second part."])]  # fmt: skip
    plain = load_document(build_pdf(pages, heading_size=11), "plain.pdf")
    assert len(plain.chapters) == 1  # no outline, no larger type: one chapter
    marked = load_document(build_pdf(pages, heading_size=11, outline=True), "marked.pdf")
    assert _chapters(marked) == {
        "Part A": ("Words of the first part.",),
        "Part B": ("Words of the second part.",),
    }


def test_a_cover_image_is_listed_but_scanned_pages_are_refused() -> None:
    with_cover = load_document(build_pdf([PdfPage(image_only=True), *PAGES[:2]]), "cover.pdf")
    assert any(item.title == "cover image" for item in with_cover.skipped)
    scanned = build_pdf([*PAGES[:1], PdfPage(image_only=True), PdfPage(image_only=True)])
    with pytest.raises(InputError, match=r"page 2, 3: scanned images\); run OCR"):
        load_document(scanned, "scan.pdf")
    with pytest.raises(InputError, match="no text layer"):
        load_document(build_pdf([PdfPage(image_only=True)] * 2), "scan.pdf")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (build_pdf(PAGES[:1], encrypt="secret"), "the PDF is encrypted"),
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n", "the PDF cannot be read"),
        (b"%PDF-1.4\n" + bytes(range(256)) * 4, "the PDF cannot be read"),
    ],
)
def test_unreadable_pdfs_are_refused_in_one_line(data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message) as info:
        load_document(data, "bad.pdf")
    assert "\n" not in str(info.value)


def test_content_decides_a_pdf_whatever_its_name() -> None:
    assert load_document(build_pdf(PAGES[3:]), "notes.txt").extra["format"] == "pdf"
    with pytest.raises(InputError, match="is not a PDF"):
        load_document(b"plain words", "notes.pdf")


@pytest.mark.parametrize(
    ("lines", "joined"),
    [
        (["narra-", "tion"], "narration"),
        (["Anglo-", "Saxon"], "Anglo-Saxon"),
        (["costs 5-", "10 euros"], "costs 5- 10 euros"),
        (["a line", "and more"], "a line and more"),
        (["an em dash —", "then"], "an em dash — then"),
    ],
)
def test_hyphens_at_line_ends(lines: list[str], joined: str) -> None:
    assert join_lines(lines) == joined
