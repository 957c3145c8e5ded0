"""A job's work becomes Celery signatures: the right tasks, arguments, links, queue and
priorities (built, not sent: no broker)."""

from __future__ import annotations

from celery import Celery, Signature

from narration.pipeline.document import Chapter, Document
from narration.pipeline.plan import JobOptions, make_plan
from narration.pipeline.prosody import SessionState
from narration.production.dispatch import AHEAD_PRIORITY, JOB_PRIORITY, job_work
from narration.workers.celery_dispatch import job_chains

LONG = Chapter("Long", tuple(f"Sentence {n} of a chapter that runs on and on." for n in range(40)))
SHORT = Chapter("Short", ("Brief.",))
PLAN = make_plan("job", Document("Book", (LONG, SHORT, SHORT)), JobOptions(voice="v"), 10)


def _after(seq: int) -> SessionState:
    """A stand-in for the state stored with chunk `seq`, told apart by its chunk count."""
    return SessionState(voice="v", user_seed=0, chunks=seq + 1)


def _tasks(sent: Signature) -> list[Signature]:
    return list(getattr(sent, "tasks", [sent]))


def test_each_segment_chain_becomes_a_chain_of_synth_tasks_ending_with_its_part() -> None:
    stored = {chunk.seq for chunk in PLAN.segments[0][:4]}
    work = job_work(PLAN, stored, _after, JOB_PRIORITY)
    chains = job_chains(Celery(), work)
    assert len(chains) == len(work.chains)
    for sent, planned in zip(chains, work.chains, strict=True):
        *synths, last_part = _tasks(sent)
        assert last_part.name == "narration.part"
        assert last_part.args == ("job", planned.last_part)
        assert last_part.options["priority"] == AHEAD_PRIORITY
        assert [task.args[-1] for task in synths] == [chunk.seq for chunk in planned.chunks]
        assert synths[0].args == (planned.state.to_dict(), "job", planned.chunks[0].seq)
        for task, chunk in zip(synths, planned.chunks, strict=True):
            assert task.name == "narration.synth"
            assert task.options["queue"] == task.options["routing_key"] == "synth"
            assert task.options["priority"] == chunk.priority
            links = task.options.get("link", [])
            assert [link["args"][1] for link in links] == list(chunk.parts_after)
            for link in links:
                assert link["task"] == "narration.part" and link["immutable"]
                assert link["options"]["priority"] == JOB_PRIORITY


def test_a_torch_job_s_chunks_go_to_the_torch_queue() -> None:
    plan = make_plan("job", Document("Book", (SHORT,)), JobOptions(voice="v", engine="torch"), 10)
    (sent,) = job_chains(Celery(), job_work(plan, set(), _after, JOB_PRIORITY))
    synth = _tasks(sent)[0]
    assert synth.options["queue"] == synth.options["routing_key"] == "synth-torch"
