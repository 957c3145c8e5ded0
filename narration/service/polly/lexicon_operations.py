"""Polly's lexicon operations: PutLexicon, GetLexicon, ListLexicons, DeleteLexicon.

They use the one lexicon store (`adapters.lexicons`) that `narrate lexicon` and `submit
--lexicon` use, so a lexicon put through boto3 is the lexicon a CLI job names, and the other
way round. Polly's lexicon names and limits are ours already (1-20 letters and digits, at most
five per request). An unknown name raises `LexiconNotFound`, which the app's error handler
answers as Polly's LexiconNotFoundException (404). `LastModified` is not reported: the store
keeps no modification time.
"""

from __future__ import annotations

import base64
from typing import Any, Final

from fastapi import APIRouter, Depends, Request

from narration.adapters.lexicons import LexiconAttributes
from narration.errors import InputError
from narration.pipeline.lexicon import check_name
from narration.service.context import context_of
from narration.service.errors import ApiError
from narration.service.polly.protocol import PollyModel, polly_auth

LIST_PAGE: Final = 100
ARN_PREFIX: Final = "arn:aws:polly:local:000000000000:lexicon/"

router = APIRouter(tags=["Polly"], dependencies=[Depends(polly_auth)])


class PutLexiconRequest(PollyModel):
    Content: str


def _name(name: str) -> str:
    try:
        return check_name(name)
    except InputError as error:
        raise ApiError(400, "ValidationException", str(error)) from None


def _attributes(found: LexiconAttributes) -> dict[str, Any]:
    return {
        "Alphabet": found.alphabet,
        "LanguageCode": found.language,
        "LexemesCount": found.lexemes,
        "LexiconArn": f"{ARN_PREFIX}{found.name}",
        "Size": found.size,
    }


@router.put("/v1/lexicons/{LexiconName}", summary="PutLexicon")
def put_lexicon(LexiconName: str, body: PutLexiconRequest, request: Request) -> dict[str, Any]:
    """Check and store a lexicon; a lexicon the voices cannot read is refused as invalid."""
    lexicons = context_of(request).services.lexicons()
    try:
        lexicons.put(_name(LexiconName), body.Content.encode())
    except InputError as error:
        raise ApiError(400, _put_error_code(str(error)), str(error)) from None
    return {}


def _put_error_code(message: str) -> str:
    if "alphabet" in message:
        return "UnsupportedPlsAlphabetException"
    if "the limit is" in message:
        return "LexiconSizeExceededException"
    return "InvalidLexiconException"


@router.get("/v1/lexicons/{LexiconName}", summary="GetLexicon")
def get_lexicon(LexiconName: str, request: Request) -> dict[str, Any]:
    lexicons = context_of(request).services.lexicons()
    name = _name(LexiconName)
    content = lexicons.get(name)
    found = lexicons.describe(name)
    return {
        "Lexicon": {"Name": name, "Content": content.decode()},
        "LexiconAttributes": _attributes(found),
    }


@router.get("/v1/lexicons", summary="ListLexicons")
def list_lexicons(request: Request, NextToken: str = "") -> dict[str, Any]:
    """Lexicons in name order, a page of `LIST_PAGE` at a time."""
    lexicons = context_of(request).services.lexicons()
    try:
        after = base64.urlsafe_b64decode(NextToken.encode()).decode() if NextToken else ""
    except ValueError:
        raise ApiError(400, "InvalidNextTokenException", "NextToken is not valid") from None
    names = [name for name in lexicons.names() if name > after]
    page = names[:LIST_PAGE]
    answer: dict[str, Any] = {
        "Lexicons": [
            {"Name": name, "Attributes": _attributes(lexicons.describe(name))} for name in page
        ]
    }
    if len(names) > LIST_PAGE:
        answer["NextToken"] = base64.urlsafe_b64encode(page[-1].encode()).decode()
    return answer


@router.delete("/v1/lexicons/{LexiconName}", summary="DeleteLexicon")
def delete_lexicon(LexiconName: str, request: Request) -> dict[str, Any]:
    lexicons = context_of(request).services.lexicons()
    lexicons.delete(_name(LexiconName))
    return {}
