"""A chunk's and a part's metadata as stored beside their audio: the one record of each.

`pipeline.render` makes it, `adapters.chunk_store` stores it (the job-agnostic part in the
chunk cache, all of it as the job's commit point), and the part and stitch steps read it. It is
JSON in storage, so it is a TypedDict whose keys, in order, are the stored document's: the
stored bytes are `json.dumps` of it. The stitch trims what it never reads (`pipeline.stitch_meta`):
those keys are the ones marked `NotRequired`, and its word timings become tuples. A part's
metadata (`production.parts`) is `PartMeta`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NotRequired, TypedDict

from narration.pipeline.engine import EngineFactsJson
from narration.pipeline.prosody import SessionStateJson

if TYPE_CHECKING:  # annotations only: a job is planned and queued without numpy
    import numpy as np

WordTiming = tuple[int, int, float, float]
"""A word's [start, end) in its chunk's text and its start and end (s) in the chunk's audio."""


class WordJson(TypedDict):
    """A word as stored: its text, its [start, end) in the chunk's text, its times (s)."""

    text: str
    start: int
    end: int
    start_s: float
    end_s: float


class LoudnessFigures(TypedDict):
    """A piece's BS.1770 step energies and its true peak (`pipeline.step_loudness`)."""

    steps: list[float]
    true_peak_dbtp: float


class ChunkMeta(TypedDict):
    """A rendered chunk's metadata (docs/OUTPUT.md), in stored key order."""

    seq: int
    segment: int
    index: int
    chapter: int
    text: str
    spoken_text: NotRequired[str]
    boundary_after: str
    sample_rate: int
    samples: int
    duration_s: float
    speech_start_s: float
    speech_end_s: float
    pause_after_s: float
    pause_designed_s: NotRequired[float]
    lead_pad_s: float
    break_s: NotRequired[float]
    """Only after an SSML break: its exact silence (s)."""
    gain_db: float
    level_db: float
    loudness: NotRequired[LoudnessFigures | None]
    """None until `render.SpokenChunk.finish` measures it; dropped by a stitch of parts."""
    key: str
    engine: EngineFactsJson
    seed: int
    take: NotRequired[int]
    """Only on a take a proof rendered again (`production.proofing`): 1 or 2, with the seed
    after the first take's."""
    length_scale: float | None
    words: list[WordJson]
    """One object per word; the stitch trims them to `WordTiming` tuples, which only
    `stitch_meta.word_timing` reads."""
    words_from_spoken_text: bool
    """True only in chunks stored before `words` were moved onto the written text
    (`written_words`): their words index the spoken text, and the stitch leaves them out."""
    state_in: NotRequired[SessionStateJson]
    state_out: NotRequired[SessionStateJson]
    speaker: NotRequired[str]
    """Only in a script: the label of the speaker who reads it (`PlannedChunk.speaker`)."""


class LevelFigures(TypedDict):
    """What a part stores of its levels (`compliance.LevelMeter.figures`)."""

    square_sum: float
    sample_peak_db: float
    noise_floor_db: float
    head_s: float
    tail_s: float


class PartFiguresJson(TypedDict):
    """A part's figures as decoded (`adapters.part_encoding.encode_part`)."""

    steps: list[float]
    true_peak_dbtp: float
    levels: LevelFigures


class PartMeta(TypedDict):
    """An encoded part's metadata: its key, how it was laid out, mastered and encoded (the
    encoding its key is made from), and its figures as decoded."""

    key: str
    part: int
    samples: int
    format: str
    bitrate: str
    sample_rate: int
    gain_db: float
    ceiling_dbtp: float
    framing: list[int]
    first: bool
    last: bool
    bookends: NotRequired[list[str]]
    steps: list[float] | np.ndarray
    """As stored, a list; the stitch holds them as one array (`stitch_meta.trim_part_meta`)."""
    true_peak_dbtp: float
    levels: NotRequired[LevelFigures]
    """Absent in parts cached before parts kept their levels."""
    limited_dbtp: NotRequired[float]
    """Absent in parts cached before parts recorded their limiter's ceiling."""


def loudness_of(meta: ChunkMeta) -> LoudnessFigures:
    """The chunk's loudness figures: there in every committed chunk, unless a stitch of parts
    trimmed them (it reads the parts' instead)."""
    figures = meta.get("loudness")
    if figures is None:
        raise ValueError(f"chunk {meta['seq']} has no loudness figures")
    return figures
