"""One normalisation rule: a compiled pattern and what a match is said as."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeAlias

Rule: TypeAlias = tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]
"""`pattern.sub(replacement, text)`: a string replacement or a function of the match."""
