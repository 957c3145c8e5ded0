"""The one Redis client factory: TLS options, and clients that reach the real Valkey through a
TLS proxy with a private CA (tests/tls_proxy.py), with and without a client certificate."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import redis

from narration.adapters.job_records import RedisJobRecords
from narration.adapters.redis_clients import (
    COMMAND_TIMEOUT_S,
    RedisEndpoint,
    async_client,
    ssl_options,
    sync_client,
)
from narration.connections import Services
from narration.errors import ServiceError
from tests.tls_proxy import CertificateFiles, TLSProxy, make_certificates


def test_plain_redis_urls_get_no_tls_options() -> None:
    assert ssl_options(RedisEndpoint("redis://:pw@host:6379/0", "/etc/ca.pem")) == {}


def test_rediss_urls_require_a_verified_certificate() -> None:
    assert ssl_options(RedisEndpoint("rediss://:pw@host:6380/0", "/etc/ca.pem")) == {
        "ssl_cert_reqs": ssl.CERT_REQUIRED,
        "ssl_ca_certs": "/etc/ca.pem",
    }
    assert ssl_options(RedisEndpoint("rediss://host:6380/0"))["ssl_ca_certs"] is None


def test_a_client_certificate_and_its_key_are_presented() -> None:
    endpoint = RedisEndpoint("rediss://host:6380/0", "/ca.pem", "/client.pem", "/client.key")
    options = ssl_options(endpoint)
    assert options["ssl_certfile"] == "/client.pem"
    assert options["ssl_keyfile"] == "/client.key"
    assert ssl_options(RedisEndpoint("redis://host:6379/0", "", "/client.pem")) == {}


def test_clients_carry_the_timeouts_and_a_reconnect_policy() -> None:
    client = sync_client(RedisEndpoint("redis://127.0.0.1:6379/3"))
    options = client.connection_pool.connection_kwargs
    assert options["socket_timeout"] == COMMAND_TIMEOUT_S
    assert options["retry"].get_retries() > 0
    client.close()


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> CertificateFiles:
    return make_certificates(tmp_path_factory.mktemp("redis-tls"))


def _tls_url(services: Services, port: int) -> str:
    password = urlsplit(services.broker_url).password or ""
    return f"rediss://:{password}@127.0.0.1:{port}/0"


@pytest.fixture(scope="module")
def tls_url(services: Services, certificates: CertificateFiles) -> Iterator[str]:
    """The session's Valkey behind a TLS proxy whose certificate the test CA signed."""
    port = urlsplit(services.broker_url).port
    assert port
    with TLSProxy(certificates, port).running() as proxy:
        yield _tls_url(services, proxy.port)


@pytest.fixture(scope="module")
def mutual_tls_url(services: Services, certificates: CertificateFiles) -> Iterator[str]:
    """The same Valkey behind a proxy that also asks for a client certificate."""
    port = urlsplit(services.broker_url).port
    assert port
    with TLSProxy(certificates, port, require_client_certificate=True).running() as proxy:
        yield _tls_url(services, proxy.port)


def test_the_sync_client_trusts_the_private_ca(
    tls_url: str, certificates: CertificateFiles
) -> None:
    client = sync_client(RedisEndpoint(tls_url, str(certificates.ca_bundle)))
    try:
        assert client.ping()
    finally:
        client.close()


def test_without_the_ca_bundle_the_certificate_is_refused_in_our_words(tls_url: str) -> None:
    records = RedisJobRecords.connect(RedisEndpoint(tls_url))
    with pytest.raises(ServiceError, match="broker's TLS certificate is not trusted"):
        records.ping()


def test_the_asyncio_client_trusts_the_private_ca(
    tls_url: str, certificates: CertificateFiles
) -> None:
    async def ping() -> bool:
        client = async_client(RedisEndpoint(tls_url, str(certificates.ca_bundle)))
        try:
            return bool(await client.ping())
        finally:
            await client.aclose()

    assert asyncio.run(ping())


def test_a_server_that_asks_for_a_client_certificate_gets_it(
    mutual_tls_url: str, certificates: CertificateFiles
) -> None:
    bundle = str(certificates.ca_bundle)
    with_cert = RedisEndpoint(
        mutual_tls_url, bundle, str(certificates.client_chain), str(certificates.client_key)
    )
    client = sync_client(with_cert)
    try:
        assert client.ping()
    finally:
        client.close()
    anonymous = sync_client(RedisEndpoint(mutual_tls_url, bundle))
    with pytest.raises(redis.ConnectionError):
        anonymous.ping()
    anonymous.close()
