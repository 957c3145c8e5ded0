"""What the CLI and the HTTP service do with jobs: submit a document, find an artifact,
cancel, resume. Both front ends call these, so a job submitted either way is the same job.

Nothing here prints or exits: errors are raised from `narration.errors`, and each front end
turns them into its exit code or HTTP status.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Final

from narration.adapters.job_record import JobRecord
from narration.adapters.job_records import FINAL_STATUSES
from narration.adapters.object_store import ObjectStore, parse_s3_uri
from narration.connections import Services
from narration.engines.registry import kind_for
from narration.engines.voices import find_voice, phoneme_symbols
from narration.errors import InputError, NotFound
from narration.job_cast import resolve_cast
from narration.job_language import primary, with_language
from narration.job_options import OPTIONS, SubmitRequest
from narration.option_spec import Surface
from narration.output_places import OutputPlaces
from narration.pipeline.document import Chapter, Document
from narration.pipeline.ingest import ReadingOptions
from narration.pipeline.lexicon import for_voice
from narration.pipeline.markup import phonemes_for_voice
from narration.pipeline.plan import JobOptions, Plan, select_chapters
from narration.pipeline.presets import DEFAULT_PRESET, Resolved, get_preset, resolve
from narration.production.dispatch import JOB_PRIORITY, dispatch, start_job
from narration.settings import Settings

if TYPE_CHECKING:
    import numpy as np

    from narration.adapters.bookends import AudioClip
    from narration.pipeline.manifest import Manifest

WHAT_KEYS: Final = {
    "manifest": "manifest.json",
    "vtt": "captions.vtt",
    "srt": "captions.srt",
    "marks": "marks.json",
}
"""Artifacts of a finished job by the name `--what` and the API give them; `audio` aside."""
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")
MAX_TITLE_CHARS: Final = 300
OPENING_CREDITS: Final = "Opening Credits"
CLOSING_CREDITS: Final = "Closing Credits"
SPOKEN_CHARS_PER_S: Final = 15.0
"""A cautious pace for length guards, slower than the bundled voice (joe measures 18.4 characters
a second, docs/OUTPUT.md), so a guard refuses only what is surely too long."""


@dataclass(frozen=True)
class Cover:
    """A cover image's bytes, checked to be JPEG or PNG."""

    data: bytes
    suffix: str

    @classmethod
    def from_bytes(cls, data: bytes, name: str) -> Cover:
        if data.startswith(b"\x89PNG"):
            return cls(data, ".png")
        if data.startswith(b"\xff\xd8"):
            return cls(data, ".jpg")
        raise InputError(f"cover image must be JPEG or PNG: {name}")

    @property
    def mime(self) -> str:
        return "image/png" if self.suffix == ".png" else "image/jpeg"


def check_title(value: str) -> str:
    """Titles and authors end up in tags and object metadata: no control characters."""
    if _CONTROL.search(value):
        raise InputError("--title/--author must not contain control characters")
    if len(value) > MAX_TITLE_CHARS:
        raise InputError(f"--title/--author is longer than {MAX_TITLE_CHARS} characters")
    return value.strip()


def job_options(settings: Settings, request: SubmitRequest) -> tuple[JobOptions, dict[str, Any]]:
    """The job's options, checked, and the voice it names (as the plan records it).

    Every option the spec keeps in the job record goes into `JobOptions` as given, but for
    those resolved here against the settings and the mastering preset.
    """
    voice_info = find_voice(request.voice or settings.voice, settings.voice_dirs)
    kind = kind_for(request.engine or settings.engine, voice_info)
    master = resolve_master(settings, request)
    recorded = {
        item.record: getattr(request, item.name)
        for item in OPTIONS
        if Surface.RECORD in item.spec.surfaces
    }
    resolved = {
        "voice": request.voice or settings.voice,
        "format": master.format,
        "title": check_title(request.title),
        "author": check_title(request.author),
        "loudness_lufs": settings.loudness_lufs if master.target_db is None else master.target_db,
        "bitrate": master.bitrate,
        "engine": kind.name,
        "master": master.preset.name,
        "opening_credits": bool(request.opening_credits.strip()),
        "closing_credits": bool(request.closing_credits.strip()),
    }
    options = JobOptions(**recorded | resolved)
    return options, voice_info.for_plan(kind.name)


def reading_options(request: SubmitRequest) -> ReadingOptions:
    """How the request reads blocks that are not prose (the values `validate` checked)."""
    return ReadingOptions(
        code=request.code,  # type: ignore[arg-type]
        footnotes=request.footnotes,  # type: ignore[arg-type]
        table_max_rows=request.table_max_rows,
        tables=request.tables,  # type: ignore[arg-type]
        toc="read" if request.keep_front_matter else request.toc,  # type: ignore[arg-type]
        index=request.index,  # type: ignore[arg-type]
        script=True if request.script is None and request.cast else request.script,
    )


def resolve_master(settings: Settings, request: SubmitRequest) -> Resolved:
    """The preset's delivery choices under the explicit options. The podcast preset is the
    settings' own defaults (`format`, `loudness_lufs`), so an operator's configuration holds."""
    if get_preset(request.master).name == DEFAULT_PRESET:
        return resolve(
            DEFAULT_PRESET,
            request.format or settings.format,
            settings.loudness_lufs if request.loudness is None else request.loudness,
            request.bitrate,
        )
    return resolve(request.master, request.format, request.loudness, request.bitrate)


def with_credits(document: Document, request: SubmitRequest) -> Document:
    """The document with the opening and closing credits as chapters of their own (each is
    delivered as its own file by a per-chapter preset)."""
    opening, closing = request.opening_credits.strip(), request.closing_credits.strip()
    chapters = list(document.chapters)
    if opening:
        chapters.insert(0, Chapter(OPENING_CREDITS, (opening,), title_spoken=False))
    if closing:
        chapters.append(Chapter(CLOSING_CREDITS, (closing,), title_spoken=False))
    return replace(document, chapters=tuple(chapters))


def check_chapter_lengths(document: Document, options: JobOptions) -> None:
    """Refuse a chapter that a per-chapter preset could not deliver: longer, by its text at the
    voice's usual pace, than the preset allows one file to be."""
    preset = get_preset(options.master)
    if preset.max_file_minutes is None:
        return
    for chapter in document.chapters:
        chars = sum(len(paragraph) for paragraph in chapter.paragraphs)
        minutes = chars / (SPOKEN_CHARS_PER_S * options.speed) / 60.0
        if minutes > preset.max_file_minutes:
            raise InputError(
                f"chapter {chapter.title!r} would last about {minutes:.0f} minutes; --master "
                f"{preset.name} allows {preset.max_file_minutes:g} per file: split it"
            )


def decode_bookends(
    options: JobOptions, rate: int, intro: AudioClip | None, outro: AudioClip | None
) -> dict[str, np.ndarray]:
    """The intro and outro decoded at the voice's rate and levelled, checked before anything
    is stored. A per-chapter preset has no book-long file to put them in: refused.

    numpy and ffmpeg's adapter are imported only for a job that has a clip: `narrate submit`
    queues a job without either (docs/BENCHMARKS.md, "CLI start-up")."""
    given = {"intro": intro, "outro": outro}
    clips = {what: clip for what, clip in given.items() if clip is not None}
    if clips and get_preset(options.master).per_chapter:
        raise InputError(
            f"--intro/--outro do not go with --master {options.master}, whose files are one "
            "per chapter: use --opening-credits/--closing-credits"
        )
    if not clips:
        return {}
    from narration.adapters.bookends import decode_clip
    from narration.pipeline.mastering import bookend_lufs

    level = bookend_lufs(get_preset(options.master), options.format)
    return {what: decode_clip(clip, rate, what, level) for what, clip in clips.items()}


def check_proof_language(settings: Settings, options: JobOptions) -> None:
    """`--proof` hears English only (its recogniser is Whisper tiny.en): a job read by a voice
    of another language would have every chunk called a suspect and rendered again."""
    if not options.proof:
        return
    voices = {options.voice, *(voice for _, voice in options.cast)}
    for name in sorted(voices):
        language = find_voice(name, settings.voice_dirs).language
        if primary(language) != "en":
            raise InputError(
                f"--proof hears English only (its recogniser is Whisper tiny.en); "
                f"{name} reads {language}: submit without --proof"
            )


def check_output(services: Services, settings: Settings, output: str) -> None:
    """Refuse an `--output` location outside `output_places` (the `output_allow` setting, never
    the service's own places), in a bucket that does not exist (none is ever created), or that
    already holds an object (nothing stored is lost)."""
    if output:
        target = parse_s3_uri(output)
        refused = OutputPlaces.from_settings(settings).refusal(target)
        if refused is not None:
            raise InputError(refused.message)
        store = services.store(target.bucket)
        if not store.bucket_exists():
            raise InputError(
                f"output bucket {target.bucket} does not exist or cannot be written; "
                "this service never creates buckets"
            )
        if store.exists(target.key):
            raise InputError(f"{output} already exists; choose another --output key")


def submit(
    services: Services,
    settings: Settings,
    document: Document,
    request: SubmitRequest,
    *,
    cover: Cover | None = None,
    intro: AudioClip | None = None,
    outro: AudioClip | None = None,
    job_id: str = "",
    fields: Mapping[str, object] | None = None,
    priority: int = JOB_PRIORITY,
) -> JobRecord:
    """Plan and start a job for a parsed document; returns the new job record.

    `fields` are added to the job record (the Polly API keeps its task's fields there);
    `priority` orders its messages on the queues (`production.dispatch.SHORT_PRIORITY` goes first).
    `intro` and `outro` are audio files played before the first and after the last chapter.
    """
    document, request = with_language(settings, request, document)
    cast, request = resolve_cast(settings, request, document)
    options, voice = job_options(settings, request)
    options = replace(options, cast=cast)
    check_proof_language(settings, options)
    check_output(services, settings, request.output)
    bookends = decode_bookends(options, int(voice["sample_rate"]), intro, outro)
    voice_info = find_voice(options.voice, settings.voice_dirs)
    symbols = phoneme_symbols(voice_info)
    lexicon = None
    if request.lexicons:
        merged = services.lexicons().load(request.lexicons)
        lexicon = for_voice(merged, symbols, voice_info.name)
    document = phonemes_for_voice(document, symbols, voice_info.name)
    document = select_chapters(document, request.chapters)
    document = with_credits(document, request)
    check_chapter_lengths(document, options)
    if cover is not None:
        key = f"{services.prefix}/covers/{secrets.token_hex(8)}{cover.suffix}"
        services.store().put_bytes(key, cover.data, cover.mime)
        options = replace(options, cover_key=key)
    keys = {}
    if bookends:
        from narration.adapters.bookends import to_npy_bytes
    for what, pcm in bookends.items():
        keys[what] = f"{services.prefix}/{what}s/{secrets.token_hex(8)}.npy"
        services.store().put_bytes(keys[what], to_npy_bytes(pcm), "application/octet-stream")
    if bookends:
        options = replace(
            options,
            intro_key=keys.get("intro", ""),
            intro_samples=len(bookends.get("intro", ())),
            outro_key=keys.get("outro", ""),
            outro_samples=len(bookends.get("outro", ())),
        )
    return start_job(
        services,
        settings,
        document,
        options,
        voice,
        lexicon,
        job_id=job_id,
        fields=fields,
        priority=priority,
    )


def artifact(services: Services, job: str, what: str) -> tuple[ObjectStore, str]:
    """Where a finished job's audio (`audio`) or artifact (`WHAT_KEYS`) is stored."""
    record = services.records().get(job)
    if what == "audio":
        if record["status"] != "succeeded" or not record.get("output_uri"):
            raise InputError(f"job {job} has no audio yet (status: {record['status']})")
        location = parse_s3_uri(record["output_uri"])
        return services.store(location.bucket), location.key
    if what == "sample":
        sample = _manifest(services, job, record).get("retail_sample")
        if not sample:
            raise InputError(f"job {job} has no retail sample (submit it with --retail-sample)")
        location = parse_s3_uri(sample["uri"])
        return services.store(location.bucket), location.key
    if what not in WHAT_KEYS:
        raise InputError(f"--what must be audio, chapters, sample, {', '.join(WHAT_KEYS)}")
    if record["status"] != "succeeded":
        raise InputError(f"job {job} has no {what} yet (status: {record['status']})")
    return services.store(), services.keys(job).artifact(WHAT_KEYS[what])


def chapter_files(services: Services, job: str) -> list[tuple[ObjectStore, str]]:
    """Where a finished job's chapter files (credits included) are stored, in order."""
    record = services.records().get(job)
    files = _manifest(services, job, record)["chapter_files"]
    if not files:
        raise InputError(
            f"job {job} has no chapter files (submit it with --split-chapters or --master acx)"
        )
    found: list[tuple[ObjectStore, str]] = []
    for entry in files:
        location = parse_s3_uri(entry["uri"])
        found.append((services.store(location.bucket), location.key))
    return found


def chapter_file(services: Services, job: str, number: int) -> tuple[ObjectStore, str]:
    """Where a finished job's `number`th chapter file (counted from 1) is stored."""
    files = chapter_files(services, job)
    if not 1 <= number <= len(files):
        raise NotFound(f"job {job} has no chapter file {number} (it has {len(files)})")
    return files[number - 1]


def _manifest(services: Services, job: str, record: JobRecord) -> Manifest:
    if record["status"] != "succeeded":
        raise InputError(f"job {job} has not succeeded (status: {record['status']})")
    keys = services.keys(job)
    manifest: Manifest = json.loads(services.store().get_bytes(keys.manifest))
    return manifest


def cancel(services: Services, job: str) -> None:
    """Cancel a job: no chunk starts after this."""
    records = services.records()
    if not records.set_status(job, "cancelled"):
        raise InputError(f"job {job} already ended ({records.get(job)['status']})")


def resume(services: Services, job: str) -> int:
    """Re-send the missing chunks of a job that did not succeed; how many are missing."""
    records = services.records()
    record = records.get(job)
    if record["status"] == "succeeded":
        raise InputError(f"job {job} already succeeded")
    chunks = services.chunks(job)
    plan = Plan.from_json(chunks.objects.get_bytes(chunks.keys.plan))
    records.update(job, status="queued", error="", finished_at="")
    return dispatch(plan, chunks, services.work_queue())


def purge(services: Services, job: str) -> int:
    """Delete a job's intermediate chunk objects (its outputs stay); how many went."""
    record = services.records().get(job)
    if record["status"] not in FINAL_STATUSES:
        raise InputError(f"job {job} is still {record['status']}; cancel it first")
    return services.chunks(job).purge()
