"""The soak's chaos: SIGKILL a random worker pool process every so often, and SIGKILL and restart
Valkey (at 30 % of the submission window) and SeaweedFS (at 60 %), each down for a while.

The services go down and come back through `narration.stack` (`stop_service`, `start_service`).
"""

from __future__ import annotations

import os
import random
import signal
import threading
import time
from dataclasses import dataclass, field

from bench_stack import BenchStack
from processes import children

from narration import stack


@dataclass
class Chaos:
    """What the chaos loop did: pool processes killed, services restarted, what failed."""

    pool_kills: int = 0
    restarts: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def start_chaos(
    bench: BenchStack, window_s: float, kill_every_s: float, outage_s: float, chaos: Chaos
) -> threading.Event:
    """Start the chaos loop on a thread; setting the returned event stops it."""
    stop = threading.Event()
    rng = random.Random(7)
    home = bench.settings.home
    started = time.monotonic()
    service_at = {"valkey": 0.3 * window_s, "seaweedfs": 0.6 * window_s}

    def loop() -> None:
        next_kill = started + rng.uniform(0.5, 1.5) * kill_every_s
        while not stop.wait(0.5):
            now = time.monotonic()
            for name, at in list(service_at.items()):
                if now - started >= at:
                    del service_at[name]
                    try:
                        stack.stop_service(home, name, signal.SIGKILL)
                        time.sleep(outage_s)
                        stack.start_service(home, name)
                        chaos.restarts.append(f"{name} at {now - started:.0f} s")
                    except Exception as error:
                        chaos.errors.append(f"{name}: {error}")
            if now >= next_kill:
                next_kill = now + rng.uniform(0.5, 1.5) * kill_every_s
                pool = [p for worker in bench.workers for p in children(worker.pid)]
                if pool:
                    try:
                        os.kill(rng.choice(pool), signal.SIGKILL)
                        chaos.pool_kills += 1
                    except ProcessLookupError:
                        pass

    threading.Thread(target=loop, name="chaos", daemon=True).start()
    return stop
