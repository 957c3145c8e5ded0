"""What the stitch keeps of the chunks' and parts' metadata while it runs.

A rendered chunk's metadata carries more than the stitch reads: its prosody states, its spoken
text, and word timings as one JSON object per word. For a 10-hour book (2,400 chunks) the parsed
metadata came to about 68 MB of Python objects, held from the first step of the stitch to its
last, on top of the worker (docs/OUTPUT.md, "Memory"). The stitch trims each chunk's metadata
once, in place, to what it reads; word timings become tuples `(start, end, start_s, end_s)`,
the form `pipeline.timeline.timed_spans` reads. A part's loudness steps become an array.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from narration.pipeline.chunk_meta import ChunkMeta, PartMeta, WordJson, WordTiming

UNREAD: Final = ("state_in", "state_out", "spoken_text", "pause_designed_s")
"""Chunk fields the stitch never reads (remaking a lost chunk reads them, before the stitch)."""


def word_timing(word: WordJson | WordTiming) -> WordTiming:
    """A word of a chunk's metadata as a tuple, whether stored (a dict) or trimmed already."""
    if isinstance(word, tuple):
        return word
    return (word["start"], word["end"], word["start_s"], word["end_s"])


def trim_chunk_meta(meta: ChunkMeta, keep_loudness: bool) -> ChunkMeta:
    """Drop, in place, what the stitch does not read of a chunk's metadata. A stitch that
    joins parts reads their loudness, not the chunks' (unless it masters a retail sample on
    its own): `keep_loudness` False drops it too.
    Trimming a chunk as it is read keeps the whole book's untrimmed metadata out of memory."""
    for field in UNREAD if keep_loudness else (*UNREAD, "loudness"):
        meta.pop(field, None)  # type: ignore[misc]  # each one NotRequired in ChunkMeta
    if "words" in meta:
        # Tuples from here on, read by `word_timing` alone (see `ChunkMeta.words`).
        meta["words"] = [word_timing(word) for word in meta["words"]]  # type: ignore[misc]
    return meta


def trim_part_meta(meta: PartMeta) -> PartMeta:
    """A part's metadata, trimmed in place: its loudness steps as one float64 array (8 bytes
    a step instead of a Python float and its list slot, 32)."""
    meta["steps"] = np.asarray(meta["steps"], dtype=np.float64)
    return meta
