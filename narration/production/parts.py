"""A part of the output, made by the worker that finished the part's chunks.

A part is a run of a segment's chunks (`Plan.parts`: the segment, or a long segment's chunks
before and after its `tail_cut`): its stretch of the timeline, mastered with the job's planned
gain, encoded in the format's raw part stream and measured as decoded (loudness steps, true
peak at 8x), so that when the last chunk is made the stitch has only to add up figures and
join bytes. Parts are content-addressed like chunks: an edited document re-encodes only the
parts whose chunks changed.
"""

from __future__ import annotations

import tempfile
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Final, cast

import numpy as np

from narration.adapters.bookends import bookend_inserts
from narration.adapters.chunk_store import ChunkStore
from narration.adapters.part_encoding import codec_framing, encode_part
from narration.pipeline import mastering
from narration.pipeline.audio import from_wav_bytes
from narration.pipeline.chunk_key import part_key
from narration.pipeline.chunk_meta import ChunkMeta, PartMeta
from narration.pipeline.formats import get_format
from narration.pipeline.limiter import Limiter
from narration.pipeline.plan import Plan
from narration.pipeline.presets import get_preset
from narration.pipeline.timeline import Placed, place_part, timeline_blocks, with_inserts

READ_AHEAD: Final = 4
"""Chunks read from the store at once while the part is made: each read is mostly a wait."""
PEAK_RETRIES: Final = 2
"""Encodes after the first with a lower limiter ceiling, when the decoded part peaks over the
delivered ceiling (a lossy codec's overshoot, on rare syllables): the part's own worker does
them, so the stitch rarely has a part to make again."""


def make_part(
    plan: Plan,
    chunks: ChunkStore,
    number: int,
    metas: list[ChunkMeta],
    master: mastering.Mastering | None = None,
) -> PartMeta:
    """Make (or find in the cache) part `number` of `plan.parts` from its chunks' `metas`;
    its metadata, as committed."""
    fmt = get_format(plan.options.format)
    rate = int(metas[0]["sample_rate"])
    bitrate = plan.options.bitrate or fmt.bitrate or ""
    framing = codec_framing(fmt, rate, bitrate)
    preset = get_preset(plan.options.master)
    master = master or mastering.for_preset(preset, plan.options.loudness_lufs, fmt.name)
    first, last = number == 0, number == len(plan.parts) - 1
    placed, samples = place_part(
        metas, rate, framing, first, last, bookends=plan.options.bookends(rate)
    )
    encoding = {
        "format": fmt.name,
        "bitrate": bitrate,
        "sample_rate": rate,
        "gain_db": round(master.gain_db, 4),
        "ceiling_dbtp": round(master.ceiling_dbtp, 4),
        "framing": [framing.frame, framing.guard, framing.tail],
        "first": first,
        "last": last,
    }
    bookend_keys = [
        plan.options.intro_key if first else "",
        plan.options.outro_key if last else "",
    ]
    if any(bookend_keys):
        encoding["bookends"] = bookend_keys
    key = part_key([meta["key"] for meta in metas], encoding)
    reused = chunks.reuse_part(number, key)
    if reused is not None:
        return reused
    with tempfile.TemporaryDirectory(prefix="narration-part-") as workdir:
        path = Path(workdir) / "part"
        inserts = bookend_inserts(chunks.objects, plan.options, placed, first, last)
        limited = master
        for retry in range(PEAK_RETRIES + 1):
            blocks = mastered_blocks(placed, chunks, rate, limited, inserts)
            figures = encode_part(blocks, path, fmt, rate, bitrate, samples)
            lower = mastering.lower_ceiling(limited, figures["true_peak_dbtp"])
            if lower == limited or retry == PEAK_RETRIES:
                break  # in spec, or left to the stitch's own correction
            limited = lower
        # `encoding` is the part key's material, kept as built; `PartMeta` names its fields.
        meta = cast(
            PartMeta, {"key": key, "part": number, "samples": samples, **encoding, **figures}
        )
        meta["limited_dbtp"] = round(limited.ceiling_dbtp, 4)
        chunks.commit_part(number, path, meta)
    return meta


def mastered_blocks(
    placed: list[Placed],
    chunks: ChunkStore,
    rate: int,
    master: mastering.Mastering,
    inserts: Sequence[tuple[int, np.ndarray]] = (),
) -> Iterator[np.ndarray]:
    """The placed chunks read from the store, with the intro and outro `inserts`
    (`adapters.bookends`), through the gain and the true-peak limiter."""
    limiter = Limiter(rate, master.ceiling_dbtp, gain_db=master.gain_db)

    def chunk_pcm(number: int) -> np.ndarray:
        return from_wav_bytes(chunks.audio(placed[number].meta))[0]

    ahead = _read_ahead(chunk_pcm, len(placed))
    for block in with_inserts(timeline_blocks(placed, lambda number: next(ahead)), inserts):
        yield limiter.process(block)
    yield limiter.flush()


def _read_ahead(read: Callable[[int], np.ndarray], count: int) -> Iterator[np.ndarray]:
    """read(0), read(1), … in order, with up to `READ_AHEAD` of them under way at once."""
    with ThreadPoolExecutor(READ_AHEAD) as readers:
        pending = deque(readers.submit(read, n) for n in range(min(READ_AHEAD, count)))
        for following in range(READ_AHEAD, count + READ_AHEAD):
            result = pending.popleft().result()
            if following < count:
                pending.append(readers.submit(read, following))
            yield result
