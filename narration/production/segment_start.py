"""Where every segment of a job starts: the session state of its first chunk.

Its own module so that sending a job (`production.dispatch`, which `narrate submit` runs) needs
none of the code that makes chunks (`production.steps`).
"""

from __future__ import annotations

from narration.engines.registry import engine_kind
from narration.pipeline.plan import Plan
from narration.pipeline.prosody import SessionState, initial_state


def first_state(plan: Plan) -> SessionState:
    """The state every segment of a job starts from: its voice, seed and speed, and its
    engine's pause profile."""
    pauses = engine_kind(plan.options.engine).pauses
    return initial_state(plan.options.voice, plan.options.seed, plan.options.speed, pauses)
