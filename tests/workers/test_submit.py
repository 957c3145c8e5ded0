from __future__ import annotations

from celery import Signature

from narration.pipeline.document import Chapter, Document
from narration.pipeline.plan import JobOptions, heard_first, long_way_to_go, make_plan
from narration.workers.app import AHEAD_PRIORITY, JOB_PRIORITY, SHORT_PRIORITY
from narration.workers.submit import chunk_priorities, job_chains

LONG = Chapter("Long", tuple(f"Sentence {n} of a chapter that runs on and on." for n in range(40)))
SHORT = Chapter("Short", ("Brief.",))
PLAN = make_plan("job", Document("Book", (LONG, SHORT, SHORT)), JobOptions(voice="v"), 10)


def test_a_job_sends_the_chunks_with_a_long_way_to_go_ahead_of_its_others() -> None:
    priorities = chunk_priorities(PLAN, JOB_PRIORITY)
    ahead = long_way_to_go(PLAN) | heard_first(PLAN)
    assert long_way_to_go(PLAN) and 0 in ahead
    assert [seq for seq, p in enumerate(priorities) if p == AHEAD_PRIORITY] == sorted(ahead)
    assert all(p in (AHEAD_PRIORITY, JOB_PRIORITY) for p in priorities)


def test_short_requests_keep_their_own_priority_for_every_chunk() -> None:
    assert set(chunk_priorities(PLAN, SHORT_PRIORITY)) == {SHORT_PRIORITY}


def _tasks(sent: Signature) -> list[Signature]:
    return list(getattr(sent, "tasks", [sent]))


def test_a_long_segment_sends_its_first_part_when_that_part_s_last_chunk_is_made() -> None:
    chains = job_chains(PLAN, set(), lambda seq: {}, JOB_PRIORITY)
    by_last = {run[-1].seq: number for number, run in enumerate(PLAN.parts)}
    linked: dict[int, int] = {}
    ending: list[int] = []
    for sent in chains:
        *synths, last_part = _tasks(sent)
        assert last_part.name == "narration.part"
        assert last_part.options["priority"] == AHEAD_PRIORITY
        ending.append(last_part.args[1])
        for task in synths:
            assert task.name == "narration.synth"
            for callback in task.options.get("link", []):
                assert callback["task"] == "narration.part" and callback["immutable"]
                assert callback["options"]["priority"] == JOB_PRIORITY
                linked[task.args[-1]] = callback["args"][1]
    assert linked and all(by_last[seq] == number for seq, number in linked.items())
    assert sorted(ending + list(linked.values())) == list(range(len(PLAN.parts)))


def test_a_resumed_chain_starts_from_the_state_after_the_chunk_before_it() -> None:
    stored = {chunk.seq for chunk in PLAN.segments[0][:4]}
    chains = job_chains(PLAN, stored, lambda seq: {"after": seq}, JOB_PRIORITY)
    resumed = next(c for c in chains if _tasks(c)[0].args[-1] == 4)
    assert _tasks(resumed)[0].args[0] == {"after": 3}
    assert len(chains) == len(PLAN.segments)


def test_formats_not_made_in_parts_send_no_part_tasks() -> None:
    wav = make_plan(
        "job", Document("Book", (LONG, SHORT)), JobOptions(voice="v", format="opus"), 10
    )
    for sent in job_chains(wav, set(), lambda seq: {}, JOB_PRIORITY):
        for task in _tasks(sent):
            assert task.name == "narration.synth" and not task.options.get("link")


def test_a_resumed_chain_past_a_cut_sends_the_first_part_with_its_first_chunk() -> None:
    number, head = next(
        (n, run)
        for n, run in enumerate(PLAN.parts)
        if run[-1].index + 1 < len(PLAN.segments[run[0].segment])
    )
    stored = {chunk.seq for chunk in PLAN.segments[head[0].segment][: head[-1].index + 2]}
    chains = job_chains(PLAN, stored, lambda seq: {"after": seq}, JOB_PRIORITY)
    resumed = next(c for c in chains if _tasks(c)[0].args[-1] == head[-1].seq + 2)
    links = [link["args"][1] for task in _tasks(resumed) for link in task.options.get("link", [])]
    assert links == [number]
    assert _tasks(resumed)[0].options["link"][0]["args"][1] == number
