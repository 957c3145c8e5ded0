"""A Polly synthesis request: its fields, Polly's checks in Polly's words, and the job it maps
onto (through the job options' one declaration, `narration.job_options`)."""

from __future__ import annotations

from typing import Any, Final

from pydantic import Field

from narration.errors import InputError
from narration.job_options import SubmitRequest, mapped, validate
from narration.option_spec import Surface
from narration.pipeline.document import Document
from narration.pipeline.ingest import load_document
from narration.pipeline.lexicon import MAX_JOB_LEXICONS
from narration.service.context import ServiceContext
from narration.service.errors import ApiError
from narration.service.polly.output import CONTENT_TYPE
from narration.service.polly.protocol import PollyModel

OUR_FORMAT: Final = {"mp3": "mp3", "ogg_vorbis": "ogg", "ogg_opus": "opus", "pcm": "wav"}
"""OutputFormat → the format the job renders (json, speech marks: the default format)."""
SAMPLE_RATES: Final = {
    "mp3": ("8000", "16000", "22050", "24000"),
    "ogg_vorbis": ("8000", "16000", "22050", "24000"),
    "ogg_opus": ("8000", "16000", "24000", "48000"),
    "pcm": ("8000", "16000"),
    "json": ("8000", "16000", "22050", "24000"),
}
DEFAULT_PCM_RATE: Final = "16000"
MARK_TYPES: Final = ("sentence", "ssml", "word")
POLLY_ENGINES: Final = ("standard", "neural", "long-form", "generative")


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


def check_request(context: ServiceContext, body: SynthesisRequest) -> dict[str, Any]:
    """Polly's checks, in Polly's words; the task fields to record."""
    if body.TextType not in ("text", "ssml"):
        raise ApiError(400, "ValidationException", "TextType must be text or ssml")
    _check_lexicons(context, body.LexiconNames)
    if body.Engine not in (None, *POLLY_ENGINES):
        raise ApiError(
            400, "ValidationException", f"Engine must be one of {', '.join(POLLY_ENGINES)}"
        )
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
        "LanguageCode": body.LanguageCode or language_code(context.voices[body.VoiceId].language),
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


def document(body: SynthesisRequest, name: str) -> Document:
    """The request's text or SSML as a document; SSML's errors say where, in Polly's code."""
    try:
        return load_document(body.Text.encode(), name, text_type=body.TextType)
    except InputError as error:
        if body.TextType == "ssml":
            raise ApiError(400, "InvalidSsmlException", str(error)) from None
        raise


def language_code(language: str) -> str:
    return language.replace("_", "-")


def submit_request(fields: dict[str, Any], output: str = "") -> SubmitRequest:
    """The job's options from a checked request's task fields (`check_request`): the fields
    the spec maps (`job_options`), with Polly's output formats in ours."""
    values = mapped(Surface.POLLY, fields)
    values["format"] = OUR_FORMAT.get(values["format"], "mp3")
    return validate(values | {"output": output}, Surface.POLLY)
