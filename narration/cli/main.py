"""`narrate`: the command line. A thin layer: parse, call the pipeline and workers, print.

Exit codes: 0 ok; 1 job failed or cancelled; 2 bad input or usage; 3 a service is unreachable
or refused our credentials. Each error class carries its code (`narration.errors`).
"""

from __future__ import annotations

from narration.cli import (
    check_commands,
    document_commands,
    job_commands,
    lexicon_commands,
    proof_commands,
    stack_commands,
    voice_commands,
)
from narration.cli.app import app

COMMAND_MODULES = (
    check_commands,
    document_commands,
    job_commands,
    lexicon_commands,
    proof_commands,
    stack_commands,
    voice_commands,
)
"""Importing these registers their commands on `app`."""


def entry() -> None:
    app(prog_name="narrate")


if __name__ == "__main__":
    entry()
