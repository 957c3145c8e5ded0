"""Tests and benchmarks use the package's public surface only: no `_name` imported from it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted([*ROOT.joinpath("tests").rglob("*.py"), *ROOT.joinpath("bench").rglob("*.py")])


def private_imports(source: str) -> list[str]:
    """`module.name` for every private name or module imported from the package."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("narration"):
            parts = (node.module or "").split(".")
            names = [alias.name for alias in node.names]
            if any(part.startswith("_") for part in parts):
                found.append(node.module or "")
            found += [f"{node.module}.{name}" for name in names if name.startswith("_")]
        elif isinstance(node, ast.Import):
            found += [
                alias.name
                for alias in node.names
                if alias.name.startswith("narration")
                and any(part.startswith("_") for part in alias.name.split("."))
            ]
    return found


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_private_name_is_imported(path: Path) -> None:
    assert private_imports(path.read_text()) == []


def test_the_check_sees_private_imports() -> None:
    source = "from narration.workers.tasks import _retry\nimport narration._secret\n"
    assert private_imports(source) == ["narration.workers.tasks._retry", "narration._secret"]
