"""The layering docs/ARCHITECTURE.md draws, checked on every module's imports.

- The core (`narration.pipeline`) does no I/O: it imports no storage, broker, process or
  filesystem library and no other layer (engines implement its `pipeline.engine` interface),
  so it can be reasoned about and tested as plain functions of values.
- Engines import the core, never the Celery edge, the production logic, the service or the CLI.
- The production logic (`narration.production`) and `narration.jobs` are free of Celery, so
  tests drive them without a broker; only `narration.workers` is the Celery edge.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import narration

PACKAGE = Path(narration.__file__).parent
CELERY = frozenset({"celery", "kombu", "narration.workers"})
FRONT_ENDS = frozenset({"narration.service", "narration.cli", "narration.stack"})
CORE_FORBIDDEN = frozenset(
    {
        "boto3",
        "botocore",
        "redis",
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
        "narration.engines",
        "narration.production",
        "narration.jobs",
        "narration.connections",
        "narration.settings",
        *CELERY,
        *FRONT_ENDS,
    }
)
ENGINES_FORBIDDEN = frozenset({*CELERY, *FRONT_ENDS, "narration.production", "narration.jobs"})
PRODUCTION_FORBIDDEN = frozenset({*CELERY, *FRONT_ENDS})


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, module: str = "") -> set[str]:
    """Every module `path` imports, at the top or inside a function; relative imports are
    resolved against `module`, the importing module's dotted name."""
    found: set[str] = set()
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            name = ".".join([*base, node.module] if node.module else base)
            found.add(name)
            found.update(f"{name}.{alias.name}" for alias in node.names)
    return found


def _offending(path: Path, forbidden: frozenset[str], module: str = "") -> list[str]:
    """The imports of `path` (as module `module`, by default its own) that `forbidden` names."""
    return sorted(
        name
        for name in _imports(path, module or _module_name(path))
        if any(name == banned or name.startswith(banned + ".") for banned in forbidden)
    )


def _modules(*relative: str) -> list[Path]:
    found: list[Path] = []
    for name in relative:
        path = PACKAGE / name
        found += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return found


def _id(path: Path) -> str:
    return str(path.relative_to(PACKAGE.parent))


@pytest.mark.parametrize("path", _modules("pipeline"), ids=_id)
def test_core_module_imports_no_io_library_and_no_other_layer(path: Path) -> None:
    offending = _offending(path, CORE_FORBIDDEN)
    assert not offending, f"{_id(path)} imports {offending}"


@pytest.mark.parametrize("path", _modules("engines"), ids=_id)
def test_engine_module_imports_the_core_not_the_edges(path: Path) -> None:
    offending = _offending(path, ENGINES_FORBIDDEN)
    assert not offending, f"{_id(path)} imports {offending}"


@pytest.mark.parametrize("path", _modules("production", "jobs.py"), ids=_id)
def test_production_module_imports_no_celery(path: Path) -> None:
    offending = _offending(path, PRODUCTION_FORBIDDEN)
    assert not offending, f"{_id(path)} imports {offending}"


def test_production_and_jobs_load_without_celery() -> None:
    """Nothing they import brings Celery in either, however indirectly."""
    modules = ["narration.jobs", *(_module_name(path) for path in _modules("production"))]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'celery', 'kombu'}))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert loaded.strip() == "[]"


@pytest.mark.parametrize(
    ("layer", "source", "forbidden", "expected"),
    [
        ("pipeline", "import os.path\nfrom boto3 import client\n", CORE_FORBIDDEN,
         ["boto3", "boto3.client", "os.path"]),
        ("pipeline", "from narration.engines.registry import engine_kind\n", CORE_FORBIDDEN,
         ["narration.engines.registry", "narration.engines.registry.engine_kind"]),
        ("pipeline", "from ..engines import registry\n", CORE_FORBIDDEN,
         ["narration.engines", "narration.engines.registry"]),
        ("engines", "def load():\n    from narration.workers import app\n", ENGINES_FORBIDDEN,
         ["narration.workers", "narration.workers.app"]),
        ("production", "from celery import chain\n", PRODUCTION_FORBIDDEN,
         ["celery", "celery.chain"]),
        ("production", "from narration.workers.app import app\n", PRODUCTION_FORBIDDEN,
         ["narration.workers.app", "narration.workers.app.app"]),
    ],
)  # fmt: skip
def test_the_check_sees_an_import_across_layers(
    tmp_path: Path, layer: str, source: str, forbidden: frozenset[str], expected: list[str]
) -> None:
    written = tmp_path / "sample.py"
    written.write_text(source)
    assert _offending(written, forbidden, f"narration.{layer}.sample") == expected
