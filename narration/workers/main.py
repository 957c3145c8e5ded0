"""A worker process's edge: build its `Settings` once, configure the app, run Celery's worker.

Usage: python -m narration.workers.main [celery worker options]. `narrate worker` and
`narrate up` run this with the environment `settings.child_environment` makes, so a worker
started from `narrate --config FILE` reads FILE too. Prefork children inherit the configured app.
"""

from __future__ import annotations

import sys

from narration.settings import load_settings
from narration.workers.app import app, configure


def main(argv: list[str]) -> None:
    configure(load_settings())
    app.worker_main(["worker", *argv])


if __name__ == "__main__":
    main(sys.argv[1:])
