"""The work a job sends, as plain values: no broker, no Celery."""

from __future__ import annotations

from narration.pipeline.document import Chapter, Document
from narration.pipeline.plan import JobOptions, heard_first, long_way_to_go, make_plan
from narration.pipeline.prosody import SessionState
from narration.production.dispatch import (
    AHEAD_PRIORITY,
    JOB_PRIORITY,
    SHORT_PRIORITY,
    JobWork,
    chunk_priorities,
    dispatch,
    job_work,
)

LONG = Chapter("Long", tuple(f"Sentence {n} of a chapter that runs on and on." for n in range(40)))
SHORT = Chapter("Short", ("Brief.",))
PLAN = make_plan("job", Document("Book", (LONG, SHORT, SHORT)), JobOptions(voice="v"), 10)


def _after(seq: int) -> SessionState:
    """A stand-in for the state stored with chunk `seq`, told apart by its chunk count."""
    return SessionState(voice="v", user_seed=0, chunks=seq + 1)


def test_a_job_sends_the_chunks_with_a_long_way_to_go_ahead_of_its_others() -> None:
    priorities = chunk_priorities(PLAN, JOB_PRIORITY)
    ahead = long_way_to_go(PLAN) | heard_first(PLAN)
    assert long_way_to_go(PLAN) and 0 in ahead
    assert [seq for seq, p in enumerate(priorities) if p == AHEAD_PRIORITY] == sorted(ahead)
    assert all(p in (AHEAD_PRIORITY, JOB_PRIORITY) for p in priorities)


def test_short_requests_keep_their_own_priority_for_every_chunk() -> None:
    assert set(chunk_priorities(PLAN, SHORT_PRIORITY)) == {SHORT_PRIORITY}
    work = job_work(PLAN, set(), _after, SHORT_PRIORITY)
    assert work.ahead == SHORT_PRIORITY


def test_a_long_segment_sends_its_first_part_when_that_part_s_last_chunk_is_made() -> None:
    work = job_work(PLAN, set(), _after, JOB_PRIORITY)
    assert (work.job_id, work.queue, work.priority, work.ahead) == (
        "job",
        "synth",
        JOB_PRIORITY,
        AHEAD_PRIORITY,
    )
    by_last = {run[-1].seq: number for number, run in enumerate(PLAN.parts)}
    linked: dict[int, int] = {}
    ending: list[int] = []
    for chain in work.chains:
        assert chain.last_part is not None
        ending.append(chain.last_part)
        for chunk in chain.chunks:
            assert len(chunk.parts_after) <= 1
            linked.update((chunk.seq, number) for number in chunk.parts_after)
    assert linked and all(by_last[seq] == number for seq, number in linked.items())
    assert sorted(ending + list(linked.values())) == list(range(len(PLAN.parts)))


def test_the_job_s_first_chunk_is_sent_first_then_the_longest_chains() -> None:
    work = job_work(PLAN, set(), _after, JOB_PRIORITY)
    assert work.chains[0].chunks[0].seq == 0
    lengths = [
        sum(len(PLAN.chunks[chunk.seq].text) for chunk in chain.chunks) for chain in work.chains
    ]
    assert lengths[1:] == sorted(lengths[1:], reverse=True)


def test_a_resumed_chain_starts_from_the_state_after_the_chunk_before_it() -> None:
    stored = {chunk.seq for chunk in PLAN.segments[0][:4]}
    work = job_work(PLAN, stored, _after, JOB_PRIORITY)
    resumed = next(chain for chain in work.chains if chain.chunks[0].seq == 4)
    assert resumed.state == _after(3)
    assert len(work.chains) == len(PLAN.segments)


def test_formats_not_made_in_parts_send_no_part_tasks() -> None:
    wav = make_plan(
        "job", Document("Book", (LONG, SHORT)), JobOptions(voice="v", format="opus"), 10
    )
    for chain in job_work(wav, set(), _after, JOB_PRIORITY).chains:
        assert chain.last_part is None
        assert all(not chunk.parts_after for chunk in chain.chunks)


def test_a_resumed_chain_past_a_cut_sends_the_first_part_with_its_first_chunk() -> None:
    number, head = next(
        (n, run)
        for n, run in enumerate(PLAN.parts)
        if run[-1].index + 1 < len(PLAN.segments[run[0].segment])
    )
    stored = {chunk.seq for chunk in PLAN.segments[head[0].segment][: head[-1].index + 2]}
    work = job_work(PLAN, stored, _after, JOB_PRIORITY)
    resumed = next(chain for chain in work.chains if chain.chunks[0].seq == head[-1].seq + 2)
    assert [n for chunk in resumed.chunks for n in chunk.parts_after] == [number]
    assert resumed.chunks[0].parts_after == (number,)


class _Recorded:
    """A dispatcher that keeps what it is given."""

    def __init__(self) -> None:
        self.sent: list[JobWork] = []

    def send(self, work: JobWork) -> None:
        self.sent.append(work)


class _Stored:
    """The chunk store as `dispatch` reads it: which chunks are stored, and their states."""

    def __init__(self, seqs: set[int]) -> None:
        self.seqs = seqs

    def stored_seqs(self) -> set[int]:
        return self.seqs

    def meta(self, seq: int) -> dict[str, object]:
        return {"state_out": {"after": seq}}


def test_dispatch_sends_only_the_missing_chains_and_counts_the_missing_chunks() -> None:
    done = {chunk.seq for chunk in PLAN.segments[0]}
    recorded = _Recorded()
    missing = dispatch(PLAN, _Stored(done), recorded)  # type: ignore[arg-type]
    assert missing == len(PLAN.chunks) - len(done)
    (work,) = recorded.sent
    assert len(work.chains) == len(PLAN.segments) - 1
    assert {chunk.seq for chain in work.chains for chunk in chain.chunks}.isdisjoint(done)
