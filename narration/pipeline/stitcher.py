"""Assemble a job's chunks into the final audio, streaming, in two passes.

Pass 1 reads every chunk in order, measures integrated loudness (ITU-R BS.1770) and spools the
PCM as raw int16 to a local file; the limiter probes and pass 2 read that file instead of
fetching and decoding every chunk again. Pass 2 applies one gain and a true-peak limiter and
streams the PCM into the encoder. Only one chunk is in memory at a time, so a ten-hour book
stitches in constant memory (the spool costs 2 bytes per sample of local disk: 1.6 GB for ten
hours at 22.05 kHz). The
timeline is computed first from the chunk metadata alone, in whole samples, so the manifest,
chapters, captions and speech marks agree with the audio to the sample.
"""

from __future__ import annotations

import io
import json
import subprocess
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np

from narration.errors import PermanentError
from narration.pipeline import audio, captions
from narration.pipeline.chunker import split_sentences
from narration.pipeline.encode import ChapterMark, Encoder, Tags, ffmpeg_exe, get_format
from narration.pipeline.loudness import Limiter, LoudnessMeter, TruePeakMeter, gain_for_target
from narration.pipeline.plan import JobKeys, Plan
from narration.pipeline.storage import ObjectStore, parse_s3_uri

LEAD_IN_S: Final = 0.25
TAIL_S: Final = 0.75
TRUE_PEAK_CEILING_DBTP: Final = -1.0
CODEC_MARGINS: Final = {
    "mp3": (-1.7, 0.45),
    "m4b": (-1.0, 0.05),
    "m4a": (-1.0, 0.05),
    "opus": (-0.7, 0.2),
    "ogg": (-0.7, 0.2),
}
"""Per lossy format: (extra true-peak ceiling in dB, loudness the codec takes away in LU).
Measured on Piper speech at -16 LUFS: a 64 kbit/s MP3 decodes 0.43 LU quieter with peaks up to
1.4 dB higher than its PCM; AAC 0.04 LU and 0.67 dB; Opus 0.2 LU and 0.4 dB."""
MEASURE_BLOCK_BYTES: Final = 1 << 20
LOUDNESS_TOLERANCE_LU: Final = 0.3
TRUE_PEAK_RETRY_MARGIN_DB: Final = 0.3
LIMITER_PROBE_CHUNKS: Final = 32
"""Pass 1b runs the limiter over this many chunks, spread evenly over the book, to measure how
much loudness it takes away; twice, since the loss grows with the gain it corrects (a secant
step on the two measurements then lands on the gain whose loss it corrects)."""
PROBE_SKIP_LU: Final = 0.05
"""A first probe that finds the limiter taking less than this needs no second one."""
_SPOOL_SCALE: Final = np.float32(1.0 / 32767.0)  # as audio.from_wav_bytes


@dataclass(frozen=True)
class Placed:
    """A chunk placed on the output timeline (sample positions)."""

    meta: dict[str, Any]
    start: int
    end: int
    pause_after: int


@dataclass(frozen=True)
class StitchResult:
    output_uri: str
    duration_s: float
    manifest: dict[str, Any]


def place_chunks(metas: list[dict[str, Any]], sample_rate: int) -> tuple[list[Placed], int]:
    """Where each chunk's speech starts and ends, and the total length, in samples."""
    position = round(LEAD_IN_S * sample_rate)
    placed = []
    for number, meta in enumerate(metas):
        last = number == len(metas) - 1
        pause = round((TAIL_S if last else meta["pause_after_s"]) * sample_rate)
        placed.append(Placed(meta, position, position + meta["samples"], pause))
        position += meta["samples"] + pause
    return placed, position


def chapter_marks(plan: Plan, placed: list[Placed], total: int, rate: int) -> list[ChapterMark]:
    """Each chapter runs from its first chunk's start (0 for the first) to the next one's."""
    starts: dict[int, int] = {}
    for item in placed:
        starts.setdefault(item.meta["chapter"], item.start)
    ordered = sorted(starts.items(), key=lambda pair: pair[1])
    marks = []
    for number, (chapter, start) in enumerate(ordered):
        begin = 0 if number == 0 else start
        end = ordered[number + 1][1] if number + 1 < len(ordered) else total
        marks.append(ChapterMark(plan.chapters[chapter], begin / rate, end / rate))
    return marks


def _pcm_blocks(
    store: ObjectStore, keys: JobKeys, placed: list[Placed], rate: int
) -> Iterator[np.ndarray]:
    yield np.zeros(placed[0].start if placed else 0, dtype=np.float32)
    for item in placed:
        pcm, _ = audio.from_wav_bytes(store.get_bytes(keys.chunk_audio(item.meta["seq"])))
        yield pcm
        yield np.zeros(item.pause_after, dtype=np.float32)


class _Spool:
    """Pass 1's PCM as raw int16 in a local file, read back chunk by chunk by later passes."""

    def __init__(self, path: Path, placed: list[Placed]) -> None:
        self.path = path
        self.placed = placed
        self.offsets: list[int] = []  # byte offset of each chunk's samples

    def measure(self, store: ObjectStore, keys: JobKeys, rate: int) -> float:
        """Pass 1: integrated loudness of the timeline, spooling each chunk as it goes."""
        meter = LoudnessMeter(rate)
        position = 0
        with self.path.open("wb") as out:
            for item in self.placed:
                data = store.get_bytes(keys.chunk_audio(item.meta["seq"]))
                samples = _wav_int16(data)
                self.offsets.append(position)
                out.write(samples.tobytes())
                position += 2 * len(samples)
                if len(samples):
                    meter.add(samples.astype(np.float32) * _SPOOL_SCALE)
                if item.pause_after:
                    meter.add(np.zeros(item.pause_after, dtype=np.float32))
        return meter.integrated_lufs()

    def blocks(self, numbers: list[int] | None = None) -> Iterator[np.ndarray]:
        """The same blocks `_pcm_blocks` yields, for all chunks or the chunks `numbers`."""
        chosen = range(len(self.placed)) if numbers is None else numbers
        yield np.zeros(self.placed[0].start if self.placed else 0, dtype=np.float32)
        with self.path.open("rb") as spool:
            for number in chosen:
                item = self.placed[number]
                spool.seek(self.offsets[number])
                samples = np.fromfile(spool, dtype="<i2", count=item.end - item.start)
                yield samples.astype(np.float32) * _SPOOL_SCALE
                yield np.zeros(item.pause_after, dtype=np.float32)


def _wav_int16(data: bytes) -> np.ndarray:
    """The int16 samples of a chunk WAV (what `audio.from_wav_bytes` scales to float)."""
    with wave.open(io.BytesIO(data), "rb") as wav:
        return np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")


def _probe_numbers(count: int) -> list[int]:
    if count <= LIMITER_PROBE_CHUNKS:
        return list(range(count))
    step = (count - 1) / (LIMITER_PROBE_CHUNKS - 1)
    return [round(i * step) for i in range(LIMITER_PROBE_CHUNKS)]


def _loss(blocks: Iterator[np.ndarray], rate: int, gain_db: float, ceiling_dbtp: float) -> float:
    before, after = LoudnessMeter(rate), LoudnessMeter(rate)
    limiter = Limiter(rate, ceiling_dbtp, gain_db=gain_db)
    gain = np.float32(10.0 ** (gain_db / 20.0))
    for block in blocks:
        if len(block):
            before.add(block * gain)
            after.add(limiter.process(block))
    after.add(limiter.flush())
    loss = before.integrated_lufs() - after.integrated_lufs()
    return float(loss) if np.isfinite(loss) else 0.0


def _solve_gain(spool: _Spool, rate: int, target_gain_db: float, ceiling: float) -> float:
    """The gain g with g = target_gain_db + loss(g), from at most two probes.

    The loss grows with the gain (about 0.5 LU per dB on peaky speech), so the plain fixed-point
    step g1 = target + loss(g0) undershoots; a secant step through both probes corrects it.
    """
    numbers = _probe_numbers(len(spool.placed))
    g0 = target_gain_db
    l0 = _loss(spool.blocks(numbers), rate, g0, ceiling)
    if abs(l0) < PROBE_SKIP_LU:
        return g0 + l0
    g1 = g0 + l0
    l1 = _loss(spool.blocks(numbers), rate, g1, ceiling)
    slope = min(0.8, max(0.0, (l1 - l0) / (g1 - g0)))
    return g1 + (target_gain_db + l1 - g1) / (1.0 - slope)


def measure_file(path: Path, rate: int) -> tuple[float, float]:
    """Integrated loudness and true peak of an encoded file, as a listener's decoder sees it.

    Lossy codecs change both (a 64 kbit/s MP3 of limited speech decodes up to 1.5 dB above the
    PCM's true peak), so the delivered file is measured, streaming, not the PCM sent to it.
    """
    loudness, peak = LoudnessMeter(rate), TruePeakMeter(rate)
    command = [
        ffmpeg_exe(),
        "-v",
        "error",
        "-i",
        str(path),
        "-f",
        "f32le",
        "-ac",
        "1",
        "-ar",
        str(rate),
        "pipe:1",
    ]
    with subprocess.Popen(command, stdout=subprocess.PIPE) as decoder:
        assert decoder.stdout is not None
        while block := decoder.stdout.read(MEASURE_BLOCK_BYTES):
            samples = np.frombuffer(block[: len(block) // 4 * 4], dtype=np.float32)
            loudness.add(samples)
            peak.add(samples)
    if decoder.returncode != 0:
        raise PermanentError(f"cannot decode the encoded output {path.name} to verify it")
    return loudness.integrated_lufs(), peak.true_peak_dbtp()


def _separator(boundary: str) -> str:
    return "\n\n" if boundary in ("paragraph", "chapter") else " "


def timed_spans(
    placed: list[Placed], rate: int
) -> tuple[str, list[captions.Span], list[captions.Span]]:
    """The spoken text, and its sentences and words placed in the final audio.

    Sentences are timed by the chunk's word timings where it has them, else proportionally to
    their characters. Offsets index the chunk texts joined by a space (inside a paragraph) or a
    blank line (between paragraphs).
    """
    parts: list[str] = []
    sentences: list[captions.Span] = []
    words: list[captions.Span] = []
    base_char = 0
    for item in placed:
        base_s = item.start / rate
        speech_s = item.meta["samples"] / rate
        text = item.meta["text"]
        own_words = [] if item.meta.get("words_from_spoken_text") else item.meta["words"]
        for word in own_words:
            words.append(
                captions.Span(
                    base_s + word["start_s"],
                    base_s + word["end_s"],
                    base_char + word["start"],
                    base_char + word["end"],
                )
            )
        offset = 0
        for sentence in split_sentences(text):
            first = text.find(sentence, offset)
            last = first + len(sentence)
            offset = last
            inside = [w for w in own_words if first <= w["start"] < last]
            if inside:
                begin, finish = inside[0]["start_s"], inside[-1]["end_s"]
            else:
                begin = speech_s * first / max(1, len(text))
                finish = speech_s * last / max(1, len(text))
            sentences.append(
                captions.Span(base_s + begin, base_s + finish, base_char + first, base_char + last)
            )
        separator = _separator(item.meta["boundary_after"])
        parts.append(text + separator)
        base_char += len(text) + len(separator)
    return "".join(parts), sentences, words


def stitch_job(plan: Plan, store: ObjectStore, keys: JobKeys, workdir: Path) -> StitchResult:
    """Stitch, encode and upload a job; the manifest goes up last and marks completion."""
    metas = [json.loads(store.get_bytes(keys.chunk_meta(c.seq))) for c in plan.chunks]
    rate = int(metas[0]["sample_rate"])
    placed, total = place_chunks(metas, rate)
    fmt = get_format(plan.options.format)
    chapters = chapter_marks(plan, placed, total, rate)
    tags = Tags(
        title=plan.title,
        artist=plan.author or plan.voice_info.get("name", ""),
        album=plan.title,
        comment=f"Narrated by narration with voice {plan.options.voice}",
        language=plan.language,
        cover=_cover(plan, store, workdir),
    )
    extra_ceiling, codec_loss = CODEC_MARGINS.get(fmt.name, (0.0, 0.0))
    ceiling = TRUE_PEAK_CEILING_DBTP + extra_ceiling
    spool = _Spool(workdir / "stitch-pcm.s16", placed)
    gain_db = gain_for_target(spool.measure(store, keys, rate), plan.options.loudness_lufs)
    gain_db = _solve_gain(spool, rate, gain_db + codec_loss, ceiling)
    out_path = workdir / f"output.{fmt.extension}"
    splitter = (
        _ChapterSplitter(workdir, plan, chapters, rate) if plan.options.split_chapters else None
    )

    def encode(gain_db: float, ceiling: float) -> None:
        limiter = Limiter(rate, ceiling, gain_db=gain_db)
        with Encoder(
            out_path,
            rate,
            fmt.name,
            bitrate=plan.options.bitrate or None,
            tags=tags,
            chapters=chapters,
        ) as encoder:
            for block in spool.blocks():
                encoder.write(limiter.process(block))
            encoder.write(limiter.flush())

    encode(gain_db, ceiling)
    measured_lufs, measured_tp = measure_file(out_path, rate)
    loudness_off = abs(measured_lufs - plan.options.loudness_lufs) > LOUDNESS_TOLERANCE_LU
    if loudness_off or measured_tp > TRUE_PEAK_CEILING_DBTP:
        lower = ceiling - max(0.0, measured_tp - TRUE_PEAK_CEILING_DBTP)
        if measured_tp > TRUE_PEAK_CEILING_DBTP:
            lower -= TRUE_PEAK_RETRY_MARGIN_DB
        # Correct the gain by what the file missed, net of what the limiter took at the old
        # ceiling; the lower ceiling takes more, which the probes solve for again.
        probe = _probe_numbers(len(placed))
        base_gain_db = gain_db - _loss(spool.blocks(probe), rate, gain_db, ceiling)
        base_gain_db += plan.options.loudness_lufs - measured_lufs
        gain_db, ceiling = _solve_gain(spool, rate, base_gain_db, lower), lower
        encode(gain_db, ceiling)
        measured_lufs, measured_tp = measure_file(out_path, rate)
    if splitter:
        _split_chapters(splitter, spool, rate, gain_db, ceiling)
    spool.path.unlink(missing_ok=True)

    text, sentence_spans, word_spans = timed_spans(placed, rate)
    cues = captions.cues_from_spans(text, sentence_spans)
    marks = captions.speech_marks(text, sentence_spans, word_spans)
    duration_s = total / rate
    output_uri = _upload_output(plan, store, keys, out_path, fmt.extension, fmt.mime)
    chapter_files = splitter.upload(store, keys) if splitter else []
    store.put_bytes(keys.artifact("captions.vtt"), captions.to_webvtt(cues).encode(), "text/vtt")
    store.put_bytes(keys.artifact("captions.srt"), captions.to_srt(cues).encode(), "text/plain")
    store.put_bytes(
        keys.artifact("marks.json"), captions.to_jsonl(marks).encode(), "application/x-ndjson"
    )
    manifest = {
        "job_id": plan.job_id,
        "title": plan.title,
        "author": plan.author,
        "language": plan.language,
        "voice": plan.options.voice,
        "format": fmt.name,
        "sample_rate": rate,
        "duration_s": round(duration_s, 3),
        "output_uri": output_uri,
        "loudness": {
            "measured_lufs": round(measured_lufs, 2),
            "measured_true_peak_dbtp": round(measured_tp, 2),
            "target_lufs": plan.options.loudness_lufs,
            "gain_db": round(gain_db, 2),
            "true_peak_ceiling_dbtp": ceiling,
        },
        "engine": {
            "name": plan.voice_info.get("engine", "piper"),
            "params": {"seed": plan.options.seed, "voice": plan.voice_info},
        },
        "chapters": [
            {"title": m.title, "start_s": round(m.start_s, 3), "end_s": round(m.end_s, 3)}
            for m in chapters
        ],
        "chapter_files": chapter_files,
        "artifacts": {
            name: f"s3://{store.bucket}/{keys.artifact(name)}"
            for name in ("captions.vtt", "captions.srt", "marks.json")
        },
        "chunks": [
            {
                "segment": item.meta["segment"],
                "index": item.meta["index"],
                "seq": item.meta["seq"],
                "text": item.meta["text"],
                "start_s": round(item.start / rate + item.meta["speech_start_s"], 3),
                "end_s": round(item.start / rate + item.meta["speech_end_s"], 3),
                "boundary_after": item.meta["boundary_after"],
            }
            for item in placed
        ],
    }
    store.put_bytes(
        keys.manifest,
        json.dumps(manifest, ensure_ascii=False, indent=1).encode(),
        "application/json",
    )
    return StitchResult(output_uri, duration_s, manifest)


def _cover(plan: Plan, store: ObjectStore, workdir: Path) -> Path | None:
    if not plan.options.cover_key:
        return None
    path = workdir / ("cover" + Path(plan.options.cover_key).suffix)
    store.download_file(plan.options.cover_key, path)
    return path


def _upload_output(
    plan: Plan, store: ObjectStore, keys: JobKeys, path: Path, extension: str, mime: str
) -> str:
    if plan.options.output_uri:
        target = parse_s3_uri(plan.options.output_uri)
        other = store.for_bucket(target.bucket) if hasattr(store, "for_bucket") else store
        other.upload_file(target.key, path, mime)
        return target.uri
    store.upload_file(keys.output(extension), path, mime)
    return f"s3://{store.bucket}/{keys.output(extension)}"


def _split_chapters(
    splitter: _ChapterSplitter, spool: _Spool, rate: int, gain_db: float, ceiling: float
) -> None:
    """One more pass with the final gain and ceiling, cut into one file per chapter."""
    limiter = Limiter(rate, ceiling, gain_db=gain_db)
    for block in spool.blocks():
        splitter.write(limiter.process(block))
    splitter.write(limiter.flush())
    splitter.close()


class _ChapterSplitter:
    """Cuts the limited output stream at chapter marks into one encoded file per chapter."""

    def __init__(self, workdir: Path, plan: Plan, chapters: list[ChapterMark], rate: int) -> None:
        self._plan = plan
        self._fmt = get_format(plan.options.format)
        self._rate = rate
        self._bounds = [(round(m.start_s * rate), round(m.end_s * rate), m.title) for m in chapters]
        self._paths = [
            workdir / f"chapter-{n:03d}.{self._fmt.extension}" for n in range(len(chapters))
        ]
        self._position = 0
        self._current = -1
        self._encoder: Encoder | None = None

    def write(self, block: np.ndarray) -> None:
        offset = 0
        while offset < len(block):
            number = self._chapter_at(self._position)
            if number != self._current:
                self._switch(number)
            end = self._bounds[number][1]
            take = min(len(block) - offset, end - self._position)
            assert self._encoder is not None
            self._encoder.write(block[offset : offset + take])
            offset += take
            self._position += take

    def _chapter_at(self, position: int) -> int:
        for number, (_, end, _) in enumerate(self._bounds):
            if position < end:
                return number
        return len(self._bounds) - 1

    def _switch(self, number: int) -> None:
        if self._encoder is not None:
            self._encoder.__exit__(None, None, None)
        title = self._bounds[number][2]
        tags = Tags(title=title, album=self._plan.title, artist=self._plan.author)
        self._encoder = Encoder(self._paths[number], self._rate, self._fmt.name, tags=tags).open()
        self._current = number

    def close(self) -> None:
        if self._encoder is not None:
            self._encoder.__exit__(None, None, None)
            self._encoder = None

    def upload(self, store: ObjectStore, keys: JobKeys) -> list[dict[str, Any]]:
        files = []
        for number, path in enumerate(self._paths):
            if path.exists():
                key = keys.chapter_output(number + 1, self._fmt.extension)
                store.upload_file(key, path, self._fmt.mime)
                files.append(
                    {"title": self._bounds[number][2], "uri": f"s3://{store.bucket}/{key}"}
                )
        return files
