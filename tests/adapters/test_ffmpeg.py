"""Every output format encodes with the real ffmpeg and reads back with the right duration,
tags and chapters."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

from narration.adapters.ffmpeg import DECODE_FRAME_SAMPLES, decode_blocks, ffmpeg_exe
from narration.adapters.ffmpeg import FfmpegEncoder as Encoder
from narration.errors import InputError, PermanentError
from narration.pipeline.formats import FORMATS, ChapterMark, Tags, ffmetadata, to_int16

SR = 22050
SECONDS = 6.0
CHAPTERS = [
    ChapterMark("Opening", 0.0, 2.5),
    ChapterMark("Part two; = #", 2.5, 4.25),
    ChapterMark("Ende – Schluss", 4.25, SECONDS),
]


def tone(seconds: float = SECONDS) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    return (0.3 * np.sin(2 * np.pi * 220 * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 2 * t))).astype(
        np.float32
    )


@pytest.fixture(scope="module")
def cover(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cover") / "cover.png"
    subprocess.run(
        [
            ffmpeg_exe(),
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "color=red:s=16x16",
            "-frames:v",
            "1",
            str(path),
        ],
        check=True,
    )
    return path


def encode(path: Path, fmt: str, cover: Path | None = None, **kw: object) -> Path:
    tags = Tags(
        title="A Book",
        artist="Some Author",
        album="A Book",
        year="2024",
        cover=str(cover) if cover else None,
    )
    x = tone()
    with Encoder(path, SR, fmt, tags=tags, chapters=CHAPTERS, **kw) as enc:  # type: ignore[arg-type]
        for i in range(0, len(x), 4001):
            enc.write(x[i : i + 4001])
    assert enc.samples == len(x)
    return path


def decoded_seconds(path: Path) -> float:
    cmd = [ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "s16le", "-ar", str(SR), "-"]
    out = subprocess.run(
        cmd,
        capture_output=True,
        check=True,
    ).stdout
    return len(out) / 2 / SR


def probe(path: Path) -> str:
    """What `ffmpeg -i` prints about the input (imageio-ffmpeg ships no ffprobe)."""
    return subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True
    ).stderr.decode()


def probe_chapters(path: Path) -> list[tuple[float, float, str]]:
    text = probe(path)
    found = re.findall(
        r"Chapter #\d+:\d+: start (\d+\.\d+), end (\d+\.\d+)\n\s+Metadata:\n\s+title\s+: (.*)", text
    )
    return [(float(a), float(b), t.strip()) for a, b, t in found]


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_format_round_trip(fmt: str, tmp_path: Path, cover: Path) -> None:
    path = encode(tmp_path / f"book.{FORMATS[fmt].extension}", fmt, cover=cover)
    assert decoded_seconds(path) == pytest.approx(SECONDS, rel=0.01)
    info = probe(path)
    assert re.search(r"title\s+: A Book", info)
    if FORMATS[fmt].chapters != "none":
        got = probe_chapters(path)
        assert [t for *_, t in got] == [c.title for c in CHAPTERS]
        for (start, _end, _), ch in zip(got, CHAPTERS, strict=True):
            assert start == pytest.approx(ch.start_s, abs=0.002)


def test_mp3_id3_chapters_with_mutagen(tmp_path: Path, cover: Path) -> None:
    from mutagen.id3 import ID3

    path = encode(tmp_path / "book.mp3", "mp3", cover=cover)
    tag = ID3(str(path))
    assert tag.version[:2] == (2, 3)
    assert str(tag["TIT2"]) == "A Book" and str(tag["TPE1"]) == "Some Author"
    assert tag.getall("APIC")[0].mime == "image/png"
    (toc,) = tag.getall("CTOC")
    chaps = {c.element_id: c for c in tag.getall("CHAP")}
    assert list(toc.child_element_ids) == sorted(chaps, key=lambda k: chaps[k].start_time)
    got = [
        (chaps[i].start_time, chaps[i].end_time, str(chaps[i].sub_frames["TIT2"]))
        for i in toc.child_element_ids
    ]
    assert got == [(round(c.start_s * 1000), round(c.end_s * 1000), c.title) for c in CHAPTERS]
    # The Xing/LAME header is there, so decoders trim the encoder delay and padding.
    assert b"Info" in path.read_bytes()[:8192] or b"Xing" in path.read_bytes()[:8192]


def test_m4b_chapters_with_mutagen(tmp_path: Path, cover: Path) -> None:
    from mutagen.mp4 import MP4

    path = encode(tmp_path / "book.m4b", "m4b", cover=cover)
    mp4 = MP4(str(path))
    assert mp4.tags is not None
    assert mp4.tags["\xa9nam"] == ["A Book"] and "covr" in mp4.tags
    assert mp4.chapters is not None
    got = [(round(c.start, 3), c.title) for c in mp4.chapters]
    assert got == [(c.start_s, c.title) for c in CHAPTERS]
    assert mp4.info.length == pytest.approx(SECONDS, rel=0.01)


def test_bitrate_option_and_int16_input(tmp_path: Path) -> None:
    x = to_int16(tone())
    small, large = tmp_path / "small.mp3", tmp_path / "large.mp3"
    for path, rate in ((small, "32k"), (large, "128k")):
        with Encoder(path, SR, "mp3", bitrate=rate) as enc:
            enc.write(x)
    assert large.stat().st_size > 2.5 * small.stat().st_size


def test_ffmetadata_escaping() -> None:
    text = ffmetadata(Tags(title="a=b;c#d\\e"), [ChapterMark("x\ny", 0, 1.5)])
    assert "title=a\\=b\\;c\\#d\\\\e" in text
    assert "START=0\nEND=1500\ntitle=x\\\ny" in text


def test_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        Encoder(tmp_path / "x.aiff", SR, "aiff")
    with pytest.raises(InputError):
        Encoder(tmp_path / "x.mp3", SR, chapters=[ChapterMark("a", 0, 2), ChapterMark("b", 1, 3)])
    # ffmpeg refuses the bitrate: a clear error and no partial file left behind.
    bad = Encoder(tmp_path / "bad.mp3", SR, "mp3", bitrate="nonsense")
    with pytest.raises(PermanentError, match="ffmpeg"), bad as enc:
        enc.write(tone(0.5))
    assert not (tmp_path / "bad.mp3").exists()
    # An exception inside the block kills ffmpeg and removes the partial output.
    with pytest.raises(RuntimeError), Encoder(tmp_path / "partial.mp3", SR) as enc:
        enc.write(tone(0.5))
        raise RuntimeError("stitch failed")
    assert not (tmp_path / "partial.mp3").exists()


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_the_same_audio_gives_the_same_file(fmt: str, tmp_path: Path, cover: Path) -> None:
    extension = FORMATS[fmt].extension
    first = encode(tmp_path / f"first.{extension}", fmt, cover=cover).read_bytes()
    second = encode(tmp_path / f"second.{extension}", fmt, cover=cover).read_bytes()
    assert first == second


@pytest.mark.parametrize("fmt", ["mp3", "m4b", "opus"])
def test_decoder_regroups_frames_without_changing_a_sample(fmt: str, tmp_path: Path) -> None:
    path = tmp_path / f"out.{FORMATS[fmt].extension}"
    with Encoder(path, SR, fmt) as enc:
        enc.write(tone(3.0 * DECODE_FRAME_SAMPLES / SR))
    blocks = list(decode_blocks(path, SR))
    plain = [ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "f32le", "-ac", "1"]
    done = subprocess.run([*plain, "-ar", str(SR), "pipe:1"], capture_output=True, check=True)
    assert np.concatenate(blocks).tobytes() == done.stdout
