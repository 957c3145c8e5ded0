"""`stack.json`: what `narrate up` started, where it listens, and the credentials it generated.

Written here only, readable by its owner only (it holds the passwords). Everything else reads it
through `narration.connections.read_stack_file`, which finds the stack's addresses without loading
any of this package.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from narration.connections import read_stack_file, stack_file
from narration.errors import ServiceError


def write(home: Path, info: dict[str, Any]) -> None:
    path = stack_file(home)
    path.write_text(json.dumps(info, indent=2))
    path.chmod(0o600)


def require(home: Path) -> dict[str, Any]:
    """The recorded stack; a `ServiceError` when there is none."""
    info = read_stack_file(home)
    if info is None:
        raise ServiceError(f"no local stack recorded under {home}")
    return info
