"""Polly's DescribeVoices: the service's voices, each with the one engine it offers."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from narration.service.context import context_of
from narration.service.errors import ApiError
from narration.service.polly.protocol import polly_auth
from narration.service.polly.synthesis_request import language_code

router = APIRouter(tags=["Polly"], dependencies=[Depends(polly_auth)])


@router.get("/v1/voices", summary="DescribeVoices")
def describe_voices(
    request: Request, Engine: str = "", LanguageCode: str = "", NextToken: str = ""
) -> dict[str, Any]:
    context = context_of(request)
    if NextToken:
        raise ApiError(400, "InvalidNextTokenException", "NextToken is not valid")
    voices = []
    for voice in context.voices.values():
        code = language_code(voice.language)
        if Engine and Engine != "standard":
            continue
        if LanguageCode and LanguageCode != code:
            continue
        voices.append(
            {
                "Id": voice.name,
                "Name": voice.name,
                "LanguageCode": code,
                "SupportedEngines": ["standard"],
            }
        )
    return {"Voices": voices}
