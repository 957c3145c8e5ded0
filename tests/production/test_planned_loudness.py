"""A narration, mastered with the planned gain, lands on the loudness target at its first encode.

The parts of an MP3, AAC or WAV job are encoded while its chunks are synthesised, with one gain
decided before any audio exists (`pipeline.mastering.planned`); Opus, Vorbis and FLAC are
encoded whole from the chunks' stored loudness. A programme that misses the tolerance is
encoded again after its last chunk: on a long job that re-encode was nearly all of the time
from the last chunk to the output (docs/BENCHMARKS.md, the stitch tail). Held out text (none
of the calibration's), rendered by Piper once, stitched as the workers leave it in every format.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from narration.adapters.job_records import new_job_id
from narration.connections import Services
from narration.engines.piper import PiperEngine
from narration.engines.voices import default_voice
from narration.pipeline import mastering
from narration.pipeline.formats import FORMATS
from narration.pipeline.ingest import load_document
from narration.pipeline.plan import JobOptions, Plan, make_plan
from narration.pipeline.render import RenderedChunk, render_chunk
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


def held_out_plan(format_name: str) -> Plan:
    document = load_document(held_out_text().encode(), "held-out.txt")
    options = JobOptions(voice=default_voice().name, seed=SEED, format=format_name)
    return make_plan(new_job_id(), document, options, 10)


@pytest.fixture(scope="module")
def rendered() -> dict[int, RenderedChunk]:
    """The excerpt's chunks, rendered once for every format (the format does not change them)."""
    plan = held_out_plan("wav")
    engine = PiperEngine.load(default_voice(), threads=1)
    made = {}
    for segment in plan.segments:
        state = first_state(plan)
        for chunk in segment:
            made[chunk.seq] = render_chunk(engine, chunk, state)
            state = made[chunk.seq].next_state
    return made


@pytest.mark.parametrize("format_name", list(FORMATS))
def test_the_first_encode_lands_on_the_target(
    format_name: str, rendered: dict[int, RenderedChunk], services: Services, tmp_path: Path
) -> None:
    plan = held_out_plan(format_name)
    assert sorted(rendered) == [chunk.seq for chunk in plan.chunks]
    services.records().create(plan.job_id, {"chunks_total": len(plan.chunks)})
    chunks = services.chunks(plan.job_id)
    for seq, chunk in rendered.items():
        chunks.commit(seq, chunk.wav, chunk.meta)

    loudness = stitch_job(plan, chunks, tmp_path).manifest["loudness"]

    assert loudness["encodes"] == 1, loudness
    target = loudness["target_lufs"]
    assert loudness["measured_lufs"] == pytest.approx(target, abs=mastering.LOUDNESS_TOLERANCE_LU)
