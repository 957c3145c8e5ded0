"""Short texts synthesised while the caller waits (Polly SynthesizeSpeech, OpenAI speech).

The service loads no voice: a short text becomes an ordinary job on the same queues (one or a
few chunks, so one or two chains and a stitch), sent at the highest priority so it overtakes
the queued chunks of long jobs (the fast path), and the request waits for its job record to end,
then answers with the stored audio. The result is the same audio `narrate submit` makes for the
same text and options. OpenAI's speech does not wait for the end: it is sent chunk by chunk as
the job makes it (`speech_stream`).
"""

from __future__ import annotations

import io
import time
import wave
from dataclasses import dataclass
from typing import Final

import numpy as np
from scipy.signal import resample_poly

from narration import jobs
from narration.adapters.job_record import JobRecord
from narration.adapters.job_records import FINAL_STATUSES
from narration.errors import InputError, PermanentError, RetryableError
from narration.pipeline.document import Document
from narration.production.dispatch import SHORT_PRIORITY
from narration.service.context import ServiceContext
from narration.service.size_limits import TextTooLong

WAIT_TIMEOUT_S: Final = 300.0
SPEECH_KIND: Final = "speech"
"""Recorded as the job record's `kind`, so short requests can be told apart in listings."""


@dataclass(frozen=True)
class SpokenText:
    job_id: str
    audio: bytes
    marks: bytes


def check_length(context: ServiceContext, text: str) -> None:
    if not text.strip():
        raise InputError("the text is empty")
    limit = context.settings.speech_max_chars
    if len(text) > limit:
        raise TextTooLong(
            f"the text has {len(text):,} characters; this endpoint takes at most {limit:,} "
            "(setting speech_max_chars); use the task or job API for longer texts"
        )


def speak(
    context: ServiceContext,
    document: Document,
    request: jobs.SubmitRequest,
    *,
    with_marks: bool = False,
) -> SpokenText:
    """Submit a short document as a job, wait for it to end, return its audio (and marks)."""
    services = context.services
    job_id = submit_short(context, document, request)["job_id"]
    final = wait_final(context, job_id, WAIT_TIMEOUT_S)
    if final["status"] != "succeeded":
        raise PermanentError(f"synthesis {final['status']}: {final.get('error') or 'no reason'}")
    store, key = jobs.artifact(services, job_id, "audio")
    marks = b""
    if with_marks:
        marks_store, marks_key = jobs.artifact(services, job_id, "marks")
        marks = marks_store.get_bytes(marks_key)
    return SpokenText(job_id, store.get_bytes(key), marks)


def submit_short(
    context: ServiceContext, document: Document, request: jobs.SubmitRequest
) -> JobRecord:
    """Start a short document's job, recorded as a speech request, ahead of queued chunks."""
    return jobs.submit(
        context.services,
        context.settings,
        document,
        request,
        fields={"kind": SPEECH_KIND},
        priority=SHORT_PRIORITY,
    )


def wait_final(context: ServiceContext, job_id: str, timeout_s: float) -> JobRecord:
    """Follow the job's events until it ends; RetryableError (503) past `timeout_s`."""
    records = context.services.records()
    deadline = time.monotonic() + timeout_s
    for event in records.follow(job_id, block_ms=500):
        if event is not None and event["kind"] in FINAL_STATUSES:
            break
        if event is None and records.get(job_id)["status"] in FINAL_STATUSES:
            break
        if time.monotonic() > deadline:
            raise RetryableError(f"synthesis did not finish within {timeout_s:.0f} s")
    return records.get(job_id)


def wav_to_pcm(wav_bytes: bytes, rate: int) -> bytes:
    """Raw signed 16-bit little-endian mono PCM at `rate`, from a mono 16-bit WAV."""
    with wave.open(io.BytesIO(wav_bytes)) as source:
        source_rate = source.getframerate()
        samples = np.frombuffer(source.readframes(source.getnframes()), dtype="<i2")
    if source_rate == rate:
        return samples.tobytes()
    divisor = np.gcd(source_rate, rate)
    resampled = resample_poly(samples.astype(np.float32), rate // divisor, source_rate // divisor)
    return np.clip(np.round(resampled), -32768, 32767).astype("<i2").tobytes()
