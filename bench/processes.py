"""What the processes a benchmark runs cost: CPU time, resident memory and open descriptors.

Read from /proc (Linux), for a process and its descendants, so a worker's pool processes and
the ffmpeg a stitch starts count with it. A process is named by its pid or by "self".
"""

from __future__ import annotations

import contextlib
import os
import resource
import threading
import time
from collections.abc import Sequence
from pathlib import Path


def children(pid: int | str) -> list[int]:
    """The live children of a process (of all its threads)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError, ValueError):
            found += [int(child) for child in (task / "children").read_text().split()]
    return found


def tree(pid: int) -> list[int]:
    """A process and all its descendants."""
    todo, seen = [pid], []
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.append(current)
        todo += children(current)
    return seen


def rss_mb(pid: int | str) -> float:
    """Resident memory of one process in MB (0 once it has gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def open_fds(pid: int) -> int:
    """Open file descriptors of one process (0 once it has gone)."""
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return 0


def cpu_seconds(pids: Sequence[int]) -> float:
    """CPU time (user + system) of these processes and all their descendants, from /proc.

    Each live process counts its own time plus that of children it has reaped (ffmpeg under a
    stitching worker), so nothing is counted twice. Less sensitive than wall time to other
    people's load on a shared machine, though not immune (caches, hyper-threads, spinning).
    """
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in {p for root in pids for p in tree(root)}:
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
    return total / ticks


class RssSampler:
    """Peak of (this process + its live children) RSS, sampled from /proc every 100 ms.

    A child counts once it has exec'd ffmpeg. Between fork and exec a child is still this
    process's image (Python starts it with vfork, which shares this very memory), and its
    VmRSS reads as this process's: counted, it doubled the figure whenever a sample fell in
    that window (a 10-hour run read 333 MB that way). `ru_maxrss` of children overstates
    ffmpeg for the same reason; the sampled sum is the memory the stitch really holds.
    """

    def __init__(self) -> None:
        self.peak_mb = 0.0
        self.children_peak_mb = 0.0
        self._image = os.readlink("/proc/self/exe")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _children(self) -> list[int]:
        """Children that run a program of their own (exec'd)."""
        return [pid for pid in children("self") if self._exe(pid) not in ("", self._image)]

    @staticmethod
    def _exe(pid: int) -> str:
        try:
            return os.readlink(f"/proc/{pid}/exe")
        except OSError:
            return ""

    def sample(self) -> float:
        exec_children = sum(rss_mb(p) for p in self._children())
        self.children_peak_mb = max(self.children_peak_mb, exec_children)
        return rss_mb("self") + exec_children

    def _loop(self) -> None:
        while not self._stop.wait(0.1):
            self.peak_mb = max(self.peak_mb, self.sample())

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


class CpuClock:
    """CPU-seconds (user + system) of this process and of its waited-for children so far."""

    @staticmethod
    def now() -> float:
        own = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


class Timed:
    """Wall and CPU seconds of a `with` block."""

    def __enter__(self) -> Timed:
        self.wall, self.cpu = time.perf_counter(), CpuClock.now()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = CpuClock.now() - self.cpu
