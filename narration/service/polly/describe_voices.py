"""Polly's DescribeVoices: the voice catalogue, each voice with the one engine it offers."""

from __future__ import annotations

from typing import Any, Final

from fastapi import APIRouter, Depends, Request

from narration.engines.catalogue import CatalogueVoice
from narration.service.context import context_of
from narration.service.errors import ApiError
from narration.service.polly.protocol import polly_auth

GENDERS: Final = {"female": "Female", "male": "Male"}
LANGUAGE_NAMES: Final = {
    "en-US": "US English",
    "en-GB": "British English",
    "es": "Spanish",
    "fr": "French",
    "hi": "Hindi",
    "it": "Italian",
    "ja": "Japanese",
    "pt-BR": "Brazilian Portuguese",
    "zh": "Chinese Mandarin",
}
"""Polly's names for the languages our voices speak."""

router = APIRouter(tags=["Polly"], dependencies=[Depends(polly_auth)])


@router.get("/v1/voices", summary="DescribeVoices")
def describe_voices(
    request: Request, Engine: str = "", LanguageCode: str = "", NextToken: str = ""
) -> dict[str, Any]:
    context = context_of(request)
    if NextToken:
        raise ApiError(400, "InvalidNextTokenException", "NextToken is not valid")
    if Engine and Engine != "standard":
        return {"Voices": []}
    return {
        "Voices": [
            polly_voice(entry)
            for entry in context.catalogue
            if not LanguageCode or LanguageCode == entry.language
        ]
    }


def polly_voice(entry: CatalogueVoice) -> dict[str, Any]:
    """A catalogue voice as Polly describes one; `Gender` only where the catalogue knows it."""
    voice: dict[str, Any] = {
        "Id": entry.name,
        "Name": entry.name,
        "LanguageCode": entry.language,
        "SupportedEngines": ["standard"],
    }
    if entry.language in LANGUAGE_NAMES:
        voice["LanguageName"] = LANGUAGE_NAMES[entry.language]
    if entry.gender in GENDERS:
        voice["Gender"] = GENDERS[entry.gender]
    return voice
