"""spoken_chunk_texts: SSML, lexicon and normalisation in the order a job applies them, and the
same text the engine is given when the chunk is planned and rendered."""

from __future__ import annotations

from narration.pipeline.chunker import chunk_document
from narration.pipeline.document import Chapter, Document
from narration.pipeline.ingest import load_document
from narration.pipeline.lexicon import parse_pls
from narration.pipeline.plan import JobOptions, make_plan
from narration.pipeline.render import engine_text
from narration.pipeline.speech_text import speakable
from narration.pipeline.spoken_chunks import spoken_chunk_texts
from tests.pipeline.test_lexicon import TOMATO, W3C, pls


def _document(*paragraphs: str) -> Document:
    return Document("Doc", (Chapter("Doc", paragraphs, title_spoken=False),))


def test_lexicon_then_normalisation_phonemes_untouched() -> None:
    lexicon = parse_pls(pls(W3C, TOMATO))
    document = _document("The W3C met Dr. Smith in 1984.", "A tomato costs $3.50.")
    assert spoken_chunk_texts(chunk_document(document), lexicon) == [
        "The World Wide Web Consortium met Doctor Smith in 19 84.",
        "A [[ təˈmɑːtoʊ ]] costs 3 dollars 50 cents.",
    ]


def test_ssml_spoken_forms_come_first() -> None:
    ssml = (
        b'<speak><p>The <sub alias="World Wide Web Consortium">W3C</sub> shipped '
        b"Python 3.10.4.</p></speak>"
    )
    document = load_document(ssml, "a.ssml")
    assert spoken_chunk_texts(chunk_document(document)) == [
        "The World Wide Web Consortium shipped Python three point ten point four."
    ]


def test_the_same_text_a_planned_chunk_gives_its_engine() -> None:
    lexicon = parse_pls(pls(W3C))
    document = _document("The W3C met today at 14:05.", "Nothing to change here, Chapter IV.")
    plan = make_plan("job", document, JobOptions(voice="v"), 40, lexicon)
    planned = [engine_text(chunk, speakable) for chunk in plan.chunks]
    assert spoken_chunk_texts(chunk_document(document), lexicon) == planned
