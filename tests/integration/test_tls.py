"""TLS to the broker and to object storage, through the `ca_bundle` setting.

The embedded Valkey and SeaweedFS have no TLS, so TLS-terminating proxies of the test's own
(tests/tls_proxy.py) stand in front of them with a server certificate signed by a CA the test
makes. A worker, the CLI and the service's `/metrics` reach both only over `rediss://` and
`https://`; the worker uses a broker database of its own, so the session's plain worker never
sees these tasks and every worker report there is its own. Without the CA bundle, the client
refuses the certificate in one clear line and exits 3.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from narration import stack
from narration.adapters.worker_reports import WorkerReports
from narration.connections import Services, resolve
from narration.service.app import create_app
from narration.settings import load_settings
from tests.conftest import TEST_VISIBILITY_TIMEOUT_S, narrate
from tests.integration.faults import wait_until
from tests.tls_proxy import CertificateFiles, TLSProxy, make_certificates

TLS_DATABASE = 7
"""The broker database of this test's worker and jobs (the session's worker uses 0)."""
BUCKET = "tls-books"


def _tls_environment(
    services: Services, home: Path, broker_port: int, s3_port: int
) -> dict[str, str]:
    password = urlsplit(services.broker_url).password or ""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NARRATION_")}
    return {
        **clean,
        "NARRATION_HOME": str(home),
        "NARRATION_BROKER_URL": f"rediss://:{password}@127.0.0.1:{broker_port}/{TLS_DATABASE}",
        "NARRATION_S3_ENDPOINT": f"https://127.0.0.1:{s3_port}",
        "NARRATION_S3_ACCESS_KEY": services.s3_access_key,
        "NARRATION_S3_SECRET_KEY": services.s3_secret_key,
        "NARRATION_S3_BUCKET": BUCKET,
        "NARRATION_VISIBILITY_TIMEOUT_S": TEST_VISIBILITY_TIMEOUT_S,
    }


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> CertificateFiles:
    return make_certificates(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def tls_env(
    services: Services, certificates: CertificateFiles, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    """Environment of clients that reach Valkey and SeaweedFS only through the TLS proxies.

    It has no CA bundle; a test adds NARRATION_CA_BUNDLE to be trusted."""
    broker_port = urlsplit(services.broker_url).port
    s3_port = urlsplit(services.s3_endpoint).port
    assert broker_port and s3_port
    home = tmp_path_factory.mktemp("tls-home")
    with (
        TLSProxy(certificates, broker_port).running() as broker_proxy,
        TLSProxy(certificates, s3_port).running() as s3_proxy,
    ):
        yield _tls_environment(services, home, broker_proxy.port, s3_proxy.port)


@pytest.fixture(scope="module")
def trusted_env(tls_env: dict[str, str], certificates: CertificateFiles) -> dict[str, str]:
    return {**tls_env, "NARRATION_CA_BUNDLE": str(certificates.ca_bundle)}


@pytest.fixture(scope="module")
def tls_worker(trusted_env: dict[str, str]) -> Iterator[int]:
    """A Celery worker whose broker, result backend and storage are all behind TLS."""
    log = Path(trusted_env["NARRATION_HOME"]) / "tls-worker.log"
    pid = stack.spawn(stack.worker_command(name=f"tls-{os.getpid()}@%h"), log, trusted_env)
    try:
        wait_until(lambda: b" ready." in log.read_bytes(), 120, "the TLS worker to start")
        yield pid
    finally:
        stack.stop_process(pid)


@pytest.fixture(scope="module")
def tls_job(
    trusted_env: dict[str, str], tls_worker: int, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """A job submitted, rendered and stitched with every client behind TLS."""
    source = tmp_path_factory.mktemp("tls-job") / "note.txt"
    source.write_text("The ferry crossed at noon. Every word of this went through TLS.\n")
    result = narrate(trusted_env, "submit", str(source), "--wait", "--json", timeout=240)
    assert result.returncode == 0, result.stderr
    record: dict[str, Any] = json.loads(result.stdout)
    return record


def test_a_job_runs_end_to_end_over_rediss_and_https(
    trusted_env: dict[str, str], tls_job: dict[str, Any]
) -> None:
    record = tls_job
    assert record["status"] == "succeeded", record.get("error")
    assert record["output_uri"].startswith(f"s3://{BUCKET}/")
    services = resolve(load_settings(environ=trusted_env))
    assert services.records().get(record["job_id"])["status"] == "succeeded"
    audio = services.store().get_bytes(record["output_uri"].split("/", 3)[3])
    assert audio[:3] == b"ID3" or audio[:2] == b"\xff\xfb"


def test_worker_reports_travel_over_rediss(
    trusted_env: dict[str, str], tls_job: dict[str, Any]
) -> None:
    """The TLS worker beat and counted its chunks over `rediss://`; a reader with the CA bundle
    sees both."""
    reports = WorkerReports.connect(resolve(load_settings(environ=trusted_env)).broker())
    nodes = [worker["node"] for worker in reports.live_workers()]
    assert any(node.startswith(f"tls-{os.getpid()}@") for node in nodes), nodes
    made = reports.snapshot().counters["chunks"]
    assert sum(made.values()) >= tls_job["chunks_total"]


def test_metrics_are_scraped_over_rediss(
    trusted_env: dict[str, str], tls_job: dict[str, Any]
) -> None:
    with TestClient(
        create_app(load_settings(environ=trusted_env)), base_url="http://localhost"
    ) as client:
        reply = client.get("/metrics")
    assert reply.status_code == 200, reply.text
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(reply.text)
        for sample in family.samples
    }
    assert samples[("narration_workers", ())] >= 1
    assert samples[("narration_jobs", (("status", "succeeded"),))] >= 1
    chunks = sum(v for (name, _), v in samples.items() if name == "narration_chunks_total")
    assert chunks >= tls_job["chunks_total"]


def test_metrics_without_the_ca_bundle_say_which_setting_to_fix(
    tls_env: dict[str, str],
) -> None:
    with TestClient(
        create_app(load_settings(environ=tls_env)), base_url="http://localhost"
    ) as client:
        reply = client.get("/metrics")
    assert reply.status_code == 503, reply.text
    assert "TLS certificate is not trusted" in reply.text
    assert "Traceback" not in reply.text


def test_an_untrusted_broker_certificate_is_refused_in_one_line(
    tls_env: dict[str, str], tmp_path: Path
) -> None:
    source = tmp_path / "note.txt"
    source.write_text("This should never reach the broker.\n")
    result = narrate(tls_env, "submit", str(source), "--json", timeout=120)
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    assert "TLS certificate is not trusted" in result.stderr
    assert "NARRATION_CA_BUNDLE" in result.stderr


def test_an_untrusted_storage_certificate_is_refused_in_one_line(
    tls_env: dict[str, str], services: Services, tmp_path: Path
) -> None:
    plain_broker = {**tls_env, "NARRATION_BROKER_URL": services.broker_url}
    source = tmp_path / "note.txt"
    source.write_text("This should never reach the bucket.\n")
    result = narrate(plain_broker, "submit", str(source), "--json", timeout=120)
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    assert "object storage's TLS certificate is not trusted" in result.stderr


def test_a_missing_ca_bundle_file_is_bad_input(tls_env: dict[str, str], tmp_path: Path) -> None:
    source = tmp_path / "note.txt"
    source.write_text("Nothing to see.\n")
    env = {**tls_env, "NARRATION_CA_BUNDLE": str(tmp_path / "missing.pem")}
    result = narrate(env, "submit", str(source), "--json", timeout=120)
    assert result.returncode == 2, result.stderr
    assert "ca_bundle" in result.stderr and "missing.pem" in result.stderr
