"""A narration's parts, mastered with the planned gain, land on the loudness target at once.

The parts of an MP3 job are encoded while its chunks are synthesised, with one gain decided
before any audio exists (`pipeline.mastering.planned`). A programme that misses the tolerance
has every part encoded again after its last chunk: on a long job that re-encode was nearly
all of the time from the last chunk to the output (docs/BENCHMARKS.md, the stitch tail). Held
out text (none of the calibration's), rendered by Piper, stitched as the workers leave it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from narration.adapters.job_records import new_job_id
from narration.connections import Services
from narration.engines.piper import PiperEngine
from narration.engines.voices import default_voice
from narration.pipeline import mastering
from narration.pipeline.ingest import load_document
from narration.pipeline.plan import JobOptions, make_plan
from narration.pipeline.render import render_chunk
from narration.production.segment_start import first_state
from narration.production.stitch import stitch_job

HELD_OUT = Path("/usr/share/common-licenses/MPL-2.0")
"""Debian's copy of the Mozilla Public License 2.0: nobody here tuned the mastering on it."""
EXCERPT_CHARS = 1_500
SEED = 3


def held_out_text() -> str:
    """The license's definitions from "1.5.", cut at a paragraph end: about 100 s of speech."""
    text = HELD_OUT.read_text(encoding="utf-8")
    start = text.index("1.5.")
    return text[start : text.rindex("\n\n", start, start + EXCERPT_CHARS)]


def test_the_planned_gain_needs_no_second_encode(services: Services, tmp_path: Path) -> None:
    document = load_document(held_out_text().encode(), "held-out.txt")
    plan = make_plan(new_job_id(), document, JobOptions(voice=default_voice().name, seed=SEED), 10)
    engine = PiperEngine.load(default_voice(), threads=1)
    services.records().create(plan.job_id, {"chunks_total": len(plan.chunks)})
    chunks = services.chunks(plan.job_id)
    for segment in plan.segments:
        state = first_state(plan)
        for chunk in segment:
            rendered = render_chunk(engine, chunk, state)
            chunks.commit(chunk.seq, rendered.wav, rendered.meta)
            state = rendered.next_state

    loudness = stitch_job(plan, chunks, tmp_path).manifest["loudness"]

    assert loudness["encodes"] == 1, loudness
    target = loudness["target_lufs"]
    assert loudness["measured_lufs"] == pytest.approx(target, abs=mastering.LOUDNESS_TOLERANCE_LU)
