"""redis-py's asyncio package runs on its first use, not when redis-py is imported
(narration/adapters/redis_package.py)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT

ASYNC_CLIENT = "redis.asyncio.client"


def run(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_sync_client_loads_no_asyncio_client() -> None:
    loaded = run(
        "import sys\n"
        "from narration.adapters.redis_clients import RedisEndpoint, sync_client\n"
        "sync_client(RedisEndpoint('redis://127.0.0.1:9/0')).close()\n"
        f"print({ASYNC_CLIENT!r} in sys.modules)"
    )
    assert loaded == "False"


def test_the_asyncio_client_is_there_on_first_use() -> None:
    printed = run(
        "import redis, redis.asyncio, redis.asyncio.client\n"
        "from narration.adapters.redis_clients import RedisEndpoint, async_client\n"
        "client = async_client(RedisEndpoint('redis://127.0.0.1:9/0'))\n"
        "from redis.asyncio import Redis, from_url\n"
        "print(type(client) is Redis is redis.asyncio.Redis is redis.asyncio.client.Redis,"
        " callable(from_url), 'Redis' in redis.asyncio.__all__)"
    )
    assert printed == "True True True"


def test_a_process_that_imported_redis_first_keeps_it_as_it_was() -> None:
    loaded = run(
        "import sys, redis\n"
        f"assert {ASYNC_CLIENT!r} in sys.modules\n"
        "import narration.adapters.redis_clients\n"
        "print(type(sys.modules['redis.asyncio'].__dict__.get('__getattr__')).__name__)"
    )
    assert loaded == "NoneType"
