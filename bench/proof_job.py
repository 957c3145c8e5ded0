"""What `--proof` adds to a job's wall time (docs/BENCHMARKS.md, "Proofing"), and where.

On one local stack (one worker, one proof worker), the same text is submitted without and with
`--proof`, interleaved, each run with a fresh seed (so no chunk is reused). For each proofed
run the workers' logs say when synthesis ended (the last synth task), when the proof worker
ended (the last proof task), when the gate let the stitch go and when the stitch ended, each
in seconds after submit: the proof worker's backlog is the time from the last synth to the
last proof. A short proofed job first, not timed, has the workers load their models.

Usage: python bench/proof_job.py [--runs 3] [--text FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import checkout

DEFAULT_TEXT = checkout.ROOT / "bench" / "data" / "prose.txt"
_LINE = re.compile(
    r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}): \w+/[^\]]+\] Task (narration\.\w+)\[[^\]]+\] "
    r"succeeded in ([\d.]+)s"
)
STAGES = ("synth", "proof", "proofed", "stitch")
WARM_UP = "The workers load their models on a first short job, which is not timed.\n"


def timed_job(env: dict[str, str], source: Path, *flags: str) -> tuple[datetime, float]:
    started, clock = datetime.now(), time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "narration.cli.main", "submit", str(source), "--wait", *flags],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return started, round(time.monotonic() - clock, 2)


def timeline(logs: Path, started: datetime, wall_s: float) -> dict[str, float]:
    """Seconds after submit at which each stage's last task succeeded, and the proof
    worker's busy seconds, from the stack's worker logs."""
    last: dict[str, float] = {}
    busy = 0.0
    for log in logs.glob("*worker-*.log"):
        for line in log.read_text(errors="replace").splitlines():
            found = _LINE.match(line)
            if not found:
                continue
            at = datetime.strptime(found[1], "%Y-%m-%d %H:%M:%S,%f")
            offset = (at - started).total_seconds()
            if not 0 <= offset <= wall_s:
                continue
            stage = found[2].removeprefix("narration.")
            last[stage] = max(last.get(stage, 0.0), round(offset, 2))
            busy += float(found[3]) if stage == "proof" else 0.0
    times = {f"{stage}_done_s": last[stage] for stage in STAGES if stage in last}
    if "synth" in last and "proof" in last:
        times["proof_backlog_s"] = round(last["proof"] - last["synth"], 2)
    times["proof_busy_s"] = round(busy, 2)
    return times


def measure_jobs(text: str, runs: int) -> dict[str, object]:
    """`runs` pairs, plain then proofed, each with its own seed; medians of the wall times."""
    with tempfile.TemporaryDirectory(prefix="proof-bench-") as home:
        env = {**os.environ, "NARRATION_HOME": home, "PYTHONPATH": str(checkout.ROOT)}
        source = Path(home) / "text.txt"
        source.write_text(text)
        narrate = [sys.executable, "-m", "narration.cli.main"]
        subprocess.run(
            [*narrate, "up", "--workers", "1", "--proof-workers", "1"], env=env, check=True
        )
        warm = Path(home) / "warm.txt"
        warm.write_text(WARM_UP)
        pairs = []
        try:
            timed_job(env, warm, "--proof")
            for run in range(runs):
                _, plain = timed_job(env, source, "--seed", str(100 + 2 * run))
                started, proofed = timed_job(env, source, "--seed", str(101 + 2 * run), "--proof")
                pairs.append(
                    {
                        "plain_s": plain,
                        "proofed_s": proofed,
                        "extra": round(proofed / plain - 1, 3),
                        **timeline(Path(home) / "stack", started, proofed),
                    }
                )
                print(json.dumps(pairs[-1]), flush=True)
        finally:
            subprocess.run([*narrate, "down"], env=env, check=True)
    plain_s = statistics.median(p["plain_s"] for p in pairs)
    proofed_s = statistics.median(p["proofed_s"] for p in pairs)
    return {
        "runs": pairs,
        "plain_median_s": plain_s,
        "proofed_median_s": proofed_s,
        "extra_of_medians": round(proofed_s / plain_s - 1, 3),
        "extra_median": statistics.median(float(str(p["extra"])) for p in pairs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--text", type=Path, default=DEFAULT_TEXT)
    args = parser.parse_args()
    print(json.dumps(measure_jobs(args.text.read_text(), args.runs), indent=1))


if __name__ == "__main__":
    main()
