"""`/metrics` on the real stack: scraped over HTTP while a real job renders and after it ends.

The service runs in this process under uvicorn, with API keys, against the session stack; the
job runs on the stack's Celery worker with the real voice. Counters are fleet totals that other
tests move too, so every check is a difference from a scrape taken before the job.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
import uvicorn
import yaml
from prometheus_client.parser import text_string_to_metric_families

from narration.adapters.broker_queues import BrokerQueues, priority_lists
from narration.adapters.job_records import FINAL_STATUSES
from narration.adapters.redis_clients import sync_client
from narration.connections import Services
from narration.service.app import create_app
from narration.settings import Settings
from narration.workers.app import app as celery_app
from narration.workers.app import configure
from tests.conftest import ROOT, narrate
from tests.integration.faults import wait_until

pytestmark = pytest.mark.integration

SECRET = "metrics-secret-1"
Series = dict[tuple[str, frozenset[tuple[str, str]]], float]

PARAGRAPH = (
    "The harbour master {n} walked along the quay before dawn and counted the boats that had "
    "come in overnight. Some carried fish, some carried timber, and one carried nothing at all "
    "but a tired crew who wanted only breakfast and a dry place to sleep.\n\n"
)


@pytest.fixture(scope="module")
def api(settings: Settings) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    service = create_app(replace(settings, api_keys=f"ops:{SECRET}"))
    server = uvicorn.Server(
        uvicorn.Config(service, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_until(lambda: server.started, timeout=30, what="the service")
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def scrape(api: str) -> Series:
    reply = httpx.get(f"{api}/metrics", headers={"Authorization": f"Bearer {SECRET}"}, timeout=30)
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"].startswith("text/plain")
    found: Series = {}
    for family in text_string_to_metric_families(reply.text):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def value(series: Series, name: str, **labels: str) -> float:
    return series.get((name, frozenset(labels.items())), 0.0)


def total(series: Series, name: str, **labels: str) -> float:
    """The sum over every series of `name` whose labels include `labels`."""
    wanted = set(labels.items())
    return sum(v for (n, ls), v in series.items() if n == name and wanted <= ls)


def test_the_alert_rules_name_only_metrics_the_service_exports(api: str) -> None:
    reply = httpx.get(f"{api}/metrics", headers={"Authorization": f"Bearer {SECRET}"}, timeout=30)
    exported = set()
    for family in text_string_to_metric_families(reply.text):
        suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum")}
        exported |= {family.name + suffix for suffix in suffixes.get(family.type, ("",))}
    rules = yaml.safe_load((ROOT / "deploy" / "alerts.yml").read_text())
    named = {
        name
        for group in rules["groups"]
        for rule in group["rules"]
        for name in re.findall(r"\bnarration_[a-z_]+", rule["expr"])
    }
    assert named, "the rules name no metric"
    assert named <= exported, named - exported


def test_metrics_take_the_bearer_key_when_keys_are_configured(api: str) -> None:
    assert httpx.get(f"{api}/metrics").status_code == 401
    wrong = httpx.get(f"{api}/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert httpx.get(f"{api}/healthz").status_code == 200


def test_queue_depth_counts_every_priority_of_a_real_celery_queue(settings: Settings) -> None:
    """Messages Celery publishes at priorities 0 and 6 land in two of kombu's lists; the depth
    counts both."""
    queue = "narration-metrics-probe"
    services = configure(settings)
    client = sync_client(services.broker())
    try:
        celery_app.send_task("narration.metrics-probe", queue=queue, priority=0)
        celery_app.send_task("narration.metrics-probe", queue=queue, priority=6)
        lengths = [client.llen(name) for name in priority_lists(queue)]
        assert sorted(lengths) == [0, 0, 1, 1]
        assert BrokerQueues(client).depths([queue]) == {queue: 2}
    finally:
        client.delete(*priority_lists(queue), f"_kombu.binding.{queue}")
        client.close()


def test_figures_move_during_and_after_a_real_job(
    api: str, services: Services, stack_env: dict[str, str], tmp_path: Path
) -> None:
    wait_until(
        lambda: value(scrape(api), "narration_workers") >= 1,
        timeout=120,
        what="a worker's heartbeat (the stack's worker may still be starting)",
    )
    before = scrape(api)
    for queue in ("synth", "synth-torch", "stitch"):
        assert ("narration_queue_depth", frozenset({("queue", queue)})) in before
        assert ("narration_queue_unacked", frozenset({("queue", queue)})) in before
    assert value(before, "narration_queue_workers", queue="synth") >= 1

    document = tmp_path / "harbour.txt"
    marker = f"{time.time_ns()}"
    document.write_text("".join(PARAGRAPH.format(n=f"{marker} {n}") for n in range(6)))
    submitted = narrate(stack_env, "submit", str(document), "--json")
    assert submitted.returncode == 0, submitted.stderr
    job_id = json.loads(submitted.stdout)["job_id"]
    records = services.records()

    during: list[Series] = []
    deadline = time.monotonic() + 300
    while records.get(job_id)["status"] not in FINAL_STATUSES:
        assert time.monotonic() < deadline, "the job did not end within 300 s"
        during.append(scrape(api))
        time.sleep(0.3)
    record = records.get(job_id)
    assert record["status"] == "succeeded", record.get("error")
    after = scrape(api)

    def delta(series: Series, name: str, **labels: str) -> float:
        return total(series, name, **labels) - total(before, name, **labels)

    running = [s for s in during if value(s, "narration_jobs", status="running") >= 1]
    assert running, "no scrape saw the job running"
    assert any(0 < delta(s, "narration_chunks_total") < record["chunks_total"] for s in during)
    assert all(value(s, "narration_workers") >= 1 for s in during)

    chunks = record["chunks_total"]
    made = delta(after, "narration_chunks_total", outcome="made")
    reused = delta(after, "narration_chunks_total", outcome="reused")
    assert made + reused == chunks
    assert made >= 1
    assert delta(after, "narration_audio_seconds_total") == pytest.approx(
        record["audio_seconds"], abs=0.01 * chunks
    )
    assert delta(after, "narration_chunk_synthesis_seconds_count") == made
    assert delta(after, "narration_chunk_synthesis_seconds_bucket", le="+Inf") == made
    assert delta(after, "narration_chunk_synthesis_seconds_sum") > 0
    assert delta(after, "narration_stitch_seconds_count", step="stitch") == 1
    assert delta(after, "narration_stitch_seconds_count", step="part") >= 1
    assert delta(after, "narration_jobs", status="succeeded") == 1
    assert value(after, "narration_chunks_per_second") > 0 or any(
        value(s, "narration_chunks_per_second") > 0 for s in during
    )
