"""The Amazon Polly API, so that `boto3.client("polly", endpoint_url=...)` works unmodified.

Operations: StartSpeechSynthesisTask, GetSpeechSynthesisTask, ListSpeechSynthesisTasks,
DescribeVoices, SynthesizeSpeech. A task is a job (its TaskId is the job id); its Polly fields
live in the job record's `polly` field. Formats the stitcher writes directly (mp3, ogg) go to
the caller's bucket and key; pcm and json (speech marks) are rendered as a WAV (or MP3) job and
converted into the caller's object once the job has succeeded, before the task reads
`completed`. See docs/API.md for the mapping of each field.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any, Final

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from narration import jobs
from narration.adapters.job_record import JobRecord
from narration.adapters.job_records import new_job_id
from narration.adapters.object_store import validate_key
from narration.errors import InputError
from narration.pipeline.document import Document
from narration.pipeline.ingest import load_document
from narration.pipeline.lexicon import MAX_JOB_LEXICONS
from narration.service import speech
from narration.service.context import ServiceContext, checked_job_id, context_of
from narration.service.errors import ApiError
from narration.service.sigv4 import SignatureError, SignedRequest, verify

SERVICE_NAME: Final = "polly"
OUR_FORMAT: Final = {"mp3": "mp3", "ogg_vorbis": "ogg", "ogg_opus": "opus", "pcm": "wav"}
EXTENSION: Final = {
    "mp3": "mp3",
    "ogg_vorbis": "ogg",
    "ogg_opus": "ogg",
    "pcm": "pcm",
    "json": "marks",
}
CONTENT_TYPE: Final = {
    "mp3": "audio/mpeg",
    "ogg_vorbis": "audio/ogg",
    "ogg_opus": "audio/ogg",
    "pcm": "audio/pcm",
    "json": "application/x-json-stream",
}
SAMPLE_RATES: Final = {
    "mp3": ("8000", "16000", "22050", "24000"),
    "ogg_vorbis": ("8000", "16000", "22050", "24000"),
    "ogg_opus": ("8000", "16000", "24000", "48000"),
    "pcm": ("8000", "16000"),
    "json": ("8000", "16000", "22050", "24000"),
}
DEFAULT_PCM_RATE: Final = "16000"
MARK_TYPES: Final = ("sentence", "ssml", "word")
TASK_STATUS: Final = {
    "queued": "scheduled",
    "running": "inProgress",
    "stitching": "inProgress",
    "succeeded": "completed",
    "failed": "failed",
    "cancelled": "failed",
}
POLLY_STATUSES: Final = ("scheduled", "inProgress", "completed", "failed")
MAX_LIST_RESULTS: Final = 100
_BUCKET: Final = re.compile(r"^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$")
_KEY_PREFIX: Final = re.compile(r"^[0-9a-zA-Z/!\-_.*'():]{0,800}$")


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


router = APIRouter(tags=["Polly"], dependencies=[Depends(polly_auth)])


class PollyModel(BaseModel):
    model_config = ConfigDict(extra="ignore")


class SynthesisRequest(PollyModel):
    """The fields StartSpeechSynthesisTask and SynthesizeSpeech share."""

    Text: str
    VoiceId: str
    OutputFormat: str
    TextType: str = "text"
    SampleRate: str | None = None
    SpeechMarkTypes: list[str] = Field(default_factory=list)
    LexiconNames: list[str] = Field(default_factory=list)
    Engine: str | None = None
    LanguageCode: str | None = None


class StartTaskRequest(SynthesisRequest):
    OutputS3BucketName: str
    OutputS3KeyPrefix: str = ""
    SnsTopicArn: str | None = None


def _check_request(context: ServiceContext, body: SynthesisRequest) -> dict[str, Any]:
    """Polly's checks, in Polly's words; the task fields to record."""
    if body.TextType not in ("text", "ssml"):
        raise ApiError(400, "ValidationException", "TextType must be text or ssml")
    _check_lexicons(context, body.LexiconNames)
    if body.Engine not in (None, "standard"):
        raise ApiError(
            400,
            "EngineNotSupportedException",
            f"engine {body.Engine!r} is not available; this service offers standard (Piper)",
        )
    if body.OutputFormat not in CONTENT_TYPE:
        raise ApiError(
            400, "ValidationException", f"OutputFormat must be one of {', '.join(CONTENT_TYPE)}"
        )
    if body.SampleRate is not None and body.SampleRate not in SAMPLE_RATES[body.OutputFormat]:
        raise ApiError(
            400,
            "InvalidSampleRateException",
            f"SampleRate {body.SampleRate} is not valid for {body.OutputFormat}",
        )
    marks = body.SpeechMarkTypes
    if body.OutputFormat == "json":
        if not marks:
            raise ApiError(400, "ValidationException", "json output needs SpeechMarkTypes")
        unsupported = [kind for kind in marks if kind not in MARK_TYPES]
        if unsupported:
            raise ApiError(
                400,
                "ValidationException",
                f"speech mark type {unsupported[0]!r} is not supported; "
                f"use {', '.join(MARK_TYPES)}",
            )
        if "ssml" in marks and body.TextType != "ssml":
            raise ApiError(
                400,
                "SsmlMarksNotSupportedForTextTypeException",
                "ssml speech marks need TextType ssml",
            )
    elif marks:
        raise ApiError(
            400,
            "MarksNotSupportedForFormatException",
            "SpeechMarkTypes are only valid with OutputFormat json",
        )
    if body.VoiceId not in context.voices:
        raise ApiError(
            400,
            "ValidationException",
            f"VoiceId {body.VoiceId[:100]!r} is not a voice of this service (see DescribeVoices)",
        )
    rate = body.SampleRate or (DEFAULT_PCM_RATE if body.OutputFormat == "pcm" else None)
    return {
        "Engine": body.Engine or "standard",
        "LanguageCode": body.LanguageCode or _language_code(context.voices[body.VoiceId].language),
        "LexiconNames": body.LexiconNames,
        "OutputFormat": body.OutputFormat,
        "SampleRate": rate or str(context.voices[body.VoiceId].sample_rate),
        "SpeechMarkTypes": marks,
        "TextType": body.TextType,
        "VoiceId": body.VoiceId,
        "RequestCharacters": len(body.Text),
    }


def _check_lexicons(context: ServiceContext, names: list[str]) -> None:
    if len(names) > MAX_JOB_LEXICONS:
        raise ApiError(
            400, "ValidationException", f"LexiconNames may name at most {MAX_JOB_LEXICONS}"
        )
    stored = set(context.services.lexicons().names()) if names else set()
    for name in names:
        if name not in stored:
            raise ApiError(404, "LexiconNotFoundException", f"lexicon {name!r} does not exist")


def _document(body: SynthesisRequest, name: str) -> Document:
    """The request's text or SSML as a document; SSML's errors say where, in Polly's code."""
    try:
        return load_document(body.Text.encode(), name, text_type=body.TextType)
    except InputError as error:
        if body.TextType == "ssml":
            raise ApiError(400, "InvalidSsmlException", str(error)) from None
        raise


def _language_code(language: str) -> str:
    return language.replace("_", "-")


def _submit_request(fields: dict[str, Any], output: str = "") -> jobs.SubmitRequest:
    fmt = OUR_FORMAT.get(fields["OutputFormat"], "mp3")
    return jobs.SubmitRequest(
        voice=fields["VoiceId"],
        format=fmt,
        output=output,
        lexicons=tuple(fields["LexiconNames"]),
        text_type=fields["TextType"],
    )


@router.post("/v1/synthesisTasks", summary="StartSpeechSynthesisTask")
def start_speech_synthesis_task(body: StartTaskRequest, request: Request) -> dict[str, Any]:
    context = context_of(request)
    fields = _check_request(context, body)
    if len(body.Text.encode()) > context.settings.max_input_bytes:
        raise ApiError(
            400,
            "TextLengthExceededException",
            f"Text is over {context.settings.max_input_bytes:,} bytes (setting max_input_bytes)",
        )
    if not body.Text.strip():
        raise ApiError(400, "ValidationException", "Text is empty")
    if not _BUCKET.match(body.OutputS3BucketName) or ".." in body.OutputS3BucketName:
        raise ApiError(400, "InvalidS3BucketException", "OutputS3BucketName is not a valid name")
    if not _KEY_PREFIX.match(body.OutputS3KeyPrefix) or ".." in body.OutputS3KeyPrefix:
        raise ApiError(400, "InvalidS3KeyException", "OutputS3KeyPrefix is not a valid key prefix")
    services = context.services
    if not services.store(body.OutputS3BucketName).bucket_exists():
        raise ApiError(
            400,
            "InvalidS3BucketException",
            f"bucket {body.OutputS3BucketName} does not exist or this service may not write it",
        )
    job_id = new_job_id()
    key = f"{body.OutputS3KeyPrefix}{job_id}.{EXTENSION[body.OutputFormat]}"
    try:
        validate_key(key)
    except InputError as error:
        raise ApiError(400, "InvalidS3KeyException", str(error)) from None
    fields["OutputUri"] = f"{services.s3_endpoint.rstrip('/')}/{body.OutputS3BucketName}/{key}"
    fields["OutputLocation"] = f"s3://{body.OutputS3BucketName}/{key}"
    if body.SnsTopicArn:
        fields["SnsTopicArn"] = body.SnsTopicArn
    direct = body.OutputFormat in ("mp3", "ogg_vorbis", "ogg_opus")
    document = _document(body, "task.txt")
    record = jobs.submit(
        services,
        context.settings,
        document,
        _submit_request(fields, fields["OutputLocation"] if direct else ""),
        job_id=job_id,
        fields={"kind": "polly", "polly": json.dumps(fields)},
    )
    return {"SynthesisTask": _task(context, record)}


@router.get("/v1/synthesisTasks/{TaskId}", summary="GetSpeechSynthesisTask")
def get_speech_synthesis_task(TaskId: str, request: Request) -> dict[str, Any]:
    context = context_of(request)
    if not re.match(r"^[a-zA-Z0-9_-]{1,128}$", TaskId):
        raise ApiError(400, "InvalidTaskIdException", "TaskId is not valid")
    try:
        checked_job_id(TaskId)
        record = context.services.records().get(TaskId)
    except InputError:
        raise ApiError(404, "SynthesisTaskNotFoundException", f"no task {TaskId}") from None
    if "polly" not in record:
        raise ApiError(404, "SynthesisTaskNotFoundException", f"no task {TaskId}")
    return {"SynthesisTask": _task(context, record)}


@router.get("/v1/synthesisTasks", summary="ListSpeechSynthesisTasks")
def list_speech_synthesis_tasks(
    request: Request,
    MaxResults: int = Query(MAX_LIST_RESULTS, ge=1, le=MAX_LIST_RESULTS),
    NextToken: str = "",
    Status: str = "",
) -> dict[str, Any]:
    context = context_of(request)
    if Status and Status not in POLLY_STATUSES:
        raise ApiError(400, "ValidationException", f"Status must be one of {POLLY_STATUSES}")
    try:
        cursor = base64.urlsafe_b64decode(NextToken.encode()).decode() if NextToken else ""
        if cursor:
            float(cursor)
    except ValueError:
        raise ApiError(400, "InvalidNextTokenException", "NextToken is not valid") from None

    def wanted(record: JobRecord) -> bool:
        return "polly" in record and (not Status or TASK_STATUS[record["status"]] == Status)

    records, after = context.services.records().page(cursor, MaxResults, wanted)
    answer: dict[str, Any] = {"SynthesisTasks": [_task(context, r) for r in records]}
    if after:
        answer["NextToken"] = base64.urlsafe_b64encode(after.encode()).decode()
    return answer


@router.get("/v1/voices", summary="DescribeVoices")
def describe_voices(
    request: Request, Engine: str = "", LanguageCode: str = "", NextToken: str = ""
) -> dict[str, Any]:
    context = context_of(request)
    if NextToken:
        raise ApiError(400, "InvalidNextTokenException", "NextToken is not valid")
    voices = []
    for voice in context.voices.values():
        code = _language_code(voice.language)
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


@router.post("/v1/speech", summary="SynthesizeSpeech", response_class=Response)
def synthesize_speech(body: SynthesisRequest, request: Request) -> Response:
    context = context_of(request)
    fields = _check_request(context, body)
    try:
        speech.check_length(context, body.Text)
    except InputError as error:
        raise ApiError(400, "TextLengthExceededException", str(error)) from None
    fmt = body.OutputFormat
    spoken = speech.speak(
        context, _document(body, "speech.txt"), _submit_request(fields), with_marks=fmt == "json"
    )
    if fmt == "json":
        content = filter_marks(spoken.marks, fields["SpeechMarkTypes"])
    elif fmt == "pcm":
        content = speech.wav_to_pcm(spoken.audio, int(fields["SampleRate"]))
    else:
        content = spoken.audio
    return Response(
        content,
        media_type=CONTENT_TYPE[fmt],
        headers={"x-amzn-RequestCharacters": str(len(body.Text))},
    )


def filter_marks(marks: bytes, kinds: list[str]) -> bytes:
    """Our marks.json (JSON lines in Polly's shape) with only the requested mark types."""
    lines = [line for line in marks.decode().splitlines() if line.strip()]
    kept = [line for line in lines if json.loads(line)["type"] in kinds]
    return "".join(line + "\n" for line in kept).encode()


def _task(context: ServiceContext, record: JobRecord) -> dict[str, Any]:
    """A job record as Polly's SynthesisTask; finishes pcm/json output on first success seen."""
    fields = json.loads(record["polly"])
    status = TASK_STATUS[record["status"]]
    reason = record.get("error") or ""
    if record["status"] == "succeeded" and not record.get("polly_output_written"):
        if fields["OutputFormat"] in ("pcm", "json"):
            _write_converted(context, record["job_id"], fields)
        context.services.records().update(record["job_id"], polly_output_written="1")
    if record["status"] == "cancelled":
        reason = reason or "the task was cancelled"
    task = {
        "TaskId": record["job_id"],
        "TaskStatus": status,
        "OutputUri": fields["OutputUri"],
        "CreationTime": record["created_at"],
        "RequestCharacters": fields["RequestCharacters"],
        "OutputFormat": fields["OutputFormat"],
        "SampleRate": fields["SampleRate"],
        "SpeechMarkTypes": fields["SpeechMarkTypes"],
        "TextType": fields["TextType"],
        "VoiceId": fields["VoiceId"],
        "LanguageCode": fields["LanguageCode"],
        "LexiconNames": fields["LexiconNames"],
        "Engine": fields["Engine"],
    }
    if reason:
        task["TaskStatusReason"] = reason
    if "SnsTopicArn" in fields:
        task["SnsTopicArn"] = fields["SnsTopicArn"]
    return task


def _write_converted(context: ServiceContext, job_id: str, fields: dict[str, Any]) -> None:
    services = context.services
    target = fields["OutputLocation"].removeprefix("s3://")
    bucket, key = target.split("/", 1)
    if fields["OutputFormat"] == "pcm":
        store, source = jobs.artifact(services, job_id, "audio")
        body = speech.wav_to_pcm(store.get_bytes(source), int(fields["SampleRate"]))
    else:
        store, source = jobs.artifact(services, job_id, "marks")
        body = filter_marks(store.get_bytes(source), fields["SpeechMarkTypes"])
    services.store(bucket).put_bytes(key, body, CONTENT_TYPE[fields["OutputFormat"]])
