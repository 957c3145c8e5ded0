"""Only `narration/adapters/redis_clients.py` makes Redis clients: a client built anywhere else
could miss the CA bundle, the client certificate, the timeouts or the retry policy (two once
missed the CA bundle and failed on `rediss://` with a private CA)."""

from __future__ import annotations

import ast
from typing import Final

from tests.conftest import ROOT

FACTORY: Final = ROOT / "narration" / "adapters" / "redis_clients.py"
CONSTRUCTORS: Final = frozenset(
    {
        "Redis",
        "StrictRedis",
        "from_url",
        "from_pool",
        "ConnectionPool",
        "BlockingConnectionPool",
        "Connection",
        "SSLConnection",
        "UnixDomainSocketConnection",
        "Sentinel",
        "RedisCluster",
    }
)


def constructions(source: str) -> list[str]:
    """Where `source` makes a Redis client or pool or imports redis-py's asyncio client:
    `line: what`."""
    tree = ast.parse(source)
    modules: set[str] = set()
    imported: dict[str, str] = {}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "redis":
                    modules.add(alias.asname or "redis")
                if alias.name.startswith("redis.asyncio"):
                    found.append(f"{node.lineno}: import {alias.name}")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "redis":
            names = {alias.name for alias in node.names}
            if (node.module or "").startswith("redis.asyncio") or "asyncio" in names:
                found.append(f"{node.lineno}: from {node.module} import {', '.join(names)}")
            imported |= {alias.asname or alias.name: alias.name for alias in node.names}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _makes_client(node.func, modules, imported):
            found.append(f"{node.lineno}: {ast.unparse(node.func)}(…)")
    return found


def _makes_client(func: ast.expr, modules: set[str], imported: dict[str, str]) -> bool:
    if isinstance(func, ast.Name):
        return imported.get(func.id, "") in CONSTRUCTORS
    if not isinstance(func, ast.Attribute):
        return False
    if func.attr == "from_url":
        return True
    root = func.value
    while isinstance(root, ast.Attribute):
        root = root.value
    return (
        func.attr in CONSTRUCTORS
        and isinstance(root, ast.Name)
        and (root.id in modules or root.id in imported)
    )


def test_the_scan_finds_each_way_of_making_a_client() -> None:
    made = """
import redis
import redis.asyncio as aredis
from redis import StrictRedis
from redis.asyncio import Redis as AsyncRedis
a = redis.Redis(host="h")
b = redis.Redis.from_url("redis://h")
c = StrictRedis()
d = redis.ConnectionPool.from_url("redis://h")
e = AsyncRedis()
"""
    found = constructions(made)
    assert len(found) == 7, found
    assert constructions("import redis\nerror = redis.RedisError\nrecords.get('x')\n") == []


def test_no_module_but_the_factory_makes_a_redis_client() -> None:
    offenders = {
        str(path.relative_to(ROOT)): found
        for folder in ("narration", "bench")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path != FACTORY and (found := constructions(path.read_text()))
    }
    assert offenders == {}
