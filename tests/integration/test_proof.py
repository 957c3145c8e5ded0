"""A --proof job through the real CLI, queues and proof worker: every chunk heard and scored,
an invented name reported with a lexeme to start from, the summary in the job record; the
native API answers the same report."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import narrate
from tests.integration.faults import wait_until
from tests.integration.service_api import native

DOCUMENT = (
    "# The Crossing\n\n"
    "Captain Vrelthaxomir sailed north at first light.\n\n"
    "The crew sang on the deck while the gulls followed the boat.\n"
)


def test_a_proofed_job_reports_every_chunk_and_an_invented_name(
    stack_env: dict[str, str], tmp_path: Path
) -> None:
    source = tmp_path / "crossing.md"
    source.write_text(DOCUMENT)
    submitted = narrate(stack_env, "submit", str(source), "--proof", "--wait", "--json")
    assert submitted.returncode == 0, submitted.stderr
    record = json.loads(submitted.stdout)
    job = record["job_id"]
    status = json.loads(narrate(stack_env, "status", job, "--json").stdout)
    assert status["options"]["proof"] is True
    summary = status["proof"]
    assert summary["chunks"] == status["chunks_total"]
    assert summary["suspects"] >= 1

    reported = narrate(stack_env, "proof", job, "--json")
    assert reported.returncode == 0, reported.stderr
    report = json.loads(reported.stdout)
    assert [chunk["seq"] for chunk in report["chunks"]] == list(range(status["chunks_total"]))
    assert all(chunk["takes"] and "score" in chunk for chunk in report["chunks"])
    named = [s for s in report["suspects"] if "Vrelthaxomir" in s["word"]]
    assert named, report["suspects"]
    suspect = named[0]
    assert 0 < suspect["time"] < status["duration_s"] * 1000
    assert "<grapheme>Vrelthaxomir</grapheme>" in suspect["suggestion"]
    # The name's chunk was rendered again before it was reported (the name stays unheard).
    assert len(report["chunks"][suspect["seq"]]["takes"]) == 3

    fixes = tmp_path / "fixes.pls"
    written = narrate(stack_env, "proof", job, "--write-lexicon", str(fixes))
    assert written.returncode == 0, written.stderr
    assert "Vrelthaxomir" in written.stdout
    stored = narrate(stack_env, "lexicon", "put", "Fixes1", str(fixes))
    assert stored.returncode == 0, stored.stderr


def test_proof_of_a_job_without_proof_is_refused(stack_env: dict[str, str], tmp_path: Path) -> None:
    source = tmp_path / "plain.txt"
    source.write_text("A short plain note.\n")
    job = json.loads(narrate(stack_env, "submit", str(source), "--wait", "--json").stdout)
    refused = narrate(stack_env, "proof", job["job_id"])
    assert refused.returncode == 2
    assert "was not submitted with --proof" in refused.stderr


def test_the_native_api_answers_the_proof_report_the_cli_gives(
    api: str, stack_env: dict[str, str]
) -> None:
    with native(api) as client:

        def status(job_id: str) -> str:
            return str(client.get(f"/v1/jobs/{job_id}").json()["status"])

        answer = client.post(
            "/v1/jobs",
            files={"document": ("crossing.md", DOCUMENT.encode())},
            data={"proof": "true", "hls": "false"},
        )
        assert answer.status_code == 201, answer.text
        job = answer.json()["job_id"]
        wait_until(lambda: status(job) == "succeeded", 240, "the proofed job")
        reported = client.get(f"/v1/jobs/{job}/proof")
        assert reported.status_code == 200, reported.text
        report = reported.json()
        cli = narrate(stack_env, "proof", job, "--json")
        assert cli.returncode == 0, cli.stderr
        assert report == json.loads(cli.stdout)
        chunks_total = client.get(f"/v1/jobs/{job}").json()["chunks_total"]
        assert [chunk["seq"] for chunk in report["chunks"]] == list(range(chunks_total))
        assert any("Vrelthaxomir" in suspect["word"] for suspect in report["suspects"])

        plain = client.post(
            "/v1/jobs", files={"document": ("plain.txt", b"A short plain note.\n")}
        ).json()["job_id"]
        wait_until(lambda: status(plain) == "succeeded", 240, "the plain job")
        refused = client.get(f"/v1/jobs/{plain}/proof")
        assert refused.status_code == 400
        assert "was not submitted with --proof" in refused.json()["error"]["message"]
        assert client.get("/v1/jobs/0123456789abcdef0123456789abcdef/proof").status_code == 404
