"""bench/capacity.py's arithmetic: deadlines parsed, workers and machines rounded up, a job's
wall time capped by its segments. No stack, no engine."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_capacity", BENCH / "capacity.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while defining a class
    spec.loader.exec_module(module)
    return module


capacity = _load()


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("24h", 86_400), ("3d", 259_200), ("90m", 5_400), ("45s", 45), (" 1.5d ", 129_600)],
)
def test_deadlines_parse_to_seconds(text: str, seconds: float) -> None:
    assert capacity.parse_deadline(text) == seconds


@pytest.mark.parametrize("text", ["24", "h", "3w", "-2h", "0h", "1 day", ""])
def test_bad_deadlines_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        capacity.parse_deadline(text)


def test_workers_round_up() -> None:
    # 500 h of audio in 24 h at 10× real time with no overhead: 500 / 240 = 2.08 → 3 workers.
    assert capacity.workers_needed(500 * 3600, 86_400, 10.0, overhead=1.0) == 3
    # The overhead is paid on every audio second: 1.03 × 500 / 240 = 2.15 → still 3.
    assert capacity.workers_needed(500 * 3600, 86_400, 10.0) == 3
    # Exactly enough stays exact, despite float noise: 0.1 × 3 / 0.1 is 3.0000000000000004.
    assert capacity.workers_needed(0.3, 1.0, 0.1, overhead=1.0) == 3
    assert capacity.workers_needed(240 * 3600, 86_400, 10.0, overhead=1.0) == 1
    assert capacity.workers_needed(0.0, 86_400, 10.0) == 0


def test_workers_need_a_measured_rate() -> None:
    with pytest.raises(ValueError):
        capacity.workers_needed(3600, 86_400, math.nan)
    with pytest.raises(ValueError):
        capacity.workers_needed(3600, 86_400, 0.0)


def test_machines_round_up() -> None:
    assert capacity.machines_needed(3, 2) == 2
    assert capacity.machines_needed(4, 2) == 2
    assert capacity.machines_needed(1, 16) == 1
    assert capacity.machines_needed(0, 2) == 0


def test_busiest_worker_takes_the_longest_segments_first() -> None:
    assert capacity.busiest_share([80, 80], 2) == 80
    assert capacity.busiest_share([76, 58, 27], 2) == 85  # 76 | 58 + 27
    assert capacity.busiest_share([120, 20, 20], 2) == 120  # one chain is the floor
    assert capacity.busiest_share([120, 20, 20], 4) == 120
    assert capacity.busiest_share([30, 30, 30], 1) == 90


def test_one_job_is_its_busiest_worker_plus_the_fixed_cost() -> None:
    # 160 s of audio at 8× per worker, no overhead, no fixed cost: 20 s alone, 10 s on two.
    assert capacity.predicted_wall_s([80, 80], 8.0, 1, overhead=1.0, fixed_s=0) == 20
    assert capacity.predicted_wall_s([80, 80], 8.0, 2, overhead=1.0, fixed_s=0) == 10
    assert capacity.predicted_wall_s([120, 40], 8.0, 4, overhead=1.0, fixed_s=0) == 15
    assert capacity.predicted_wall_s([80, 80], 8.0, 2, overhead=1.25, fixed_s=1.5) == 14


def test_table_marks_unmeasured_rows() -> None:
    rates = [
        capacity.Rate("CPU Kokoro", "af_heart", 4.0, per_machine=2),
        capacity.gpu_rate("af_heart", None, 1),
    ]
    text = capacity.table(rates, 500, 86_400, 1.0)
    kokoro, gpu = text.splitlines()[2:]
    # 500 / (4 × 24) = 5.2 → 6 workers, 3 machines of 2 cores; 125 worker-hours.
    assert "| 6 | 3 at 2/machine | 125 |" in kokoro
    assert "unmeasured" in gpu
