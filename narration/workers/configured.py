"""The Celery app configured from this process's settings, for Celery's own command line.

`celery -A narration.workers.configured flower` (or `inspect`, `events`) reaches the broker
named by NARRATION_* settings (or the local stack), so the broker URL and its password never
appear on a command line.
"""

from __future__ import annotations

from narration.settings import load_settings
from narration.workers.app import app, configure

configure(load_settings())

__all__ = ["app"]
