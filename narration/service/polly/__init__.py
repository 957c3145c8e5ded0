"""The Amazon Polly API, so that `boto3.client("polly", endpoint_url=...)` works unmodified.

Operations: StartSpeechSynthesisTask, GetSpeechSynthesisTask, ListSpeechSynthesisTasks
(`tasks`), SynthesizeSpeech (`synthesize`), DescribeVoices (`describe_voices`) and the lexicon
operations (`lexicon_operations`). Every request is signed (`protocol`); a synthesis request is
checked in Polly's words and mapped onto a job (`synthesis_request`); what Polly delivers beyond
our own outputs (pcm, filtered speech marks) is made in `output`. See docs/API.md for the
mapping of each field.
"""

from __future__ import annotations

from fastapi import APIRouter

from narration.service.polly import describe_voices, lexicon_operations, synthesize, tasks

router = APIRouter()
for _operations in (tasks, synthesize, describe_voices, lexicon_operations):
    router.include_router(_operations.router)
