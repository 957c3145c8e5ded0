"""Nobody let in: JSON-only messages, credentials enforced and never leaked, unguessable ids."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from narration.adapters.job_records import new_job_id
from narration.adapters.object_store import S3Store
from narration.connections import Services, read_stack_file
from narration.errors import CredentialsRefused
from narration.settings import Settings
from tests.conftest import narrate
from tests.integration.faults import submit, wait_final

MARKER = Path("/tmp/narration-pickle-was-executed")
HOSTILE_SERIALIZER = "pickle"  # what an attacker would send; the workers accept JSON only


class _Exploit:
    """Unpickling this would create MARKER."""

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {MARKER}",))


def test_pickle_message_is_refused_and_harmless(
    stack_env: dict[str, str],
    services: Services,
    settings: Settings,
    stack_home: Path,
    tmp_path: Path,
) -> None:
    from narration.workers.app import app, configure

    MARKER.unlink(missing_ok=True)
    configure(settings)
    app.send_task(
        "narration.synth",
        args=[_Exploit(), "x", 0],
        serializer=HOSTILE_SERIALIZER,
        queue="synth",
        routing_key="synth",
    )
    source = tmp_path / "after.txt"
    source.write_text("A message after the pickle one.")
    job_id = submit(stack_env, source)
    assert wait_final(services, job_id)["status"] == "succeeded"
    assert not MARKER.exists()
    logs = "".join(p.read_text() for p in (stack_home / "stack").glob("worker-*.log"))
    assert "ContentDisallowed" in logs or "disallowed" in logs.lower()


def test_wrong_s3_credentials_are_denied(services: Services) -> None:
    intruder = S3Store(
        services.bucket,
        endpoint=services.s3_endpoint,
        region="us-east-1",
        access_key=services.s3_access_key,
        secret_key="not-the-secret",
    )
    with pytest.raises(CredentialsRefused, match=f"denied access to {services.bucket}"):
        intruder.list_keys("")
    anonymous = S3Store(
        services.bucket,
        endpoint=services.s3_endpoint,
        region="us-east-1",
        access_key="nobody",
        secret_key="nothing",
    )
    with pytest.raises(CredentialsRefused, match="denied"):
        anonymous.get_bytes("jobs/anything")


@pytest.mark.parametrize("password", ["wrong-password", ""])
def test_wrong_broker_password_fails_clearly(
    stack_env: dict[str, str], services: Services, password: str
) -> None:
    host = services.broker_url.rsplit("@", 1)[1]
    env = {**stack_env, "NARRATION_BROKER_URL": f"redis://:{password}@{host}"}
    result = narrate(env, "list")
    assert result.returncode == 3
    assert "broker" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_credentials_never_appear_in_logs_records_or_json(
    stack_env: dict[str, str], services: Services, stack_home: Path, tmp_path: Path
) -> None:
    source = tmp_path / "secret.txt"
    source.write_text("Nothing secret is said here. Only this.")
    result = narrate(stack_env, "submit", str(source), "--wait", "--json")
    assert result.returncode == 0, result.stderr
    job_id = json.loads(result.stdout)["job_id"]
    url = narrate(stack_env, "url", job_id, "--expires", "60")
    assert url.returncode == 0 and "Signature=" in url.stdout
    signature = re.search(r"Signature=([0-9a-f]+)", url.stdout)
    assert signature is not None
    info = read_stack_file(stack_home)
    assert info is not None
    password = str(info["broker_url"]).split("@")[0].rsplit(":", 1)[1]
    secrets_ = [password, str(info["s3_secret_key"]), signature.group(1)]
    outputs = [
        result.stdout,
        result.stderr,
        narrate(stack_env, "status", job_id, "--json").stdout,
        narrate(stack_env, "list", "--json").stdout,
        narrate(stack_env, "up", "--json").stdout,
        json.dumps(services.records().get(job_id)),
    ]
    logs = [p.read_text() for p in (stack_home / "stack").glob("*.log")]
    for text in outputs + logs:
        for secret in secrets_:
            assert secret not in text


def test_job_ids_are_unguessable_and_key_safe() -> None:
    ids = {new_job_id() for _ in range(2000)}
    assert len(ids) == 2000
    assert all(re.fullmatch(r"[0-9a-f]{32}", job_id) for job_id in ids)
