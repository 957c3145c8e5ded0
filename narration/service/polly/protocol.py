"""What every Polly operation shares: AWS Signature V4 on each request, and request bodies that
ignore fields we do not use (boto3 sends some that only AWS reads)."""

from __future__ import annotations

from typing import Final

from fastapi import Request
from pydantic import BaseModel, ConfigDict

from narration.service.context import context_of
from narration.service.errors import ApiError
from narration.service.sigv4 import SignatureError, SignedRequest, verify

SERVICE_NAME: Final = "polly"


async def polly_auth(request: Request) -> None:
    """Verify the AWS Signature V4 of a request when keys are configured."""
    context = context_of(request)
    if not context.keys:
        return
    signed = SignedRequest(
        method=request.method,
        raw_path=request.scope.get("raw_path", request.url.path.encode()).decode("latin-1"),
        query=request.scope.get("query_string", b"").decode("latin-1"),
        headers={name.lower(): value for name, value in request.headers.items()},
        body=await request.body(),
    )
    try:
        verify(signed, context.keys, SERVICE_NAME)
    except SignatureError as error:
        raise ApiError(403, error.code, str(error)) from None


class PollyModel(BaseModel):
    model_config = ConfigDict(extra="ignore")
