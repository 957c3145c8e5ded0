"""Shared helpers for the end-to-end benchmarks: the bench text, a private local stack, timing.

The bench text is generated, not copied: `generate_text` strings varied, original sentences
together from templates with a fixed seed, so every machine benchmarks the same bytes. It is
stored in bench/data/essay.txt (regenerate with `python bench/common.py --write-text`).

`BenchStack` runs Valkey and SeaweedFS through `narration.stack.up` under a throwaway
NARRATION_HOME in /tmp, with default settings (the caller's NARRATION_* and config are ignored),
and starts the Celery workers through the stack's own launcher (`stack.spawn`,
`stack.worker_command`, `settings.child_environment`), so a benchmark can choose each worker's
shape (concurrency, entry module) and settings (engine threads, …). Everything it started is
stopped on exit, also when the benchmark fails.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import platform
import random
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

ROOT: Final = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from narration import stack  # noqa: E402
from narration.settings import ENV_PREFIX, Settings, child_environment, load_settings  # noqa: E402

if TYPE_CHECKING:
    from narration.pipeline.plan import Plan

DATA_DIR: Final = ROOT / "bench" / "data"
ESSAY: Final = DATA_DIR / "essay.txt"
ESSAY_CHARS: Final = 34_400
"""About the size of the issue's reference text (34,404 characters → 1,871 s of audio)."""
TEXT_SEED: Final = 20240611
WORKER_READY_TIMEOUT_S: Final = 120.0
JOB_TIMEOUT_S: Final = 1800.0
JOB_SEED: Final = 1234
"""`--seed` of every bench job (mixed into each chunk's cache key and noise seed)."""

# -- the bench text ------------------------------------------------------------------------

_PLACES = (
    "the harbour town",
    "a hill village",
    "the old mill",
    "the river delta",
    "a mountain pass",
    "the railway yard",
    "a coastal marsh",
    "the valley farms",
    "the market square",
    "a lighthouse island",
    "the northern forest",
    "the city library",
    "a quiet orchard",
    "the salt flats",
    "the canal district",
    "a fishing cove",
)
_PEOPLE = (
    "the ferry captain",
    "a retired engineer",
    "the village baker",
    "two young surveyors",
    "the lighthouse keeper",
    "a travelling musician",
    "the schoolteacher",
    "an apprentice potter",
    "the night watchman",
    "a botanist from the coast",
    "the station master",
    "her grandmother",
    "the carpenter's son",
    "a patient archivist",
    "the beekeeper",
    "an old clockmaker",
)
_THINGS = (
    "a map of the tides",
    "the weather journal",
    "a box of brass instruments",
    "the harvest",
    "a bridge of grey stone",
    "the winter stores",
    "a set of hand-drawn charts",
    "the signal lamps",
    "a ledger of small debts",
    "the orchard ladders",
    "the new water pump",
    "a crate of seed potatoes",
    "the copper kettles",
    "a bundle of letters",
    "the ship's bell",
    "the garden walls",
)
_VERBS = (
    "repaired",
    "measured",
    "carried",
    "painted",
    "studied",
    "rebuilt",
    "counted",
    "guarded",
    "described",
    "collected",
    "tested",
    "replaced",
    "sketched",
    "polished",
    "checked",
    "moved",
)
_TIMES = (
    "before dawn",
    "in the late afternoon",
    "every second Tuesday",
    "during the long winter",
    "after the spring floods",
    "at the end of each season",
    "on cold mornings",
    "whenever the wind turned",
    "in the first week of October",
    "long after midnight",
    "while the tide was out",
    "on market days",
)
_ADJS = (
    "patient",
    "careful",
    "restless",
    "stubborn",
    "generous",
    "quiet",
    "cheerful",
    "tired",
    "curious",
    "methodical",
    "hopeful",
    "weathered",
)
_FEELINGS = (
    "a sense of order",
    "a kind of calm",
    "more questions than answers",
    "an odd satisfaction",
    "a useful habit",
    "a small but steady income",
    "the respect of the neighbours",
    "a reason to keep going",
)
_TEMPLATES = (
    "{Person} {verb} {thing} {time}.",
    "In {place}, {person} {verb} {thing} and wrote down what changed.",
    "Nobody in {place} remembered who had first {verb} {thing}, but everyone agreed it mattered.",
    "{Time}, {person} walked to {place} with {thing} under one arm.",
    "It took {n} days to finish, and the work brought {feeling}.",
    '"We will need {n} more," said {person}, looking at {thing}.',
    "Was it worth the trouble? {Person} thought so, at least on most days.",
    "The records show that {n} people lived in {place} in {year}, a number that barely moved "
    "for a decade.",
    "{Person} was {adj} by nature, and {adj2} by long practice.",
    "Some visitors found {place} {adj}; others, who stayed longer, called it {adj2}.",
    "There were {n} steps from the gate to the door, and {person} knew each of them by heart.",
    "By {year}, {thing} had been {verb} so often that the originals were hard to find.",
    "{Person} kept a list: first {thing}, then {thing2}, and finally, if there was time, "
    "the long walk to {place}.",
    "The lesson, if there was one, was simple: {feeling} comes from doing small things well.",
    "When the rain came, {person} {verb} {thing} again, because nothing else could wait.",
    "A letter from {place} arrived in {month}, asking whether {thing} could be sent by train.",
    "At {clock} o'clock the bell rang, and {person} put down {thing}.",
    "{Person} said little, but the neighbours noticed that {thing} was always ready {time}.",
    "Prices rose by {pct} percent that year, which meant that {thing} cost more than anyone "
    "had planned.",
    "Even so, {person} found {feeling} in the routine, and in the people of {place}.",
    "Later, when asked about it, {person} only laughed and pointed toward {place}.",
    "The road to {place} was {adj} and narrow; it climbed, dipped, and climbed again.",
)
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _sentence(rng: random.Random) -> str:
    template = rng.choice(_TEMPLATES)
    person, thing, time_, place = (
        rng.choice(_PEOPLE),
        rng.choice(_THINGS),
        rng.choice(_TIMES),
        rng.choice(_PLACES),
    )
    adj, adj2 = rng.sample(_ADJS, 2)
    thing2 = rng.choice([t for t in _THINGS if t != thing])
    text = template.format(
        person=person,
        Person=person[0].upper() + person[1:],
        thing=thing,
        thing2=thing2,
        verb=rng.choice(_VERBS),
        time=time_,
        Time=time_[0].upper() + time_[1:],
        place=place,
        n=rng.choice((3, 4, 7, 12, 19, 26, 40, 115)),
        year=rng.randrange(1890, 1990),
        adj=adj,
        adj2=adj2,
        feeling=rng.choice(_FEELINGS),
        month=rng.choice(_MONTHS),
        clock=rng.choice(("six", "seven", "nine", "eleven")),
        pct=rng.choice((4, 9, 12, 30)),
    )
    return text


def generate_text(chars: int = ESSAY_CHARS, seed: int = TEXT_SEED) -> str:
    """Original English prose, paragraphs of 3-8 sentences, about `chars` characters."""
    rng = random.Random(seed)
    paragraphs: list[str] = []
    total = 0
    while total < chars:
        paragraph = " ".join(_sentence(rng) for _ in range(rng.randint(3, 8)))
        paragraphs.append(paragraph)
        total += len(paragraph) + 2
    return "\n\n".join(paragraphs) + "\n"


def text_of_length(chars: int) -> str:
    """Generated prose of exactly `chars` characters, ending in a full stop."""
    body = generate_text(chars + 1_000).strip()[: chars - 1]
    if not body[-1].isalnum():
        body = body[:-1] + "a"
    return body + "."


def bench_text(chars: int | None = None) -> str:
    """The stored bench text, cut at a paragraph (else sentence) end to at most `chars`."""
    text = ESSAY.read_text(encoding="utf-8") if ESSAY.exists() else generate_text()
    text = text.strip()
    if chars is None or chars >= len(text):
        return text + "\n"
    cut = text.rfind("\n\n", 0, chars)
    if cut < chars // 2:
        cut = text.rfind(". ", 0, chars) + 1
    return text[: max(cut, 1)].strip() + "\n"


# -- machine state -------------------------------------------------------------------------


def load_note() -> str:
    """One line for the output: cores and load averages, so numbers can be judged later."""
    one, five, fifteen = os.getloadavg()
    return (
        f"{os.cpu_count()} cores, load average {one:.2f} / {five:.2f} / {fifteen:.2f} "
        f"(1/5/15 min), {platform.python_implementation()} {platform.python_version()}, "
        f"{time.strftime('%Y-%m-%d %H:%M %Z')}"
    )


def load_history(notes: Sequence[str]) -> str:
    """The load averages of several `load_note` lines, joined."""
    return "; ".join(note.split("load average ")[1].split(" (")[0] for note in notes)


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def cpu_seconds(pids: Sequence[int]) -> float:
    """CPU time (user + system) of these processes and all their descendants, from /proc.

    Each live process counts its own time plus that of children it has reaped (ffmpeg under a
    stitching worker), so nothing is counted twice. Less sensitive than wall time to other
    people's load on a shared machine, though not immune (caches, hyper-threads, spinning).
    """
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    seen: set[int] = set()
    todo = list(pids)
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
            for task in Path(f"/proc/{pid}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError, IndexError):
            continue
    return total / ticks


# -- a private local stack -----------------------------------------------------------------


def clean_environ() -> dict[str, str]:
    """This process's environment without NARRATION_* (a benchmark ignores the caller's
    configuration), with the repository on PYTHONPATH so workers can run bench modules."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(ENV_PREFIX)}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    return env


@dataclass
class Worker:
    pid: int
    log: Path
    name: str


@dataclass
class BenchStack:
    """Valkey + SeaweedFS under a /tmp home (`narration.stack.up` with no workers), and workers
    this benchmark starts through the same launcher (`stack.spawn`, `stack.worker_command`) with
    the shape it measures, and stops (`stack.stop_process`)."""

    settings: Settings
    workers: list[Worker] = field(default_factory=list)
    _counter: int = 0

    @classmethod
    @contextlib.contextmanager
    def running(cls) -> Iterator[BenchStack]:
        home = Path(tempfile.mkdtemp(prefix="narration-bench-"))
        settings = load_settings(environ={f"{ENV_PREFIX}HOME": str(home)})
        bench = cls(settings)
        # Stop cleanly on Ctrl-C and on `kill`, also when started in the background (where a
        # shell leaves SIGINT ignored): both unwind through the `finally` below.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, _exit_on_signal)
        try:
            stack.up(settings, workers=0)
            yield bench
        finally:
            bench.stop_workers()
            stack.down(home)
            shutil.rmtree(home, ignore_errors=True)

    def start_workers(
        self,
        count: int,
        *,
        concurrency: int = 1,
        overrides: dict[str, str] | None = None,
        env: dict[str, str] | None = None,
        module: str = stack.WORKER_MODULE,
    ) -> None:
        """Start `count` workers running `module`; wait until each is ready.

        They load this stack's settings with `overrides` (setting name to value) on top, as
        `stack.up` gives its workers; `env` adds variables only a bench module reads.
        """
        environ = {
            **child_environment(self.settings, overrides, base=clean_environ()),
            **(env or {}),
        }
        started = []
        for _ in range(count):
            self._counter += 1
            name = f"bench{self._counter}-{os.getpid()}@%h"
            command = stack.worker_command(concurrency=concurrency, name=name, module=module)
            log = self.settings.home / "stack" / f"bench-worker-{self._counter}.log"
            started.append(Worker(stack.spawn(command, log, environ), log, name))
        self.workers += started
        deadline = time.monotonic() + WORKER_READY_TIMEOUT_S
        for worker in started:
            while b" ready." not in worker.log.read_bytes():
                if time.monotonic() > deadline or _exited(worker.pid):
                    tail = worker.log.read_text(errors="replace")[-2000:]
                    raise RuntimeError(f"worker {worker.name} did not start:\n{tail}")
                time.sleep(0.1)

    def pids(self) -> list[int]:
        """Valkey, SeaweedFS and the workers: every process a job's work runs in."""
        info = stack.status(self.settings.home) or {}
        services = [int(p) for k, p in info.get("pids", {}).items() if k != "workers" and p]
        return services + [worker.pid for worker in self.workers]

    def stop_workers(self) -> None:
        for worker in self.workers:
            stack.stop_process(worker.pid)
        self.workers = []


def _exit_on_signal(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def _exited(pid: int) -> bool:
    """Whether a child process has exited (reaping it if so)."""
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return done == pid


# -- jobs ----------------------------------------------------------------------------------


@dataclass
class JobTiming:
    """When things happened, in seconds after the submit call started (bench's clock)."""

    job_id: str
    chunks: int
    segments: int
    started_at: float = 0.0
    """The submit call's start on the wall clock (`time.time()`), to line up other clocks."""
    submit_s: float = 0.0
    first_chunk_s: float = float("nan")
    seq0_s: float = float("nan")
    chunk_s: dict[int, float] = field(default_factory=dict)
    stitching_s: float = float("nan")
    done_s: float = float("nan")
    status: str = ""
    audio_seconds: float = 0.0
    record: Mapping[str, Any] = field(default_factory=dict)

    @property
    def stitch_s(self) -> float:
        return self.done_s - self.stitching_s

    @property
    def tail_s(self) -> float:
        """From the last chunk stored to the job's output stored: the work left at the end."""
        return self.done_s - max(self.chunk_s.values(), default=float("nan"))


def run_job(
    settings: Settings,
    text: str,
    name: str = "bench.txt",
    timeout_s: float = JOB_TIMEOUT_S,
    seed: int = JOB_SEED,
    fmt: str = "mp3",
) -> JobTiming:
    """Submit `text` as a plain-text document (as `narrate submit` does) and follow it to the end.

    Times are taken when the job's events arrive here (XREAD on the job's stream, blocking), so
    each is the moment the worker recorded it plus well under a millisecond. Chunks whose key
    is in the chunk cache are reused, not synthesised (`empty_cache` first to time a first
    narration); `seed` (`--seed`) enters every chunk's key.
    """
    from narration.engines.voices import find_voice
    from narration.pipeline.ingest import load_document
    from narration.pipeline.plan import JobOptions
    from narration.workers.app import configure
    from narration.workers.submit import start_job

    services = configure(settings)
    records = services.records()
    voice = find_voice(settings.voice, settings.voice_dirs)
    voice_info = voice.for_plan(voice.engine)
    options = JobOptions(voice=settings.voice, format=fmt, seed=seed)
    started_at, started = time.time(), time.perf_counter()
    document = load_document(text.encode(), name)
    record = start_job(services, settings, document, options, voice_info)
    timing = JobTiming(record["job_id"], record["chunks_total"], int(record["segments"]))
    timing.started_at = started_at
    timing.submit_s = time.perf_counter() - started
    deadline = time.monotonic() + timeout_s
    for event in records.follow(timing.job_id, block_ms=500):
        now = time.perf_counter() - started
        if event is None:
            if time.monotonic() > deadline:
                raise TimeoutError(f"job {timing.job_id} did not finish in {timeout_s:.0f} s")
            continue
        kind = event["kind"]
        if kind == "chunk":
            seq = int(event["chunk"])
            timing.chunk_s[seq] = now
            if len(timing.chunk_s) == 1:
                timing.first_chunk_s = now
            if seq == 0:
                timing.seq0_s = now
        elif kind == "stitching":
            timing.stitching_s = now
        elif kind in ("succeeded", "failed", "cancelled"):
            timing.done_s = now
            timing.status = kind
            break
    # The chord's AsyncResult sits in a reference cycle; collect it while the broker is up, or
    # its __del__ tries to unsubscribe at interpreter exit and prints a traceback.
    gc.collect()
    timing.record = records.get(timing.job_id)
    timing.audio_seconds = float(timing.record.get("duration_s") or 0.0) or float(
        timing.record["audio_seconds"]
    )
    if timing.status != "succeeded":
        raise RuntimeError(f"job {timing.job_id} {timing.status}: {timing.record.get('error')}")
    return timing


def empty_cache(settings: Settings) -> int:
    """Delete the bucket's chunk cache and its index in Redis, so the next job synthesises
    every chunk as a first narration of its text does (no lookup finds its key listed);
    returns how many objects were deleted."""
    from narration.adapters.chunk_store import CACHE_PREFIX
    from narration.workers.app import configure

    services = configure(settings)
    store, records = services.store(), services.records()
    while listed := records.cached_before(store.bucket, float("inf")):
        records.forget_cached(store.bucket, listed)
    return store.delete_prefix(CACHE_PREFIX)


def job_plan(settings: Settings, job_id: str) -> Plan:
    """The plan a job was submitted with, as its workers read it (plan.json in storage)."""
    from narration.pipeline.plan import Plan
    from narration.workers.app import configure

    services = configure(settings)
    return Plan.from_json(services.store().get_bytes(services.keys(job_id).plan))


def warm_up(settings: Settings, processes: int) -> None:
    """Load the voice in every worker process: one short chapter per process, run as a job.

    Its seed is one no earlier job used, so no chunk comes from the chunk cache: a reused chunk
    loads the voice but skips the engine's first, slow runs.
    """
    chapters = [
        f"Chapter {n + 1}\n\nThe kettle was warm and the lamps were lit, so the work went on."
        for n in range(max(1, processes))
    ]
    seed = random.SystemRandom().randrange(JOB_SEED + 1, 2**31)
    run_job(settings, "\n\n".join(chapters) + "\n", name="warmup.txt", timeout_s=300, seed=seed)


# -- markdown output -----------------------------------------------------------------------


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def write_section(path: Path, name: str, body: str, title: str = "# Benchmarks") -> None:
    """Replace the text between `<!-- NAME:start -->` and `<!-- NAME:end -->`, or append it."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{body.rstrip()}\n{end}"
    text = path.read_text(encoding="utf-8") if path.exists() else f"{title}\n"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        _, after = rest.split(end, 1)
        text = before + block + after
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Bench helpers.")
    parser.add_argument("--write-text", action="store_true", help=f"(re)write {ESSAY}")
    args = parser.parse_args(argv)
    if args.write_text:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        text = generate_text()
        ESSAY.write_text(text, encoding="utf-8")
        print(f"wrote {ESSAY}: {len(text):,} characters, {len(text.split()):,} words")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
