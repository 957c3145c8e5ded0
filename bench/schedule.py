"""How long a job's chains take on N worker slots, by the order their chunks are taken in.

A segment is a chain: its chunks run one after another, each as one task. With every chunk
taking one unit of time (± 20 %, seeded), this simulates N slots taking queued chunks by
message priority, first in first out within one, as the Redis transport does, for:

- arrival: every chunk at one priority, chains published in segment order (before issue 12);
- sent: the priorities and publishing order `production.dispatch.job_work` uses
  (`chunk_priorities`: the job's first chunk and the chunks of chains with a long way to go
  ahead, the longest chains published first), on a real `Plan`;
- exact: always the chunk whose chain has the most left (a lower bound to compare with).

Plans are made from documents whose chapters have the segment lengths listed, one paragraph a
chunk, so that `make_plan` makes one segment per chapter.

    python bench/schedule.py                 # the bench text's shape and 21 random mixes
    python bench/schedule.py --slots 4
"""

from __future__ import annotations

import argparse
import heapq
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from narration.pipeline.document import Chapter, Document
from narration.pipeline.plan import JobOptions, Plan, make_plan
from narration.production.dispatch import JOB_PRIORITY, chunk_priorities

BENCH_TEXT_SEGMENTS = (6, 5, 19, 11, 6, 6)
"""The segment lengths of bench/throughput.py's 11,810-character text."""
JITTER = 0.2

Priority = Callable[[int, int], float]
"""(segment, chunk index in it) -> the chunk message's priority; lower goes first, and within
one priority the message published first."""


@dataclass(frozen=True)
class Order:
    priority: Priority
    published: Callable[[int], tuple[float, ...]]
    """Sort key of a segment's chain when the job is sent: its first chunk is published in
    this order."""


def plan_of(lengths: tuple[int, ...]) -> Plan:
    chapters = tuple(
        Chapter(
            f"Part {n}",
            tuple(f"Sentence {i} of part {n} says one thing." for i in range(length)),
            title_spoken=False,
        )
        for n, length in enumerate(lengths)
    )
    plan = make_plan("sim", Document("Sim", chapters), JobOptions(voice="v"), 1000)
    assert tuple(len(s) for s in plan.segments) == lengths, "one segment per chapter expected"
    return plan


def makespan(lengths: tuple[int, ...], order: Order, slots: int, seed: int) -> float:
    """Time until the last chunk is done, with `slots` taking queued chunks by `order`."""
    durations = random.Random(seed)
    queue: list[tuple[float, int, int, int]] = []
    published = 0

    def publish(segment: int, index: int) -> None:
        nonlocal published
        heapq.heappush(queue, (order.priority(segment, index), published, segment, index))
        published += 1

    for segment in sorted(range(len(lengths)), key=order.published):
        publish(segment, 0)
    running: list[tuple[float, int, int]] = []
    clock = 0.0
    while queue or running:
        while queue and len(running) < slots:
            _, _, segment, index = heapq.heappop(queue)
            took = 1.0 + durations.uniform(-JITTER, JITTER)
            heapq.heappush(running, (clock + took, segment, index))
        clock, segment, index = heapq.heappop(running)
        if index + 1 < lengths[segment]:
            publish(segment, index + 1)
    return clock


def orders(lengths: tuple[int, ...]) -> dict[str, Order]:
    plan = plan_of(lengths)
    priorities = chunk_priorities(plan, JOB_PRIORITY)
    sizes = [sum(len(c.text) for c in segment) for segment in plan.segments]

    def sent(segment: int, index: int) -> float:
        return priorities[plan.segments[segment][index].seq]

    def in_segment_order(segment: int) -> tuple[float, ...]:
        return (segment,)

    return {
        "arrival": Order(lambda segment, index: JOB_PRIORITY, in_segment_order),
        "sent": Order(sent, lambda segment: (segment != 0, -sizes[segment])),
        "exact": Order(lambda segment, index: index - lengths[segment], in_segment_order),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slots", type=int, default=2)
    parser.add_argument("--mixes", type=int, default=21, help="random segment mixes")
    args = parser.parse_args(argv)
    draw = random.Random(1)
    mixes = [BENCH_TEXT_SEGMENTS] + [
        tuple(draw.randint(5, 20) for _ in range(draw.choice((3, 4, 6, 8, 12, 20))))
        for _ in range(args.mixes)
    ]
    print("| segment lengths | arrival | sent | exact | arrival / exact | sent / exact |")
    print("|---|---:|---:|---:|---:|---:|")
    worst = {"arrival": 1.0, "sent": 1.0}
    for lengths in mixes:
        times = {
            name: makespan(lengths, order, args.slots, 7) for name, order in orders(lengths).items()
        }
        for name in worst:
            worst[name] = max(worst[name], times[name] / times["exact"])
        shown = ", ".join(map(str, lengths[:8])) + (", …" if len(lengths) > 8 else "")
        print(
            f"| {shown} | {times['arrival']:.1f} | {times['sent']:.1f} | {times['exact']:.1f} "
            f"| {times['arrival'] / times['exact']:.3f} | {times['sent'] / times['exact']:.3f} |"
        )
    print(f"\nworst over exact, {args.slots} slots: ", end="")
    print(f"arrival {worst['arrival']:.3f}, sent {worst['sent']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
