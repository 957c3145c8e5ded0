"""How many tasks wait in each Celery queue, and how many are delivered but not acknowledged,
read from kombu's Redis layout.

Kombu's Redis transport splits a queue with priorities into one list per priority step: the
queue's own name for step 0 and `<queue>\\x06\\x16<step>` for steps 3, 6 and 9
(`kombu.transport.redis.PRIORITY_STEPS`, `Channel.sep`). A queue's depth is the sum of their
lengths. A delivered, unacknowledged message sits in the hash `unacked` as JSON
`[message, exchange, routing_key]`; our routing keys are the queue names.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Final

from narration.adapters.job_records import redis_errors_mapped

PRIORITY_STEPS: Final = (0, 3, 6, 9)
PRIORITY_SEPARATOR: Final = "\x06\x16"
UNACKED_KEY: Final = "unacked"


def priority_lists(queue: str) -> list[str]:
    """The Redis lists that hold `queue`'s waiting messages, one per priority step."""
    return [queue if step == 0 else f"{queue}{PRIORITY_SEPARATOR}{step}" for step in PRIORITY_STEPS]


class BrokerQueues:
    """Reads queue depths off the broker's Redis (never consumes or changes anything)."""

    def __init__(self, client: Any) -> None:
        self._redis = client

    @redis_errors_mapped
    def depths(self, queues: Sequence[str]) -> dict[str, int]:
        """Waiting messages per queue, all priorities together."""
        pipe = self._redis.pipeline(transaction=False)
        for queue in queues:
            for name in priority_lists(queue):
                pipe.llen(name)
        lengths = pipe.execute()
        steps = len(PRIORITY_STEPS)
        return {
            queue: sum(lengths[number * steps : (number + 1) * steps])
            for number, queue in enumerate(queues)
        }

    @redis_errors_mapped
    def unacked(self, queues: Sequence[str]) -> dict[str, int]:
        """Messages delivered to a worker and not yet acknowledged, per queue."""
        counts = dict.fromkeys(queues, 0)
        for raw in self._redis.hvals(UNACKED_KEY):
            try:
                routing_key = json.loads(raw)[2]
            except (ValueError, IndexError, TypeError):
                continue
            if routing_key in counts:
                counts[routing_key] += 1
        return counts
