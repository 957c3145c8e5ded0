"""Word documents made in the test: headings are chapters, footnotes and comments not read."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest

from narration.errors import InputError
from narration.pipeline.document import ITEM, SECTION
from narration.pipeline.ingest import ReadingOptions, load_document
from tests.pipeline.ingest.office import build_docx

BLOCKS = [
    ("Title", "Field Notes"),
    ("", "A short foreword before the first chapter."),
    ("Heading 1", "Spring"),
    ("", "The swallows came back in April.[^1] They nested under the eaves."),
    ("Heading 2", "Birds"),
    ("List Bullet", "swallows"),
    ("List Bullet", "swifts"),
    ("Heading 1", "Summer"),
    ("", "The meadow was cut in July.[^2]"),
]
NOTES = ["Earlier than the year before.", "By hand, as every year."]


def test_headings_become_chapters_and_notes_and_comments_are_not_read() -> None:
    data = build_docx(BLOCKS, author="Ann Example", footnotes=NOTES, comment="Check the date.")
    document = load_document(data, "notes.docx")
    assert (document.title, document.author) == ("Field Notes", "Ann Example")
    assert document.extra["format"] == "docx"
    titles = [chapter.title for chapter in document.chapters]
    assert titles == ["Field Notes", "Spring", "Summer"]
    foreword, spring, summer = document.chapters
    assert foreword.paragraphs == ("A short foreword before the first chapter.",)
    assert spring.paragraphs == (
        "The swallows came back in April. They nested under the eaves.",
        "Birds.",
        "swallows.",
        "swifts.",
    )
    assert spring.roles == ("text", SECTION, ITEM, ITEM)
    assert summer.paragraphs == ("The meadow was cut in July.",)
    spoken = " ".join(p for c in document.chapters for p in c.paragraphs)
    assert "Earlier" not in spoken and "By hand" not in spoken and "Check" not in spoken
    skipped = {item.title: item for item in document.skipped}
    assert skipped["footnotes"].chars == sum(len(note) for note in NOTES)
    assert "2 found" in skipped["footnotes"].reason
    assert skipped["comments"].chars == len("Check the date.") and not skipped["comments"].body
    assert document.coverage < 1.0  # the notes are part of the text and were not read


def test_footnotes_can_be_read_after_their_paragraph() -> None:
    data = build_docx(BLOCKS, footnotes=NOTES)
    document = load_document(data, "notes.docx", options=ReadingOptions(footnotes="read"))
    spring = document.chapters[1]
    assert spring.paragraphs[:2] == (
        "The swallows came back in April. They nested under the eaves.",
        "Earlier than the year before.",
    )
    assert not any(item.title == "footnotes" for item in document.skipped)


def test_tables_and_tracked_changes() -> None:
    document = docx.Document()
    document.add_paragraph("Prices this week.")
    table = document.add_table(rows=3, cols=2)
    for row, cells in zip(
        table.rows, [("Fruit", "Price"), ("Apple", "1"), ("Pear", "2")], strict=True
    ):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    paragraph = document.add_paragraph("Kept ")
    deleted = paragraph._p.makeelement(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}del", {}
    )
    deleted.append(paragraph.add_run("gone ")._r)
    paragraph._p.append(deleted)
    paragraph.add_run("words.")
    out = io.BytesIO()
    document.save(out)
    chapter = load_document(out.getvalue(), "prices.docx").chapters[0]
    assert chapter.paragraphs == ("Prices this week.", "Fruit, Price.", "Apple, 1.", "Pear, 2.",
                                  "Kept words.")  # fmt: skip


def test_a_docx_named_txt_is_read_and_a_broken_one_refused() -> None:
    data = build_docx([("", "Just one line.")])
    assert load_document(data, "notes.txt").extra["format"] == "docx"
    with pytest.raises(InputError, match="is not a Word document"):
        load_document(b"plain words", "notes.docx")
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as broken:
        for name in source.namelist():
            broken.writestr(
                name, b"<w:document" if name == "word/document.xml" else source.read(name)
            )
    with pytest.raises(InputError, match="the Word document cannot be read"):
        load_document(out.getvalue(), "broken.docx")


def test_numbered_list_items_keep_their_numbers() -> None:
    data = build_docx(
        [
            ("Heading 1", "Steps"),
            ("", "Do this:"),
            ("List Number", "Download the archive."),
            ("List Number", "Unpack it."),
            ("List Bullet", "a bullet"),
            ("", "Done."),
        ]
    )
    paragraphs = [p for c in load_document(data, "steps.docx").chapters for p in c.paragraphs]
    assert paragraphs == [
        "Do this:",
        "1. Download the archive.",
        "2. Unpack it.",
        "a bullet.",
        "Done.",
    ]


@pytest.mark.parametrize(("lang", "expected"), [("es-ES", "es-ES"), ("", "en")])
def test_the_language_comes_from_a_pandoc_docx_core_properties(
    tmp_path: Path, lang: str, expected: str
) -> None:
    """pandoc writes `lang` as `dc:language` in docProps/core.xml, as Word does."""
    pandoc = shutil.which("pandoc")
    if pandoc is None:
        pytest.skip("pandoc is not installed (scripts/setup installs it)")
    front = f"---\ntitle: Cuentos\nlang: {lang}\n---\n\n" if lang else ""
    (tmp_path / "cuentos.md").write_text(front + "# Uno\n\n¿Qué hora es? Son las tres.\n")
    subprocess.run([pandoc, "cuentos.md", "-o", "cuentos.docx"], cwd=tmp_path, check=True)
    data = (tmp_path / "cuentos.docx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        core = package.read("docProps/core.xml").decode()
    assert (f"<dc:language>{lang}</dc:language>" in core) == bool(lang)
    document = load_document(data, "cuentos.docx")
    assert document.language == expected
    assert document.chapters[-1].paragraphs == ("¿Qué hora es? Son las tres.",)
