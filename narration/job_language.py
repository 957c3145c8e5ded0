"""A document's language, and the voice it picks when the job names none.

The language comes from `--language` (the native API's `language`), else from the document's
metadata (`dc:language`, `<html lang>`, DOCX core properties). A document in a language other
than English, submitted without `--voice` or a cast, is read by the best-graded installed voice
of that language in the voice catalogue (`ef_dora` for Spanish); with none installed it keeps
the default voice, as before. An English document keeps the default voice.
"""

from __future__ import annotations

from dataclasses import replace

from narration.engines.catalogue import CatalogueVoice, catalogue
from narration.job_options import SubmitRequest
from narration.pipeline.document import Document
from narration.settings import Settings

_GRADE_ORDER = ("A", "A-", "B", "B-", "C+", "C", "C-", "D+", "D", "D-", "F+", "F", "F-")


def primary(language: str) -> str:
    """ "es-MX", "es_MX" → "es"."""
    return language.replace("_", "-").split("-", 1)[0].lower()


def with_language(
    settings: Settings, request: SubmitRequest, document: Document
) -> tuple[Document, SubmitRequest]:
    """The document in its language (`--language` over its metadata), and the request with a
    voice of that language when it names none."""
    if request.language:
        document = replace(document, language=request.language)
    if request.voice or request.cast or primary(document.language) == "en":
        return document, request
    voice = voice_for(primary(document.language), catalogue(settings.voice_dirs))
    return document, replace(request, voice=voice) if voice else request


def voice_for(language: str, voices: list[CatalogueVoice]) -> str:
    """The best-graded voice of `language` (a primary subtag), "" when none is installed."""
    fitting = [voice for voice in voices if primary(voice.language) == language]
    ranked = sorted(fitting, key=lambda voice: _rank(voice.grade))
    return ranked[0].voice.name if ranked else ""


def _rank(grade: str | None) -> int:
    return _GRADE_ORDER.index(grade) if grade in _GRADE_ORDER else len(_GRADE_ORDER)
