"""Polly as Polly answers, through boto3: every refusal with the exception class and HTTP status
Polly documents (one test per row of docs/API.md's table), task fields with the types of Polly's
model, and speech marks that survive a lexicon."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from narration.connections import Services
from tests.integration.service_api import SENTENCE, VOICE, polly
from tests.pipeline.test_lexicon import TOMATO, W3C, pls

pytestmark = pytest.mark.integration

BUCKET = "{bucket}"
"""Replaced by the stack's bucket."""
START = {"Text": "Hello.", "VoiceId": VOICE, "OutputFormat": "mp3", "OutputS3BucketName": BUCKET}
SPEAK = {"Text": "Hello.", "VoiceId": VOICE, "OutputFormat": "mp3"}
TOO_BIG = pls(*(W3C.replace("W3C", f"W{n}C") for n in range(1200)))

REFUSALS: list[tuple[str, str, dict[str, Any], str, int]] = [
    # (what is wrong, operation, request, Polly's error code, its HTTP status)
    (
        "empty text",
        "start_speech_synthesis_task",
        {**START, "Text": " "},
        "ValidationException",
        400,
    ),
    (
        "bucket name",
        "start_speech_synthesis_task",
        {**START, "OutputS3BucketName": "Not_A_Bucket"},
        "InvalidS3BucketException",
        400,
    ),
    (
        "no such bucket",
        "start_speech_synthesis_task",
        {**START, "OutputS3BucketName": "no-such-bucket-here"},
        "InvalidS3BucketException",
        400,
    ),
    (
        "key prefix",
        "start_speech_synthesis_task",
        {**START, "OutputS3KeyPrefix": "../up/"},
        "InvalidS3KeyException",
        400,
    ),
    (
        "sample rate",
        "start_speech_synthesis_task",
        {**START, "SampleRate": "44100"},
        "InvalidSampleRateException",
        400,
    ),
    (
        "SNS topic",
        "start_speech_synthesis_task",
        {**START, "SnsTopicArn": "not-an-arn"},
        "InvalidSnsTopicArnException",
        400,
    ),
    (
        "SSML",
        "start_speech_synthesis_task",
        {**START, "TextType": "ssml", "Text": "<speak>Hi"},
        "InvalidSsmlException",
        400,
    ),
    (
        "engine offered elsewhere",
        "start_speech_synthesis_task",
        {**START, "Engine": "neural"},
        "EngineNotSupportedException",
        400,
    ),
    (
        "engine Polly has not",
        "start_speech_synthesis_task",
        {**START, "Engine": "turbo"},
        "ValidationException",
        400,
    ),
    (
        "voice",
        "start_speech_synthesis_task",
        {**START, "VoiceId": "/etc/passwd"},
        "ValidationException",
        400,
    ),
    (
        "output format",
        "start_speech_synthesis_task",
        {**START, "OutputFormat": "wav"},
        "ValidationException",
        400,
    ),
    (
        "lexicon",
        "start_speech_synthesis_task",
        {**START, "LexiconNames": ["Missing"]},
        "LexiconNotFoundException",
        404,
    ),
    (
        "six lexicons",
        "start_speech_synthesis_task",
        {**START, "LexiconNames": [f"L{n}" for n in range(6)]},
        "ValidationException",
        400,
    ),
    (
        "marks for audio",
        "start_speech_synthesis_task",
        {**START, "SpeechMarkTypes": ["word"]},
        "MarksNotSupportedForFormatException",
        400,
    ),
    (
        "json without marks",
        "start_speech_synthesis_task",
        {**START, "OutputFormat": "json"},
        "ValidationException",
        400,
    ),
    (
        "ssml marks for text",
        "start_speech_synthesis_task",
        {**START, "OutputFormat": "json", "SpeechMarkTypes": ["ssml"]},
        "SsmlMarksNotSupportedForTextTypeException",
        400,
    ),
    (
        "task id",
        "get_speech_synthesis_task",
        {"TaskId": "not a task!"},
        "InvalidTaskIdException",
        400,
    ),
    (
        "unknown task",
        "get_speech_synthesis_task",
        {"TaskId": "0" * 32},
        "SynthesisTaskNotFoundException",
        400,
    ),
    (
        "list token",
        "list_speech_synthesis_tasks",
        {"NextToken": "not-a-token"},
        "InvalidNextTokenException",
        400,
    ),
    ("list status", "list_speech_synthesis_tasks", {"Status": "lost"}, "ValidationException", 400),
    (
        "speech too long",
        "synthesize_speech",
        {**SPEAK, "Text": "word " * 1000},
        "TextLengthExceededException",
        400,
    ),
    ("empty speech", "synthesize_speech", {**SPEAK, "Text": ""}, "ValidationException", 400),
    (
        "speech sample rate",
        "synthesize_speech",
        {**SPEAK, "OutputFormat": "pcm", "SampleRate": "22050"},
        "InvalidSampleRateException",
        400,
    ),
    (
        "speech lexicon",
        "synthesize_speech",
        {**SPEAK, "LexiconNames": ["Missing"]},
        "LexiconNotFoundException",
        404,
    ),
    (
        "invalid lexicon",
        "put_lexicon",
        {"Name": "Broken", "Content": "<lexicon><lexeme></lexicon>"},
        "InvalidLexiconException",
        400,
    ),
    (
        "lexicon alphabet",
        "put_lexicon",
        {"Name": "Sampa", "Content": pls(TOMATO, alphabet="x-sampa").decode()},
        "UnsupportedPlsAlphabetException",
        400,
    ),
    (
        "lexicon size",
        "put_lexicon",
        {"Name": "Huge", "Content": TOO_BIG.decode()},
        "LexiconSizeExceededException",
        400,
    ),
    (
        "lexicon name",
        "put_lexicon",
        {"Name": "no-dashes", "Content": pls(W3C).decode()},
        "ValidationException",
        400,
    ),
    ("get unknown lexicon", "get_lexicon", {"Name": "Missing"}, "LexiconNotFoundException", 404),
    (
        "delete unknown lexicon",
        "delete_lexicon",
        {"Name": "Missing"},
        "LexiconNotFoundException",
        404,
    ),
    ("lexicon list token", "list_lexicons", {"NextToken": "abc"}, "InvalidNextTokenException", 400),
    (
        "voice list token",
        "describe_voices",
        {"NextToken": "more"},
        "InvalidNextTokenException",
        400,
    ),
]


@pytest.mark.parametrize(
    ("operation", "request_", "code", "status"),
    [row[1:] for row in REFUSALS],
    ids=[row[0] for row in REFUSALS],
)
def test_each_refusal_is_polly_s_exception_with_polly_s_status(
    api: str, services: Services, operation: str, request_: dict[str, Any], code: str, status: int
) -> None:
    client = polly(api)
    request = {k: services.bucket if v == BUCKET else v for k, v in request_.items()}
    with pytest.raises(getattr(client.exceptions, code)) as raised:
        getattr(client, operation)(**request)
    answer = raised.value.response
    assert answer["Error"]["Code"] == code
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == status


def test_a_bad_signature_is_refused_as_aws_refuses_it(api: str) -> None:
    assert VOICE in {voice["Id"] for voice in polly(api).describe_voices()["Voices"]}
    with pytest.raises(ClientError) as raised:
        polly(api, "wrong-secret").describe_voices()
    answer = raised.value.response
    assert (answer["ResponseMetadata"]["HTTPStatusCode"], answer["Error"]["Code"]) == (
        403,
        "InvalidSignatureException",
    )


def test_task_fields_have_the_types_of_polly_s_model(api: str, services: Services) -> None:
    client = polly(api)
    task = client.start_speech_synthesis_task(**{**START, "OutputS3BucketName": services.bucket})
    task_id = task["SynthesisTask"]["TaskId"]
    for answer in (
        task["SynthesisTask"],
        client.get_speech_synthesis_task(TaskId=task_id)["SynthesisTask"],
        next(
            t
            for t in client.list_speech_synthesis_tasks()["SynthesisTasks"]
            if t["TaskId"] == task_id
        ),
    ):
        assert isinstance(answer["RequestCharacters"], int)
        assert isinstance(answer["CreationTime"], datetime.datetime)
        assert isinstance(answer["SampleRate"], str)  # a string in Polly's model
        assert answer["OutputUri"] == (f"{services.s3_endpoint}/{services.bucket}/{task_id}.mp3")
    client.put_lexicon(Name="Numbers", Content=pls(W3C).decode())
    attributes = client.get_lexicon(Name="Numbers")["LexiconAttributes"]
    assert isinstance(attributes["LexemesCount"], int) and isinstance(attributes["Size"], int)
    client.delete_lexicon(Name="Numbers")


def test_word_and_sentence_marks_survive_a_lexicon(api: str) -> None:
    client = polly(api)
    client.put_lexicon(Name="Marks", Content=pls(W3C).decode())
    text = f"The W3C met in 1999. {SENTENCE}"

    def marks(**changes: Any) -> list[dict[str, Any]]:
        answer = client.synthesize_speech(
            Text=text,
            VoiceId=VOICE,
            OutputFormat="json",
            SpeechMarkTypes=["sentence", "word"],
            **changes,
        )
        return [json.loads(line) for line in answer["AudioStream"].read().decode().splitlines()]

    try:
        plain, aliased = marks(), marks(LexiconNames=["Marks"])
    finally:
        client.delete_lexicon(Name="Marks")
    assert [(m["type"], m["value"]) for m in aliased] == [(m["type"], m["value"]) for m in plain]
    words = [m for m in aliased if m["type"] == "word"]
    assert [w["value"] for w in words][:5] == ["The", "W3C", "met", "in", "1999"]
    assert all(text[w["start"] : w["end"]] == w["value"] for w in words)
    # The alias takes longer to say than the letters: the marks after it come later.
    later = {w["value"]: w["time"] for w in aliased if w["type"] == "word"}
    sooner = {w["value"]: w["time"] for w in plain if w["type"] == "word"}
    assert later["met"] > sooner["met"]
    assert [m["time"] for m in aliased] == sorted(m["time"] for m in aliased)
