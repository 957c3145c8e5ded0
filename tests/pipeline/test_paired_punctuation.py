"""Chunks respect the punctuation of Spanish and French: no chunk starts or ends inside a
¿…?, ¡…! or « » pair unless the sentence is longer than a chunk, and French spacing's marks stay
with their word."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from narration.pipeline.chunker import chunk_document, joined_text, spoken_text
from narration.pipeline.document import Chapter, Document
from narration.pipeline.paired_punctuation import join_paired, pair_spans, strands_a_mark

QUIJOTE = (
    "—¿Qué gigantes? —dijo Sancho Panza. —Aquellos que allí ves —respondió su amo—, de los "
    "brazos largos. ¡Mire vuestra merced que aquellos no son gigantes, sino molinos de viento! "
    "¿No ves? ¡Son molinos! Y así, diciendo esto, dio de espuelas a su caballo Rocinante."
)
MISERABLES = (
    "L'évêque le regarda et lui dit : « Vous pouvez entrer ! Vous êtes ici chez vous. Qui "
    "êtes-vous ? » L'homme se tut un instant. Puis il répondit : « Je m'appelle Jean Valjean ; "
    "je suis un galérien. » L'évêque ne dit rien. « Madame Magloire, mettez un couvert ! »"
)
LONG_QUOTE = (
    "Il dit : « Le matin, nous partîmes vers la mer. Le vent soufflait fort sur la lande. "
    "Les enfants couraient devant nous. Personne ne parlait ; chacun écoutait la mer. "
    "Le soir venu, nous rentrâmes enfin. » Puis il se tut."
)


def _chunks(paragraph: str, limit: int, language: str = "es") -> list[str]:
    document = Document("t", (Chapter("", (paragraph,), title_spoken=False),), language=language)
    chunks = chunk_document(document, limit)
    assert joined_text(chunks) == spoken_text(document)
    return [chunk.text for chunk in chunks]


def _cuts(paragraph: str, chunks: list[str]) -> list[int]:
    """The offsets in `paragraph` of the spaces between chunks."""
    cuts, offset = [], 0
    for chunk in chunks[:-1]:
        offset = paragraph.index(chunk, offset) + len(chunk)
        cuts.append(offset)
    return cuts


@pytest.mark.parametrize(
    ("paragraph", "limit"), [(QUIJOTE, 80), (QUIJOTE, 100), (MISERABLES, 130), (MISERABLES, 150)]
)
def test_no_chunk_starts_or_ends_inside_a_pair(paragraph: str, limit: int) -> None:
    chunks = _chunks(paragraph, limit)
    assert len(chunks) >= 2
    spans = pair_spans(paragraph)
    assert spans
    for cut in _cuts(paragraph, chunks):
        assert not any(first < cut < last for first, last in spans), (cut, chunks)
    for chunk in chunks:
        assert chunk[0] not in "»?!;:" and chunk[-1] not in "«¿¡", chunks


def test_blingfire_alone_would_cut_inside_the_quotation() -> None:
    """What the joining repairs: a sentence end inside « », and "»" starting a sentence."""
    from narration.pipeline.chunker import split_sentences

    sentences = split_sentences(MISERABLES)
    assert any(sentence.startswith("»") for sentence in sentences)
    joined = join_paired(sentences, 300)
    assert not any(sentence.startswith("»") for sentence in joined)
    assert " ".join(joined) == " ".join(sentences)
    assert joined[0] == (
        "L'évêque le regarda et lui dit : « Vous pouvez entrer ! Vous êtes ici chez vous. "
        "Qui êtes-vous ? » L'homme se tut un instant."
    )


def test_a_quotation_longer_than_a_chunk_is_cut_at_its_sentence_ends() -> None:
    chunks = _chunks(LONG_QUOTE, 90, "fr")
    assert all(len(chunk) <= 90 for chunk in chunks)
    assert chunks[0].startswith("Il dit : « Le matin")
    assert all(chunk.endswith((".", ". »")) for chunk in chunks), chunks


def test_a_closing_guillemet_stays_with_its_sentence_when_the_quotation_cannot_be_joined() -> None:
    """At 80 characters the reply cannot be joined with what follows it; its "»" still ends it."""
    chunks = _chunks(MISERABLES, 80, "fr")
    assert not any(chunk.startswith("»") for chunk in chunks)
    assert any(chunk.endswith("galérien. »") for chunk in chunks), chunks


def test_pairs_in_spanish_and_german_order() -> None:
    text = "¿Vienes? ¡Sí! Er sagte: »Komm!« Y «ven»."
    assert [text[a] + text[b] for a, b in pair_spans(text)] == ["¿?", "¡!", "»«"]
    # a pair never closed in its paragraph joins nothing
    assert join_paired(["« Il partit.", "Et il ne revint pas."], 300) == [
        "« Il partit.",
        "Et il ne revint pas.",
    ]


def test_a_long_sentence_is_not_cut_at_a_space_that_strands_a_mark() -> None:
    assert strands_a_mark("Il dit « oui »", 8)  # "«" would end a piece
    assert strands_a_mark("Il dit « oui »", 12)  # "»" would start one
    assert strands_a_mark("Vraiment ? Oui", 8)
    assert not strands_a_mark("Il dit « oui »", 6)
    assert not strands_a_mark("Vraiment ? Oui", 10)
    sentence = "Il regarda longtemps la mer grise et dit enfin, d'une voix basse « oui »"
    for limit in range(20, 70):
        for chunk in _chunks(sentence, limit, "fr"):
            assert chunk[0] not in "»?!;:" and chunk[-1] not in "«¿¡", (limit, chunk)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab «»¿?¡!.;:", min_size=1, max_size=400), st.integers(20, 120))
def test_chunking_with_pairs_is_lossless(text: str, limit: int) -> None:
    paragraph = " ".join(text.split())
    if not paragraph.strip(" «»¿?¡!.;:"):
        return
    document = Document("t", (Chapter("", (paragraph,), title_spoken=False),))
    chunks = chunk_document(document, limit)
    assert joined_text(chunks) == spoken_text(document)
    assert all(len(chunk.text) <= limit for chunk in chunks)
