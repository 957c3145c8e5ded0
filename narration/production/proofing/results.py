"""A chunk's proof as stored beside the job's chunks (`proof/NNNNNN.json`), and the job's
proof summary kept in its record."""

from __future__ import annotations

import json
from typing import TypedDict

from narration.adapters.chunk_store import ChunkStore
from narration.errors import ObjectNotFound


class TakeJson(TypedDict):
    take: int
    seed: int
    score: float
    wer: float


class RunJson(TypedDict):
    """A run a person should listen to: the words as written and as heard, seconds into the
    chunk's audio."""

    word: str
    heard: str
    start_s: float
    unknown: list[str]
    """Its words outside the dictionary: the ones a lexeme is suggested for."""


class ChunkProof(TypedDict):
    seq: int
    score: float
    wer: float
    spoken: str
    heard: str
    spoken_words: int
    takes: list[TakeJson]
    kept: int
    """The take kept: 0 for the first rendering."""
    speech_start_s: float
    """Where the kept take's speech starts in its audio: the manifest places speech starts."""
    suspects: list[RunJson]


class ProofSummary(TypedDict):
    """`"proof"` in the job record: chunks proofed, suspects left, chunks rendered again, and
    the word error rate over the whole job (kept takes)."""

    chunks: int
    suspects: int
    rerendered: int
    wer: float


def proof_key(chunks: ChunkStore, seq: int) -> str:
    return chunks.keys.artifact(f"proof/{seq:06d}.json")


def stored_proof(chunks: ChunkStore, seq: int) -> ChunkProof | None:
    try:
        proof: ChunkProof = json.loads(chunks.objects.get_bytes(proof_key(chunks, seq)))
    except ObjectNotFound:
        return None
    return proof


def store_proof(chunks: ChunkStore, proof: ChunkProof) -> None:
    data = json.dumps(proof, ensure_ascii=False).encode()
    chunks.objects.put_bytes(proof_key(chunks, proof["seq"]), data, "application/json")


def proofed_seqs(chunks: ChunkStore) -> set[int]:
    """The chunks whose proof is stored (one listing)."""
    prefix = chunks.keys.artifact("proof/")
    return {
        int(key[len(prefix) : -len(".json")])
        for key in chunks.objects.list_keys(prefix)
        if key.endswith(".json")
    }


def summary(proofs: list[ChunkProof]) -> ProofSummary:
    words = sum(proof["spoken_words"] for proof in proofs)
    errors = sum(proof["wer"] * proof["spoken_words"] for proof in proofs)
    return {
        "chunks": len(proofs),
        "suspects": sum(1 for proof in proofs if proof["suspects"]),
        "rerendered": sum(1 for proof in proofs if len(proof["takes"]) > 1),
        "wer": round(errors / max(1, words), 4),
    }
