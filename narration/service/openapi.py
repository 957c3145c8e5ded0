"""Print the service's OpenAPI schema, as `narrate serve` serves it at /openapi.json.

`python -m narration.service.openapi > docs/openapi.json` refreshes the checked-in copy
(a test keeps the two equal).
"""

from __future__ import annotations

import json
import sys
from typing import Any

from narration.service.app import create_app
from narration.settings import Settings


def schema() -> dict[str, Any]:
    """The schema of an app over default settings (the schema depends on no setting)."""
    return create_app(Settings()).openapi()


def main() -> None:
    sys.stdout.write(json.dumps(schema(), indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
