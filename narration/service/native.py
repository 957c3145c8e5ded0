"""The native job API: what Polly lacks. Upload a document with every `submit` option, read the
job record, follow its progress as Server-Sent Events, download artifacts (or get presigned
URLs), cancel, resume. The same `narration.jobs` functions as the CLI do the work.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any, Final

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response, StreamingResponse

from narration import jobs
from narration.adapters.bookends import AudioClip
from narration.adapters.job_record import JobRecord
from narration.adapters.job_records import FINAL_STATUSES
from narration.adapters.object_store import ObjectStore
from narration.errors import InputError
from narration.job_options import validate
from narration.option_spec import Surface
from narration.pipeline.ingest import load_document
from narration.service.auth import AuthError, check_bearer
from narration.service.byte_ranges import ranged_object
from narration.service.context import ServiceContext, checked_job_id, context_of
from narration.service.errors import ApiError
from narration.service.job_form import form_endpoint

ARTIFACTS: Final = ("audio", "sample", *jobs.WHAT_KEYS)
MAX_PRESIGN_S: Final = 7 * 24 * 3600
MAX_COVER_BYTES: Final = 10_000_000
MAX_BOOKEND_BYTES: Final = 200_000_000
"""An intro or outro upload: ten minutes of WAV at 48 kHz stereo is about 115 MB."""
_SAFE_NAME_CHARS: Final = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-"
)


def bearer_auth(request: Request) -> None:
    context = context_of(request)
    try:
        check_bearer(request.headers.get("authorization", ""), context.keys)
    except AuthError as error:
        raise ApiError(401, error.code, str(error)) from None


router = APIRouter(prefix="/v1/jobs", tags=["Jobs"], dependencies=[Depends(bearer_auth)])


def _document_name(filename: str | None) -> str:
    """Only the upload's base name, and only safe characters: its extension picks the parser."""
    base = (filename or "document.txt").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch if ch in _SAFE_NAME_CHARS else "_" for ch in base)[:200]
    return cleaned or "document.txt"


def _read_upload(upload: UploadFile, limit: int, what: str) -> bytes:
    data = upload.file.read(limit + 1)
    if len(data) > limit:
        raise InputError(f"{what} is over {limit:,} bytes")
    return data


@router.post("", status_code=201, summary="Submit a document")
@form_endpoint(Surface.NATIVE, files=True)
def submit_job(
    request: Request,
    options: dict[str, Any],
    uploads: dict[str, UploadFile | None],
    document: UploadFile = File(..., description="EPUB, HTML, Markdown or text."),
) -> Mapping[str, Any]:
    """Every job option as a form field (`job_options`), the document and the files as uploads."""
    context = context_of(request)
    submit_request = validate(options, Surface.NATIVE)
    cover_image = None
    cover = uploads["cover"]
    if cover is not None and cover.filename:
        cover_bytes = _read_upload(cover, MAX_COVER_BYTES, "the cover image")
        cover_image = jobs.Cover.from_bytes(cover_bytes, _document_name(cover.filename))
    bookends = (
        _audio_clip(uploads["intro"], "the intro"),
        _audio_clip(uploads["outro"], "the outro"),
    )
    return submit_upload(context, document, submit_request, cover_image, bookends)


def _audio_clip(upload: UploadFile | None, what: str) -> AudioClip | None:
    if upload is None or not upload.filename:
        return None
    data = _read_upload(upload, MAX_BOOKEND_BYTES, what)
    return AudioClip(data, _document_name(upload.filename))


def submit_upload(
    context: ServiceContext,
    document: UploadFile,
    submit_request: jobs.SubmitRequest,
    cover: jobs.Cover | None = None,
    bookends: tuple[AudioClip | None, AudioClip | None] = (None, None),
) -> JobRecord:
    """Check the options against the service's voices and settings, parse the uploaded document
    and start its job (the console's submit form comes here too); the new job record, with what
    the parser skipped."""
    settings = context.settings
    voice = submit_request.voice
    if voice and voice not in context.voices:
        raise InputError(f"voice {voice[:100]!r} is not available")
    jobs.job_options(settings, submit_request)
    data = _read_upload(document, settings.max_input_bytes, "the document")
    parsed = load_document(
        data,
        _document_name(document.filename),
        skip_front_matter=not submit_request.keep_front_matter,
        options=jobs.reading_options(submit_request),
    )
    record = jobs.submit(
        context.services,
        settings,
        parsed,
        submit_request,
        cover=cover,
        intro=bookends[0],
        outro=bookends[1],
    )
    record["skipped"] = [item.__dict__ for item in parsed.skipped]
    return record


@router.get("", summary="List jobs, newest first")
def list_jobs(request: Request, limit: int = Query(100, ge=1, le=1000)) -> dict[str, Any]:
    return {"jobs": context_of(request).services.records().list(limit)}


@router.get("/{job_id}", summary="A job record")
def get_job(job_id: str, request: Request) -> Mapping[str, Any]:
    checked_job_id(job_id)
    return context_of(request).services.records().get(job_id)


@router.get("/{job_id}/proof", summary="A --proof job's report: every chunk, the suspects")
def get_proof(job_id: str, request: Request) -> Mapping[str, Any]:
    """The same JSON as `narrate proof JOB --json`: `proof` (the summary), `chunks` (each
    chunk's score, what was heard and its takes, as far as proofed) and `suspects` (where to
    listen, with a PLS lexeme to start a fix from). 400 for a job submitted without `proof`."""
    from narration.production.proofing.report import proof_report

    checked_job_id(job_id)
    services = context_of(request).services
    services.records().get(job_id)
    return proof_report(services.chunks(job_id))


@router.get("/{job_id}/events", summary="Progress as Server-Sent Events")
def job_events(job_id: str, request: Request) -> StreamingResponse:
    """One event per record change (`queued`, `chunk`, `running`, …); the stream ends with
    the job's final status. Comments keep idle connections open."""
    checked_job_id(job_id)
    records = context_of(request).services.records()
    records.get(job_id)

    def stream() -> Iterator[str]:
        for event in records.follow(job_id, block_ms=5000):
            if event is None:
                if records.get(job_id)["status"] in FINAL_STATUSES:
                    return
                yield ": still working\n\n"
                continue
            yield f"event: {event['kind']}\ndata: {json.dumps(event)}\n\n"
            if event["kind"] in FINAL_STATUSES:
                return

    return StreamingResponse(
        stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
    )


@router.get("/{job_id}/artifacts/{what}", summary="Download an artifact, or a presigned URL")
def get_artifact(
    job_id: str,
    what: str,
    request: Request,
    presign: bool = False,
    expires: int = Query(3600, ge=1, le=MAX_PRESIGN_S),
) -> Response:
    """`what`: audio, sample (the retail sample), manifest, vtt, srt or marks. With
    `presign=true`, `{"url", "expires_in"}`."""
    if what not in ARTIFACTS:
        raise InputError(f"artifact must be one of {', '.join(ARTIFACTS)}")
    checked_job_id(job_id)
    store, key = jobs.artifact(context_of(request).services, job_id, what)
    return _object_answer(store, key, request, presign, expires)


@router.get("/{job_id}/chapters/{number}", summary="Download a chapter file, or a presigned URL")
def get_chapter_file(
    job_id: str,
    number: int,
    request: Request,
    presign: bool = False,
    expires: int = Query(3600, ge=1, le=MAX_PRESIGN_S),
) -> Response:
    """The `number`th (from 1) of a job's chapter files (`split_chapters`, or the acx preset)."""
    checked_job_id(job_id)
    store, key = jobs.chapter_file(context_of(request).services, job_id, number)
    return _object_answer(store, key, request, presign, expires)


def _object_answer(
    store: ObjectStore, key: str, request: Request, presign: bool, expires: int
) -> Response:
    """The object streamed through the service (byte ranges served), or with `presign` a
    presigned URL to it."""
    if presign:
        return JSONResponse({"url": store.presign(key, expires), "expires_in": expires})
    name = key.rsplit("/", 1)[-1]
    return ranged_object(store, key, request, f'attachment; filename="{name}"')


@router.post("/{job_id}/cancel", summary="Cancel a job")
def cancel_job(job_id: str, request: Request) -> Mapping[str, Any]:
    checked_job_id(job_id)
    services = context_of(request).services
    jobs.cancel(services, job_id)
    return services.records().get(job_id)


@router.post("/{job_id}/resume", summary="Resume a job that did not succeed")
def resume_job(job_id: str, request: Request) -> dict[str, Any]:
    checked_job_id(job_id)
    services = context_of(request).services
    missing = jobs.resume(services, job_id)
    return {**services.records().get(job_id), "chunks_to_make": missing}
