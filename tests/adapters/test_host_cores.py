"""host_cores: a core is free when the runnable threads fit on the usable cores."""

from __future__ import annotations

from pathlib import Path

from narration.adapters.host_cores import core_to_spare, runnable_threads, usable_cores


def test_runnable_threads_is_the_fourth_field() -> None:
    assert runnable_threads("0.52 0.58 0.59 3/467 12345\n") == 3


def test_a_core_is_free_while_the_runnable_threads_fit(tmp_path: Path) -> None:
    loadavg = tmp_path / "loadavg"
    loadavg.write_text(f"1.00 1.00 1.00 {usable_cores()}/300 999\n")
    assert core_to_spare(loadavg)
    loadavg.write_text(f"1.00 1.00 1.00 {usable_cores() + 1}/300 999\n")
    assert not core_to_spare(loadavg)


def test_no_core_is_free_where_the_count_cannot_be_read(tmp_path: Path) -> None:
    assert not core_to_spare(tmp_path / "missing")


def test_the_live_count_is_readable() -> None:
    assert runnable_threads(Path("/proc/loadavg").read_text()) >= 1  # this thread runs
