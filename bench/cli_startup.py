"""How long `narrate` takes to answer: the wall time of whole CLI processes, median of N runs.

Each command runs as a user runs it (the `narrate` console script beside this Python, or
`python -m narration.cli.main` without one) against a throwaway local stack (Valkey and SeaweedFS
through `narration.stack.up`, no workers) under a /tmp NARRATION_HOME with default settings; the
caller's NARRATION_* variables and config are ignored. Before the runs it records a few jobs, so
`status` and `list` read real records. One untimed run of each command first warms the disk
cache and the bytecode files.

    python bench/cli_startup.py               # 5 runs of each command
    python bench/cli_startup.py --runs 9 --json
    python bench/cli_startup.py --against /tmp/before   # another checkout's code, interleaved
    python bench/cli_startup.py --only submit           # the commands whose label starts so

`submit FILE --wait` is timed to its start: until it prints the submitted job's first line,
which it does once the job is queued. With `--against DIR` every run of this tree's code is
followed by one of DIR's (a checkout of another commit, e.g. `git archive main | tar -x -C DIR`),
both on the same stack, so that a busy machine weighs on both alike.

Results: docs/BENCHMARKS.md ("CLI start-up").
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final

ROOT: Final = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from narration import stack  # noqa: E402
from narration.adapters.job_records import new_job_id  # noqa: E402
from narration.connections import resolve  # noqa: E402
from narration.settings import ENV_PREFIX, load_settings  # noqa: E402

RECORDED_JOBS: Final = 20
"""Jobs recorded before timing, so `list` prints a page of them."""
TARGETS_S: Final = {
    "--help": 0.35,
    "status JOB": 0.4,
    "list": 0.5,
    "submit FILE --wait (to start)": 0.4,
}
"""docs/BENCHMARKS.md's targets, by command label."""
SAMPLE_TEXT: Final = "A short page to narrate. It has two sentences.\n"


@dataclass(frozen=True)
class Timing:
    label: str
    argv: tuple[str, ...]
    seconds: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def narrate_command() -> list[str]:
    """The console script a user runs, or the module when this Python has none."""
    script = Path(sys.executable).with_name("narrate")
    if script.is_file():
        return [sys.executable, str(script)]
    return [sys.executable, "-m", "narration.cli.main"]


@contextmanager
def bench_stack() -> Iterator[dict[str, str]]:
    """A stack with no workers under a fresh home; yields the environment `narrate` runs in."""
    home = Path(tempfile.mkdtemp(prefix="narration-cli-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(ENV_PREFIX)}
    env[f"{ENV_PREFIX}HOME"] = str(home)
    # The untimed first run writes the bytecode files a user's installed package has; with
    # PYTHONDONTWRITEBYTECODE set every run would compile the project's modules again.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    settings = load_settings(environ=env)
    try:
        stack.up(settings, workers=0)
        yield env
    finally:
        stack.down(home)
        shutil.rmtree(home, ignore_errors=True)


def record_jobs(env: dict[str, str], count: int) -> str:
    """Record `count` queued jobs straight into the job records; returns the newest job's id."""
    records = resolve(load_settings(environ=env)).records()
    job_id = ""
    for number in range(count):
        job_id = new_job_id()
        records.create(job_id, {"title": f"bench job {number}", "chunks_total": 12})
    return job_id


def run_once(label: str, argv: Sequence[str], env: dict[str, str], stdin: bytes = b"") -> float:
    """Wall time of one run of `argv`, which must exit 0."""
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, input=stdin, capture_output=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(
            f"{label}: exit {done.returncode}\n{done.stderr.decode(errors='replace')}"
        )
    return elapsed


def start_once(label: str, argv: Sequence[str], env: dict[str, str], stdin: bytes = b"") -> float:
    """Time from starting `narrate submit FILE --wait` to its first line ("job ID: N chunks",
    printed once the job is queued); the process is then stopped (the bench stack has no
    workers, so the job would never end)."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stderr is not None
    line = process.stderr.readline().decode(errors="replace")
    elapsed = time.perf_counter() - started
    process.terminate()
    process.wait()
    if not line.startswith("job "):
        raise RuntimeError(f"{label}: {line}{process.stderr.read().decode(errors='replace')}")
    return elapsed


def interleaved(
    label: str,
    argv: Sequence[str],
    envs: Sequence[dict[str, str]],
    runs: int,
    stdin: bytes = b"",
    once: Callable[[str, Sequence[str], dict[str, str], bytes], float] = run_once,
) -> list[Timing]:
    """`runs` timed runs of `argv` in each environment, one environment after the other in
    each round, after one untimed round; one `Timing` per environment."""
    seconds: list[list[float]] = [[] for _ in envs]
    for attempt in range(runs + 1):
        for number, env in enumerate(envs):
            elapsed = once(label, argv, env, stdin)
            if attempt:
                seconds[number].append(elapsed)
    return [Timing(label, tuple(argv), tuple(each)) for each in seconds]


def commands(job_id: str) -> list[tuple[str, list[str], bytes]]:
    """(label, narrate arguments, stdin) of each timed command."""
    return [
        ("--help", ["--help"], b""),
        ("status JOB", ["status", job_id], b""),
        ("status JOB --json", ["status", job_id, "--json"], b""),
        ("list", ["list"], b""),
        ("submit --help", ["submit", "--help"], b""),
        ("submit - (no wait)", ["submit", "-"], SAMPLE_TEXT.encode()),
    ]


def machine_note() -> str:
    load = "/".join(f"{value:.2f}" for value in os.getloadavg())
    return (
        f"{platform.node()}: {os.cpu_count()} CPUs, load average {load} (1/5/15 min), "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{time.strftime('%Y-%m-%d %H:%M %Z')}"
    )


def table(timings: Sequence[Sequence[Timing]], runs: int, against: str = "") -> str:
    """One row per command: this tree's median, min and max, then `against`'s median."""
    extra = f" {against}: median |" if against else ""
    lines = [
        f"| command | median of {runs} | min | max |{extra} target |",
        "|---|---:|---:|---:|" + ("---:|" if against else "") + "---:|",
    ]
    for ours, *theirs in timings:
        target = TARGETS_S.get(ours.label)
        other = "".join(f" {timing.median:.3f} s |" for timing in theirs)
        lines.append(
            f"| `narrate {ours.label}` | {ours.median:.3f} s | {min(ours.seconds):.3f} s "
            f"| {max(ours.seconds):.3f} s |{other} {f'≤ {target} s' if target else '-'} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="Timed runs of each command.")
    parser.add_argument("--json", action="store_true", help="Print the timings as JSON.")
    parser.add_argument(
        "--against", type=Path, help="Another checkout, timed in turn with this one."
    )
    parser.add_argument(
        "--only", default="", help="Time only the commands whose label starts with this."
    )
    args = parser.parse_args(argv)
    narrate = narrate_command()
    with bench_stack() as env:
        envs = [env]
        if args.against:
            other_path = os.pathsep.join([str(args.against.resolve()), env["PYTHONPATH"]])
            envs.append({**env, "PYTHONPATH": other_path})
        job_id = record_jobs(env, RECORDED_JOBS)
        timings = [
            interleaved(label, [*narrate, *arguments], envs, args.runs, stdin)
            for label, arguments, stdin in commands(job_id)
            if label.startswith(args.only)
        ]
        page = Path(env[f"{ENV_PREFIX}HOME"]) / "page.txt"
        page.write_text(SAMPLE_TEXT)
        submit = [*narrate, "submit", str(page), "--wait"]
        label = "submit FILE --wait (to start)"
        if label.startswith(args.only):
            timings.append(interleaved(label, submit, envs, args.runs, once=start_once))
    if args.json:
        rows = [
            {
                "command": ours.label,
                "median_s": ours.median,
                "seconds": list(ours.seconds),
                **({"against_seconds": list(theirs[0].seconds)} if theirs else {}),
            }
            for ours, *theirs in timings
        ]
        print(json.dumps({"machine": machine_note(), "runs": args.runs, "timings": rows}))
        return 0
    print(machine_note())
    print(f"command: {' '.join(narrate)} ...\n")
    print(table(timings, args.runs, str(args.against or "")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
