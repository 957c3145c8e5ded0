"""`narrate inspect --spoken`: each chunk as its engine is given it, before anything renders.

No service is needed; only a named `--lexicon` is read from the object store. The lexicon's
and SSML's phonemes are mapped onto the voice as at submit, so what is shown is what a job
would give the engine (`pipeline.spoken_chunks`).
"""

from __future__ import annotations

import functools
from typing import Any

from narration.job_options import SubmitRequest
from narration.pipeline.chunker import chunk_document
from narration.pipeline.document import Document
from narration.settings import Settings


def spoken_texts(document: Document, request: SubmitRequest, settings: Settings) -> list[str]:
    """Every chunk's spoken text, in order, for the voice and lexicons `request` names: the
    voice `submit` would choose (a document in Spanish without `--voice`: a Spanish voice),
    normalised in that voice's language, as its engine does."""
    from narration.connections import resolve
    from narration.engines.voices import find_voice, phoneme_symbols
    from narration.job_language import with_language
    from narration.pipeline.lexicon import for_voice
    from narration.pipeline.markup import phonemes_for_voice
    from narration.pipeline.speech_text import speakable
    from narration.pipeline.spoken_chunks import spoken_chunk_texts

    document, request = with_language(settings, request, document)
    voice = find_voice(request.voice or settings.voice, settings.voice_dirs)
    symbols = phoneme_symbols(voice)
    lexicon = None
    if request.lexicons:
        merged = resolve(settings).lexicons().load(request.lexicons)
        lexicon = for_voice(merged, symbols, voice.name)
    document = phonemes_for_voice(document, symbols, voice.name)
    prepare = functools.partial(speakable, language=voice.language)
    return spoken_chunk_texts(chunk_document(document), lexicon, prepare)


def spoken_lines(texts: list[str]) -> list[str]:
    """One line per chunk, unwrapped."""
    return [" ".join(text.split()) for text in texts]


def with_spoken(report: dict[str, Any], texts: list[str]) -> dict[str, Any]:
    """The `inspect --json --chunks` report with each chunk's `spoken` beside its `text`."""
    said = iter(texts)
    for chapter in report["chapters"]:
        for chunk in chapter["chunks"]:
            chunk["spoken"] = next(said)
    return report
