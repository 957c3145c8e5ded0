"""A proofed job's report (`narrate proof JOB`, the native API, the console): every chunk with
its score, and the suspects a person should listen to, each placed in the output and given a
PLS lexeme to start a fix from."""

from __future__ import annotations

import json
import re
from typing import Any, TypedDict
from xml.sax.saxutils import escape

from narration.adapters.chunk_store import ChunkStore
from narration.errors import InputError, ObjectNotFound
from narration.pipeline.lexicon import PLS_NAMESPACE
from narration.pipeline.plan import Plan
from narration.production.proofing.results import (
    ChunkProof,
    ProofSummary,
    TakeJson,
    stored_proof,
    summary,
)
from narration.production.proofing.vocabulary import phonemes


class ChunkReport(TypedDict):
    seq: int
    score: float
    heard: str
    spoken: str
    takes: list[TakeJson]


class Suspect(TypedDict):
    seq: int
    word: str
    """The words as written (in the text the engine was given)."""
    heard: str
    time: int
    """Milliseconds into the output (into the chunk's audio before the job is stitched)."""
    text: str
    suggestion: str
    """A PLS lexeme to start from: the word and espeak-ng's IPA for it."""


class ProofReport(TypedDict):
    job_id: str
    proof: ProofSummary
    chunks: list[ChunkReport]
    suspects: list[Suspect]


def proof_report(chunks: ChunkStore) -> ProofReport:
    """The report of a job whose chunks are (being) proofed; `InputError` for a job that was
    not submitted with --proof."""
    plan = Plan.from_json(chunks.objects.get_bytes(chunks.keys.plan))
    if not plan.options.proof:
        raise InputError(f"job {chunks.keys.job_id} was not submitted with --proof")
    proofs = [
        found for chunk in plan.chunks if (found := stored_proof(chunks, chunk.seq)) is not None
    ]
    starts = _chunk_starts(chunks)
    return {
        "job_id": chunks.keys.job_id,
        "proof": summary(proofs),
        "chunks": [
            {
                "seq": proof["seq"],
                "score": proof["score"],
                "heard": proof["heard"],
                "spoken": proof["spoken"],
                "takes": proof["takes"],
            }
            for proof in proofs
        ],
        "suspects": [
            suspect
            for proof in proofs
            for suspect in _suspects(proof, starts.get(proof["seq"], 0.0))
        ],
    }


def _chunk_starts(chunks: ChunkStore) -> dict[int, float]:
    """Where each chunk's audio starts in the output, from the manifest (none before the
    stitch)."""
    try:
        manifest: dict[str, Any] = json.loads(chunks.objects.get_bytes(chunks.keys.manifest))
    except ObjectNotFound:
        return {}
    return {entry["seq"]: entry["start_s"] for entry in manifest["chunks"]}


def _suspects(proof: ChunkProof, speech_start_s: float) -> list[Suspect]:
    offset_s = speech_start_s - proof["speech_start_s"] if speech_start_s else 0.0
    found = []
    for run in proof["suspects"]:
        written = written_words(proof["spoken"], run["word"])
        unknown = run["unknown"]
        grapheme = written_words(proof["spoken"], unknown[0]) if unknown else written
        found.append(
            Suspect(
                seq=proof["seq"],
                word=written,
                heard=run["heard"],
                time=round((offset_s + run["start_s"]) * 1000),
                text=proof["spoken"],
                suggestion=lexeme(grapheme),
            )
        )
    return found


def written_words(text: str, words: str) -> str:
    """`words` (compared lower-case) as `text` writes them, or as they are if not found."""
    pattern = r"\W+".join(re.escape(word) for word in words.split())
    match = re.search(rf"(?<!\w){pattern}(?!\w)", text, re.IGNORECASE) if pattern else None
    return match.group(0) if match else words


def lexeme(grapheme: str) -> str:
    """A PLS lexeme saying `grapheme` as espeak-ng would: the IPA to edit."""
    ipa = phonemes(grapheme)
    return (
        f"<lexeme><grapheme>{escape(grapheme)}</grapheme><phoneme>{escape(ipa)}</phoneme></lexeme>"
    )


def pls_document(suspects: list[Suspect]) -> str:
    """The suggestions as one PLS lexicon (each grapheme once), for `narrate lexicon put`; a
    stretch heard where nothing was written has no grapheme to say and no lexeme."""
    seen: dict[str, str] = {}
    for suspect in suspects:
        grapheme = re.search(r"<grapheme>(.*?)</grapheme>", suspect["suggestion"])
        if grapheme and grapheme.group(1) and grapheme.group(1) not in seen:
            seen[grapheme.group(1)] = suspect["suggestion"]
    body = "".join(f"  {item}\n" for item in seen.values())
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<lexicon version="1.0" xmlns="{PLS_NAMESPACE}" alphabet="ipa" xml:lang="en-US">\n'
        f"{body}</lexicon>\n"
    )
