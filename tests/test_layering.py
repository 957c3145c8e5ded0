"""The core (`narration.pipeline`) does no I/O: it imports no storage, broker, process or
filesystem library, so it can be reasoned about and tested as plain functions of values."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import narration.pipeline

CORE = Path(narration.pipeline.__file__).parent
IO_MODULES = frozenset(
    {
        "boto3",
        "botocore",
        "redis",
        "celery",
        "kombu",
        "subprocess",
        "socket",
        "os",
        "shutil",
        "tempfile",
        "pathlib",
        "mutagen",
        "pydub",
        "imageio_ffmpeg",
        "urllib.request",
        "http",
        "narration.adapters",
        "narration.workers",
        "narration.cli",
        "narration.connections",
        "narration.stack",
        "narration.settings",
    }
)


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _is_io(module: str) -> bool:
    return any(module == name or module.startswith(name + ".") for name in IO_MODULES)


@pytest.mark.parametrize("path", sorted(CORE.rglob("*.py")), ids=lambda p: p.name)
def test_core_module_imports_no_io_library(path: Path) -> None:
    offending = sorted(m for m in _imports(path) if _is_io(m))
    assert not offending, f"{path.relative_to(CORE.parent)} imports {offending}"


def test_the_check_sees_an_io_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import os.path\nfrom boto3 import client\nfrom .x import y\n")
    assert sorted(m for m in _imports(sample) if _is_io(m)) == ["boto3", "os.path"]
