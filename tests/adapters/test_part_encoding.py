"""Parts encoded apart and joined decode to the laid-out timeline, sample for sample."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from narration.adapters.ffmpeg import decode_blocks
from narration.adapters.part_encoding import codec_framing, encode_part, join_parts
from narration.pipeline.chunk_meta import ChunkMeta, PartFiguresJson
from narration.pipeline.formats import ChapterMark, Tags, get_format
from narration.pipeline.timeline import Framing, place_chunks, place_part, timeline_blocks
from tests.chunk_metas import chunk_meta

RATE = 22050
# Three segments; the middle one ends in a pause shorter than any codec's guard.
SEGMENTS = ((9000, 0.4, 7000, 0.6), (12000, 0.3, 5000, 0.01), (8000, 0.2, 6000, 0.5))


def metas() -> list[ChunkMeta]:
    out: list[ChunkMeta] = []
    for segment, row in enumerate(SEGMENTS):
        for samples, pause in zip(row[::2], row[1::2], strict=True):
            out.append(
                chunk_meta(seq=len(out), segment=segment, samples=samples, pause_after_s=pause)
            )
    return out


def chunk_pcm(meta: ChunkMeta) -> np.ndarray:
    """A tone with a click 100 samples in: the click marks where the chunk landed."""
    n = meta["samples"]
    pcm = 0.2 * np.sin(np.arange(n) * 2 * np.pi * 220 / RATE).astype(np.float32)
    pcm *= np.hanning(n).astype(np.float32)
    pcm[100] = 0.9
    return pcm


def encode_parts(
    tmp_path: Path, name: str, cuts: tuple[int, ...] = ()
) -> tuple[list[Path], list[int], int]:
    fmt = get_format(name)
    framing = codec_framing(fmt, RATE, fmt.bitrate or "")
    laid = place_chunks(metas(), RATE, framing, cuts=cuts)
    paths = []
    for number, part in enumerate(laid.parts):
        inside = range(part.start, part.start + part.samples)
        group = [row.meta for row in laid.placed if row.start in inside]
        placed, samples = place_part(group, RATE, framing, number == 0, part is laid.parts[-1])
        assert samples == part.samples and samples % framing.frame == 0
        path = tmp_path / f"part-{number}"
        pcms = [chunk_pcm(row.meta) for row in placed]
        blocks = timeline_blocks(placed, pcms.__getitem__)
        figures = encode_part(blocks, path, fmt, RATE, fmt.bitrate or "", samples)
        # The meters saw the part: its clicks (-0.9 dBFS), smeared by a lossy codec.
        assert figures["true_peak_dbtp"] > -8.0
        assert list(figures) == list(PartFiguresJson.__annotations__)  # the stored key order
        paths.append(path)
    return paths, [item.start + 100 for item in laid.placed], laid.total


@pytest.mark.parametrize("cuts", [(), (1, 3)], ids=["segments", "cut-inside-segments"])
@pytest.mark.parametrize("name", ["mp3", "m4b", "wav"])
def test_joined_parts_decode_to_the_timeline(
    tmp_path: Path, name: str, cuts: tuple[int, ...]
) -> None:
    parts, clicks, total = encode_parts(tmp_path, name, cuts)
    assert len(parts) == 3 + len(cuts)
    fmt = get_format(name)
    out = tmp_path / f"joined.{fmt.extension}"
    chapters = [ChapterMark("One", 0.0, 1.0), ChapterMark("Two", 1.0, total / RATE)]
    join_parts(parts, out, fmt, RATE, Tags(title="Joined"), chapters)
    decoded = np.concatenate(list(decode_blocks(out, RATE)))
    assert len(decoded) == total
    for click in clicks:
        window = decoded[click - 50 : click + 50]
        assert int(np.argmax(np.abs(window))) - 50 == 0, f"click at {click} moved"


@pytest.mark.parametrize("name", ["mp3", "m4b"])
def test_codec_delay_is_measured(name: str) -> None:
    framing = codec_framing(get_format(name), RATE, "64k")
    assert framing == Framing(*{"mp3": (576, 1105, 288), "m4b": (1024, 1024, 512)}[name])


def test_segment_ends_make_room_for_guard_and_tail() -> None:
    framing = Framing(frame=576, guard=1105, tail=288)
    laid = place_chunks(metas(), RATE, framing)
    assert [p.samples % 576 for p in laid.parts] == [0, 0, 0]
    middle_end = laid.placed[3]
    assert middle_end.pause_after >= framing.tail
    assert laid.placed[4].start - middle_end.end >= framing.guard + framing.tail
    plain = place_chunks(metas(), RATE)

    def gaps(items: list[Any]) -> list[int]:
        return [b.start - a.end for a, b in itertools.pairwise(items)]

    longer = [a - b for a, b in zip(gaps(laid.placed), gaps(plain.placed), strict=True)]
    assert longer[0] == longer[2] == longer[4] == 0
    assert 0 <= longer[1] < 576
    # The short pause is stretched to guard + tail, then rounded up to a whole frame.
    stretched = 1105 + 288 - round(0.01 * RATE)
    assert stretched <= longer[3] < stretched + 576


def test_a_cut_inside_a_segment_ends_a_part_as_a_segment_end_does() -> None:
    """Chunk 1 starts a part of its own: the pause before it takes the guard, the tail and the
    rounding to a frame, as the pause after a segment does; pauses inside parts are unchanged."""
    framing = Framing(frame=576, guard=1105, tail=288)
    whole = place_chunks(metas(), RATE, framing)
    cut = place_chunks(metas(), RATE, framing, cuts=(1,))
    assert [p.segment for p in cut.parts] == [0, 0, 1, 2]
    assert [p.samples % 576 for p in cut.parts] == [0, 0, 0, 0]
    assert cut.parts[1].start == cut.placed[1].start - framing.guard
    assert cut.placed[0].end == whole.placed[0].end
    grown = cut.placed[1].start - whole.placed[1].start
    assert 0 <= grown < 576

    def gaps(laid: Any) -> list[int]:
        return [b.start - a.end for a, b in itertools.pairwise(laid.placed)]

    inside_parts = [2, 4]  # between chunks 2 and 3, 4 and 5
    assert [gaps(cut)[n] for n in inside_parts] == [gaps(whole)[n] for n in inside_parts]
