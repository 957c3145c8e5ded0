"""The checkout the benchmarks run from. Its root goes first on sys.path, so that a benchmark
(and every worker it starts) runs this tree's `narration`, not an installed copy."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Final

ROOT: Final = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
