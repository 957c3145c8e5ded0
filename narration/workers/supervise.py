"""Keep a worker running: restart it when it exits on its own, stop it when told to.

The local stack runs each Celery worker under this loop, the way systemd's `Restart=always`
would in production. A worker can die on its own: kombu sometimes raises an unrecoverable
error while the broker restarts (measured in the broker-restart fault test). Its unacknowledged
task then comes back after the visibility timeout, and the restarted worker picks it up.

Usage: python -m narration.workers.supervise COMMAND [ARGS...]
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import time
from types import FrameType
from typing import Final

_LOGGER = logging.getLogger("narration.supervise")

RESTART_DELAY_S: Final = 1.0


def supervise(command: list[str]) -> int:
    stopping = False
    child: subprocess.Popen[bytes] | None = None

    def stop(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        if child is not None and child.poll() is None:
            child.send_signal(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while True:
        child = subprocess.Popen(command)
        code = child.wait()
        if stopping or code == 0:
            return code
        _LOGGER.warning("worker exited with status %s; restarting", code)
        time.sleep(RESTART_DELAY_S)


if __name__ == "__main__":
    logging.basicConfig(
        level=logging.INFO, format="[%(asctime)s: %(levelname)s/supervise] %(message)s"
    )
    sys.exit(supervise(sys.argv[1:]))
