"""`narrate`: the command line. A thin layer: parse, call the pipeline and workers, print.

Exit codes: 0 ok; 1 job failed or cancelled; 2 bad input or usage; 3 a service is unreachable
or refused our credentials. Each error class carries its code (`narration.errors`).
"""

from __future__ import annotations

import atexit
import os
import sys
import threading

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
from narration.cli.collector import collect_rarely

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
    code: object = 0
    collect_rarely()
    try:
        app(prog_name="narrate")
    except SystemExit as done:
        code = done.code
    leave(code)


def leave(code: object) -> None:
    """Exit as `sys.exit(code)` would, without tearing the interpreter down.

    Freeing every object of every loaded module took 0.3-0.4 s after `narrate submit` had sent
    its job (boto3, botocore's service model, Celery, numpy): the user waited for nothing. The
    exit keeps all that matters to them: threads still running are joined, the exit handlers run
    (logging's flush among them), output is flushed, and the exit status is the same.
    """
    if isinstance(code, str):
        print(code, file=sys.stderr)
        code = 1
    status = code if isinstance(code, int) else 0 if code is None else 1
    for thread in threading.enumerate():
        if thread is not threading.main_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


if __name__ == "__main__":
    entry()
