"""A worker process's edge: build its `Settings` once, configure the app, run Celery's worker.

Usage: python -m narration.workers.main [celery worker options]. `narrate worker` and
`narrate up` run this with the environment `settings.child_environment` makes, so a worker
started from `narrate --config FILE` reads FILE too. Prefork children inherit the configured app.
"""

from __future__ import annotations

import sys

from celery.bin.celery import celery as celery_command

from narration.settings import load_settings
from narration.workers.app import configure


def main(argv: list[str]) -> None:
    """Run the worker, exiting with its status: non-zero when it stopped on an error.

    Celery's command line runs in standalone mode so that status reaches the supervisor
    (`app.worker_main` drops it, and a worker that died of kombu's "Unrecoverable error" on a
    broker restart would exit 0 and not be restarted). `-A` names the app this process has just
    configured, already imported, so the command uses that very instance.
    """
    configure(load_settings())
    celery_command.main(args=["-A", configure.__module__, "worker", *argv], prog_name="celery")


if __name__ == "__main__":
    main(sys.argv[1:])
