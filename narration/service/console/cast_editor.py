"""The submit form's cast editor: the speakers the chosen document has, and why a cast would be
refused, asked while the form is filled in.

`POST /console/speakers` reads the uploaded or pasted document as `submit` would read it with
a cast (a script's `LABEL:` turns; an SSML document's `<voice name>`s) and answers its speakers
in order, and the refusal `submit` would give the cast chosen so far (`job_cast.resolve_cast`),
so the form shows it by the cast before anything is sent. Nothing is stored or queued.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile

from narration.errors import InputError
from narration.job_cast import resolve_cast
from narration.job_options import validate
from narration.option_spec import Surface
from narration.pipeline.ingest import ReadingOptions, load_document
from narration.pipeline.ingest.script import speakers_of
from narration.service.console.access import media_access
from narration.service.console.pages import document_upload
from narration.service.context import context_of

router = APIRouter(prefix="/console", include_in_schema=False)


@router.post("/speakers", dependencies=[Depends(media_access)])
def speakers(
    request: Request,
    document: UploadFile | None = File(None),
    text: str = Form(""),
    text_kind: str = Form("md"),
    cast: str = Form(""),
    voice: str = Form(""),
) -> dict[str, Any]:
    """`speakers`: the labels found, in order of their first turn; `refusal`: why `submit`
    would refuse this cast ("" when it would not); `problem`: why the document cannot be read."""
    context = context_of(request)
    try:
        upload = document_upload(document, text, text_kind)
        limit = context.settings.max_input_bytes
        data = upload.file.read(limit + 1)
        if len(data) > limit:
            raise InputError(f"the document is over {limit:,} bytes")
        name = (upload.filename or "document.txt").replace("\\", "/").rsplit("/", 1)[-1]
        parsed = load_document(data, name, options=ReadingOptions(script=True))
    except InputError as error:
        return {"speakers": [], "refusal": "", "problem": str(error)}
    found = speakers_of(parsed)
    refusal = ""
    if found and (cast.strip() or parsed.extra.get("format") == "ssml"):
        try:
            chosen = validate({"cast": cast, "voice": voice}, Surface.CONSOLE)
            resolve_cast(context.settings, chosen, parsed)
        except InputError as error:
            refusal = str(error)
    return {"speakers": found, "refusal": refusal, "problem": ""}
