"""Every Redis client the project makes, sync or asyncio, comes from here.

One place applies the broker's URL, its TLS (CA bundle, client certificate and key), the
timeouts and the retry policy, so no path can forget one of them: before this module, two
readers built their own clients without the CA bundle and failed on a private CA. Celery's
own broker and result-backend connections take their TLS options from `ssl_options` too.

Retry policy: a dropped connection (a broker restart, a failover, an idle connection the
server closed) is made again up to `RECONNECTS` times with a short, jittered backoff. A
timeout is not retried: the command may have run, and a counter (HINCRBY) must not count
twice. What is left is an error the adapters map to our tree (`job_records`), which tasks
retry and the CLI reports.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import redis
from redis.backoff import ExponentialWithJitterBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.retry import Retry

if TYPE_CHECKING:
    import redis.asyncio

CONNECT_TIMEOUT_S: Final = 5.0
COMMAND_TIMEOUT_S: Final = 10.0
"""Longer than any blocking read we make (`job_records.follow` blocks for 1 s)."""
RECONNECTS: Final = 3
BACKOFF_BASE_S: Final = 0.1
BACKOFF_CAP_S: Final = 1.0


@dataclass(frozen=True)
class RedisEndpoint:
    """Where a Redis server is and how to trust it: a `redis://` or `rediss://` URL, the PEM
    file of CAs that sign its certificate (empty: the system's), and a client certificate and
    key for a server that asks for one (mutual TLS)."""

    url: str
    ca_bundle: str = ""
    client_cert: str = ""
    client_key: str = ""

    @property
    def uses_tls(self) -> bool:
        return self.url.startswith("rediss://")


def ssl_options(endpoint: RedisEndpoint) -> dict[str, Any]:
    """TLS keyword arguments, the same for redis-py and Celery's `broker_use_ssl` /
    `redis_backend_use_ssl`; none for a plain `redis://` URL. Certificates are always
    verified."""
    if not endpoint.uses_tls:
        return {}
    options: dict[str, Any] = {
        "ssl_cert_reqs": ssl.CERT_REQUIRED,
        "ssl_ca_certs": endpoint.ca_bundle or None,
    }
    if endpoint.client_cert:
        options["ssl_certfile"] = endpoint.client_cert
        options["ssl_keyfile"] = endpoint.client_key or None
    return options


def _options(endpoint: RedisEndpoint, decode_responses: bool) -> dict[str, Any]:
    return {
        "decode_responses": decode_responses,
        "socket_timeout": COMMAND_TIMEOUT_S,
        "socket_connect_timeout": CONNECT_TIMEOUT_S,
        **ssl_options(endpoint),
    }


def sync_client(endpoint: RedisEndpoint, decode_responses: bool = True) -> redis.Redis:
    """A client with its own connection pool (close it, or let it be collected)."""
    retry = Retry(
        ExponentialWithJitterBackoff(base=BACKOFF_BASE_S, cap=BACKOFF_CAP_S),
        RECONNECTS,
        supported_errors=(RedisConnectionError, ConnectionError),
    )
    return redis.Redis.from_url(endpoint.url, retry=retry, **_options(endpoint, decode_responses))


def async_client(endpoint: RedisEndpoint, decode_responses: bool = True) -> redis.asyncio.Redis:
    """The asyncio twin of `sync_client`, with the same TLS, timeouts and retry policy.

    Imported here, where it is used: redis-py's asyncio package runs on its first use
    (`adapters.redis_package`).
    """
    import redis.asyncio
    from redis.asyncio.retry import Retry as AsyncRetry

    retry = AsyncRetry(
        ExponentialWithJitterBackoff(base=BACKOFF_BASE_S, cap=BACKOFF_CAP_S),
        RECONNECTS,
        supported_errors=(RedisConnectionError, ConnectionError),
    )
    return redis.asyncio.Redis.from_url(
        endpoint.url, retry=retry, **_options(endpoint, decode_responses)
    )
