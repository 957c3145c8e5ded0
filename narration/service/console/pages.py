"""The console's pages: sign in, the job list, the submit form, a job's page.

Server-rendered HTML (Jinja2, autoescaped); `static/console.js` refreshes the live parts from
the fragments served here (`/rows`, `/status`, `/details`) when the job's progress events say
something changed. Submissions, cancels and resumes go through the same functions as the
native API's (`native.submit_upload`, `narration.jobs`).
"""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from narration import jobs
from narration.errors import CastRefused, InputError, JobNotFound
from narration.job_options import options_on, validate
from narration.option_spec import Surface
from narration.pipeline.formats import FORMATS
from narration.service import native
from narration.service.console import loudness_plot
from narration.service.console.access import (
    media_access,
    safe_next,
    signed_in,
    to_sign_in,
)
from narration.service.console.media import read_manifest
from narration.service.console.progress import progress_of
from narration.service.console.session import (
    COOKIE_NAME,
    COOKIE_PATH,
    SESSION_S,
    issue,
    key_for_secret,
)
from narration.service.context import checked_job_id, context_of
from narration.service.job_form import form_endpoint
from narration.service.speech import SPEECH_KIND

if TYPE_CHECKING:
    from narration.connections import Services

HERE: Final = Path(__file__).parent
STATIC: Final = {
    str(path.relative_to(HERE / "static")): path
    for path in (HERE / "static").rglob("*")
    if path.is_file() and path.suffix in (".css", ".js")
}
STATIC_TYPES: Final = {".css": "text/css", ".js": "text/javascript"}
JOBS_SHOWN: Final = 100
NOTICES: Final = {
    "cancelled": "The job was cancelled: no chunk starts after this.",
    "resumed": "The job was resumed: its missing chunks are queued again.",
    "refused": "That could not be done: the job has already ended that way.",
}
DOWNLOADS: Final = (
    ("audio", "Audio"),
    ("vtt", "Captions (WebVTT)"),
    ("srt", "Captions (SubRip)"),
    ("marks", "Speech marks (JSON)"),
    ("manifest", "Manifest (JSON)"),
)

templates = Jinja2Templates(directory=HERE / "templates")
router = APIRouter(prefix="/console", include_in_schema=False)


def _page(request: Request, name: str, status: int = 200, **values: Any) -> HTMLResponse:
    values.setdefault("signed_in_as", signed_in(request))
    values.setdefault("keys_configured", bool(context_of(request).keys))
    return templates.TemplateResponse(request, name, values, status_code=status)


@router.get("")
def home() -> RedirectResponse:
    return RedirectResponse("/console/jobs", status_code=303)


@router.get("/static/{name:path}")
def static(name: str) -> Response:
    path = STATIC.get(name)
    if path is None:
        return Response("not found", status_code=404, media_type="text/plain")
    return Response(
        path.read_bytes(),
        media_type=STATIC_TYPES[path.suffix],
        headers={"Cache-Control": "public, max-age=3600"},
    )


@router.get("/sign-in")
def sign_in_page(request: Request, next: str = "/console/jobs") -> Response:
    if signed_in(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _page(request, "sign_in.html", next=safe_next(next), error="")


@router.post("/sign-in")
def sign_in(
    request: Request, secret: str = Form(""), next: str = Form("/console/jobs")
) -> Response:
    keys = context_of(request).keys
    if not keys:
        return RedirectResponse(safe_next(next), status_code=303)
    key_id = key_for_secret(keys, secret.strip()) if secret.strip() else None
    if key_id is None:
        error = "That is not the secret of a configured API key."
        return _page(request, "sign_in.html", 401, next=safe_next(next), error=error)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        COOKIE_NAME,
        issue(keys, key_id),
        max_age=SESSION_S,
        path=COOKIE_PATH,
        secure=True,
        httponly=True,
        samesite="strict",
    )
    return response


@router.post("/sign-out")
def sign_out() -> Response:
    response = RedirectResponse("/console/sign-in", status_code=303)
    response.delete_cookie(
        COOKIE_NAME, path=COOKIE_PATH, secure=True, httponly=True, samesite="strict"
    )
    return response


@router.get("/jobs")
def jobs_page(request: Request, show: str = "jobs") -> Response:
    """The jobs, newest first; with `show=speech`, the speech requests instead (SynthesizeSpeech
    and OpenAI speech: each is a job of its own, but not one a person submitted)."""
    if signed_in(request) is None:
        return to_sign_in(request)
    shown = _shown(show)
    return _page(request, "jobs.html", rows=_rows(request, shown), show=shown)


@router.get("/jobs/rows", dependencies=[Depends(media_access)])
def jobs_rows(request: Request, show: str = "jobs") -> Response:
    return _page(request, "_rows.html", rows=_rows(request, _shown(show)))


def _shown(show: str) -> str:
    return "speech" if show == "speech" else "jobs"


def _rows(request: Request, shown: str) -> list[Any]:
    now = time.time()
    speech = shown == "speech"
    records, _ = (
        context_of(request)
        .services.records()
        .page("", JOBS_SHOWN, lambda record: (record.get("kind") == SPEECH_KIND) == speech)
    )
    return [progress_of(record, now) for record in records]


FIELD_CHOICES: Final = {"voice": "voices", "format": "formats"}
"""Options the form offers as a list: the voice catalogue, the formats."""


def voice_label(voice: dict[str, Any]) -> str:
    """How the picker names a voice: `af_heart (en-US, female, grade A)`."""
    facts = [voice["language"], voice["gender"]]
    if voice["grade"]:
        facts.append(f"grade {voice['grade']}")
    return f"{voice['name']} ({', '.join(facts)})"


def _submit_values(request: Request, **chosen: Any) -> dict[str, Any]:
    context = context_of(request)
    voices = [voice.row() for voice in context.catalogue]
    choices = {"voices": [voice["name"] for voice in voices], "formats": list(FORMATS)}
    labels = {"voices": {voice["name"]: voice_label(voice) for voice in voices}}
    fields = [
        {
            "name": item.name,
            "label": item.spec.label,
            "help": item.spec.help,
            "kind": "checkbox"
            if item.type is bool
            else "select"
            if item.name in FIELD_CHOICES
            else "cast"
            if item.name == "cast"
            else "text",
            "choices": choices.get(FIELD_CHOICES.get(item.name, ""), []),
            "labels": labels.get(FIELD_CHOICES.get(item.name, ""), {}),
        }
        for item in options_on(Surface.CONSOLE)
    ]
    return {
        "voices": voices,
        "fields": fields,
        "chosen": {
            "voice": context.settings.voice,
            "format": context.settings.format,
            **chosen,
        },
    }


@router.get("/submit")
def submit_page(request: Request) -> Response:
    if signed_in(request) is None:
        return to_sign_in(request)
    return _page(request, "submit.html", error="", cast_error="", **_submit_values(request))


@router.post("/submit")
@form_endpoint(Surface.CONSOLE)
def submit(
    request: Request,
    options: dict[str, Any],
    document: UploadFile | None = File(None),
    text: str = Form(""),
    text_kind: str = Form("md"),
) -> Response:
    """The document (a file, or pasted text) and the options the form shows (`job_options`)."""
    if signed_in(request) is None:
        return to_sign_in(request)
    context = context_of(request)
    try:
        upload = document_upload(document, text, text_kind)
        record = native.submit_upload(context, upload, validate(options, Surface.CONSOLE))
    except InputError as error:
        values = _submit_values(request, **options, text=text)
        # a cast's refusal is shown by the cast editor, the others above the form
        by_cast = isinstance(error, CastRefused)
        return _page(request, "submit.html", 400, error="" if by_cast else str(error),
                     cast_error=str(error) if by_cast else "", **values)  # fmt: skip
    return RedirectResponse(f"/console/jobs/{record['job_id']}", status_code=303)


def document_upload(document: UploadFile | None, text: str, text_kind: str) -> UploadFile:
    """The uploaded file, else the pasted text as a Markdown or plain-text upload."""
    if document is not None and document.filename:
        return document
    if not text.strip():
        raise InputError("choose a document to upload or paste its text")
    suffix = "md" if text_kind == "md" else "txt"
    return UploadFile(io.BytesIO(text.encode()), filename=f"pasted.{suffix}")


def _job_values(request: Request, job_id: str) -> dict[str, Any]:
    checked_job_id(job_id)
    services = context_of(request).services
    record = services.records().get(job_id)
    progress = progress_of(record, time.time())
    values: dict[str, Any] = {
        "job": progress,
        "record": record,
        "hls": bool((record.get("options") or {}).get("hls")),
        "manifest": None,
        "plot": None,
        "downloads": DOWNLOADS,
        "suspects": None,
    }
    if progress.status == "succeeded":
        manifest = read_manifest(services, job_id)
        values["manifest"] = manifest
        values["plot"] = loudness_plot.job_plot(services, job_id, manifest)
        if (record.get("options") or {}).get("proof"):
            values["suspects"] = listened_suspects(services, job_id)
    return values


def listened_suspects(services: Services, job_id: str) -> list[dict[str, Any]]:
    """A proofed job's suspects, each with where its button starts playing: a second before
    the word (docs/PROOFING.md)."""
    from narration.production.proofing.report import proof_report

    return [
        {**suspect, "play_s": max(0.0, suspect["time"] / 1000 - 1.0)}
        for suspect in proof_report(services.chunks(job_id))["suspects"]
    ]


@router.get("/jobs/{job_id}")
def job_page(request: Request, job_id: str, notice: str = "") -> Response:
    if signed_in(request) is None:
        return to_sign_in(request)
    try:
        values = _job_values(request, job_id)
    except JobNotFound:
        return _page(request, "not_found.html", 404, job_id=job_id[:64])
    return _page(request, "job.html", notice=NOTICES.get(notice, ""), **values)


@router.get("/jobs/{job_id}/status", dependencies=[Depends(media_access)])
def job_status(request: Request, job_id: str) -> Response:
    return _page(request, "_progress.html", **_job_values(request, job_id))


@router.get("/jobs/{job_id}/details", dependencies=[Depends(media_access)])
def job_details(request: Request, job_id: str) -> Response:
    return _page(request, "_details.html", **_job_values(request, job_id))


@router.post("/jobs/{job_id}/cancel")
def cancel(request: Request, job_id: str) -> Response:
    return _act(request, job_id, "cancelled")


@router.post("/jobs/{job_id}/resume")
def resume(request: Request, job_id: str) -> Response:
    return _act(request, job_id, "resumed")


def _act(request: Request, job_id: str, done: str) -> Response:
    if signed_in(request) is None:
        return to_sign_in(request)
    checked_job_id(job_id)
    services = context_of(request).services
    try:
        if done == "cancelled":
            jobs.cancel(services, job_id)
        else:
            jobs.resume(services, job_id)
    except InputError:
        done = "refused"
    return RedirectResponse(f"/console/jobs/{job_id}?notice={done}", status_code=303)
