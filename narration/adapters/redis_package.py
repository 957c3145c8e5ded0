"""redis-py without its asyncio half until something uses it.

redis-py's package imports its asyncio client whether or not a process uses it (docs/BENCHMARKS.md,
"CLI start-up": a share of `narrate submit`'s start); only the HTTP service does. So when
redis-py is first imported, `redis.asyncio` is registered as the package it is, with its path,
so that its submodules (the sync client imports a few) import as usual, but its `__init__` runs
only on the first look-up of a name it does not have yet (a module `__getattr__`, PEP 562):
`redis.asyncio.Redis` and `from redis.asyncio import Redis` work as before.

`narration.adapters` calls `defer_redis_asyncio` on import, ahead of every module that imports
redis-py; it registers nothing until redis-py is imported (`narrate --help` imports none). A
process that imported redis-py earlier (a Celery worker, through kombu) keeps it as it was.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
import threading
from types import ModuleType
from typing import Any


class _FirstRedisImport:
    """A finder that finds nothing: at redis-py's first import it registers the deferred
    `redis.asyncio`, leaves `sys.meta_path` and lets the usual finders find redis-py."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name == "redis":
            # A new list: the import system is iterating over the one that holds this finder.
            sys.meta_path = [finder for finder in sys.meta_path if finder is not self]
            _register_deferred_asyncio()


def defer_redis_asyncio() -> None:
    """Have `redis.asyncio` run on first use, unless redis-py is imported already."""
    if "redis" in sys.modules or any(isinstance(f, _FirstRedisImport) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _FirstRedisImport())


def _register_deferred_asyncio() -> None:
    package = importlib.util.find_spec("redis")
    if package is None or package.submodule_search_locations is None:
        return
    spec = importlib.machinery.PathFinder.find_spec(
        "redis.asyncio", list(package.submodule_search_locations)
    )
    if spec is None or spec.loader is None:
        return
    loader = spec.loader
    module: ModuleType = importlib.util.module_from_spec(spec)
    lock = threading.RLock()

    def __getattr__(name: str) -> Any:
        with lock:  # the first look-up runs the package, once; later ones find its names
            if module.__dict__.pop("__getattr__", None) is not None:
                loader.exec_module(module)
        return getattr(module, name)

    module.__getattr__ = __getattr__  # type: ignore[method-assign]
    sys.modules["redis.asyncio"] = module
