"""Polly's speech synthesis tasks: StartSpeechSynthesisTask, GetSpeechSynthesisTask,
ListSpeechSynthesisTasks.

A task is a job (its TaskId is the job id); its Polly fields live in the job record's `polly`
field. Formats the stitcher writes directly (mp3, ogg) go to the caller's bucket and key; pcm
and json (speech marks) are rendered as a WAV (or MP3) job and converted into the caller's
object once the job has succeeded, before the task reads `completed`.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any, Final

from fastapi import APIRouter, Depends, Query, Request

from narration import jobs
from narration.adapters.job_record import JobRecord
from narration.adapters.job_records import new_job_id
from narration.adapters.object_store import S3Location, validate_key
from narration.errors import InputError
from narration.output_places import OutputPlaces
from narration.service import speech
from narration.service.context import ServiceContext, checked_job_id, context_of
from narration.service.errors import ApiError
from narration.service.polly.output import CONTENT_TYPE, EXTENSION, filter_marks
from narration.service.polly.protocol import polly_auth
from narration.service.polly.synthesis_request import (
    StartTaskRequest,
    check_request,
    document,
    submit_request,
)

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
_SNS_TOPIC: Final = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]*:[0-9]{0,12}:[A-Za-z0-9_-]{1,256}$")

router = APIRouter(tags=["Polly"], dependencies=[Depends(polly_auth)])


@router.post("/v1/synthesisTasks", summary="StartSpeechSynthesisTask")
def start_speech_synthesis_task(body: StartTaskRequest, request: Request) -> dict[str, Any]:
    context = context_of(request)
    fields = check_request(context, body)
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
    _check_output_place(context, S3Location(body.OutputS3BucketName, key))
    fields["OutputLocation"] = f"s3://{body.OutputS3BucketName}/{key}"
    if body.SnsTopicArn:
        if not _SNS_TOPIC.match(body.SnsTopicArn):
            raise ApiError(400, "InvalidSnsTopicArnException", "SnsTopicArn is not a topic ARN")
        fields["SnsTopicArn"] = body.SnsTopicArn
    direct = body.OutputFormat in ("mp3", "ogg_vorbis", "ogg_opus")
    parsed = document(body, "task.txt")
    record = jobs.submit(
        services,
        context.settings,
        parsed,
        submit_request(fields, fields["OutputLocation"] if direct else ""),
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
        raise ApiError(400, "SynthesisTaskNotFoundException", f"no task {TaskId}") from None
    if "polly" not in record:
        raise ApiError(400, "SynthesisTaskNotFoundException", f"no task {TaskId}")
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


def _check_output_place(context: ServiceContext, location: S3Location) -> None:
    """Only where `output_allow` lets, never the service's own places (`output_places`)."""
    refused = OutputPlaces.from_settings(context.settings).refusal(location)
    if refused is not None:
        code = "InvalidS3BucketException" if refused.part == "bucket" else "InvalidS3KeyException"
        raise ApiError(400, code, refused.message)


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
        "OutputUri": output_uri(context, fields["OutputLocation"]),
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


def output_uri(context: ServiceContext, location: str) -> str:
    """The task's output as a URL of the object store the service uses now: derived when asked,
    so that it is right after a restart on another endpoint (AWS's own S3 URL without one)."""
    bucket, key = location.removeprefix("s3://").split("/", 1)
    endpoint = context.services.s3_endpoint.rstrip("/")
    if not endpoint:
        region = context.settings.s3_region or "us-east-1"
        endpoint = f"https://s3.{region}.amazonaws.com"
    return f"{endpoint}/{bucket}/{key}"


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
