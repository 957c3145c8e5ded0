"""make_chunk, the synth task's logic, on a worker context over the real stack and Piper voice.

A redelivered task (the same state, job and seq again) must return the same next state without
rendering or counting the chunk again.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass, replace

import pytest

from narration.adapters.chunk_store import CACHE_PREFIX
from narration.adapters.job_record import JobRecord
from narration.adapters.job_records import new_job_id
from narration.connections import Services
from narration.engines.voices import default_voice
from narration.pipeline import prosody
from narration.pipeline.document import Chapter, Document
from narration.pipeline.engine import Engine
from narration.pipeline.plan import JobOptions, Plan, PlannedChunk, make_plan
from narration.pipeline.render import SpokenChunk, render_chunk
from narration.production import steps
from narration.production.commits import Background, Commit, Immediate
from narration.production.context import WorkerContext
from narration.production.render_ahead import ChainStep
from narration.production.steps import make_chain_step, make_chunk, make_part
from narration.settings import Settings

DOCUMENT = Document(
    "Steps",
    (Chapter("One", ("Rain fell on the roof.", "The cat slept by the fire."), title_spoken=False),),
)
SEED = 5
FOUR_CHUNKS = Document(
    "Ahead",
    (
        Chapter(
            "One",
            ("Rain fell.", "The cat slept by the fire. It was warm.", "Wind rose.", "Night came."),
            title_spoken=False,
        ),
    ),
)


@dataclass(frozen=True)
class Job:
    context: WorkerContext
    plan: Plan

    @property
    def job_id(self) -> str:
        return self.plan.job_id

    def record(self) -> JobRecord:
        return self.context.records.get(self.job_id)

    def wav(self, seq: int) -> bytes:
        return self.context.chunks(self.job_id).read(seq).wav


@pytest.fixture(scope="module")
def context(settings: Settings, services: Services) -> WorkerContext:
    return WorkerContext.connect(settings, services)


@pytest.fixture
def job(context: WorkerContext) -> Job:
    return new_job(context, SEED)


@pytest.fixture
def uncached_job(context: WorkerContext) -> Job:
    """A job of four chunks in one segment, none of them in the cache: a seed of its own."""
    return new_job(context, secrets.randbelow(2**31 - 1) + 1, FOUR_CHUNKS)


def new_job(context: WorkerContext, seed: int, document: Document = DOCUMENT) -> Job:
    """A job as `submit` leaves it: its plan stored, its record queued, no chunk made."""
    options = JobOptions(voice=default_voice().name, seed=seed)
    plan = make_plan(new_job_id(), document, options, segment_max_chunks=10)
    keys = context.services.keys(plan.job_id)
    context.objects.put_bytes(keys.plan, plan.to_json(), "application/json")
    context.records.create(plan.job_id, {"chunks_total": len(plan.chunks)})
    return Job(context, plan)


def first_state(plan: Plan) -> prosody.SessionState:
    return prosody.initial_state(plan.options.voice, plan.options.seed)


def test_a_chunk_is_made_once_and_redelivery_finds_it(job: Job) -> None:
    assert job.record()["status"] == "queued"
    state = first_state(job.plan)

    next_state = make_chunk(job.context, state, job.job_id, 0)

    record = job.record()
    assert record["status"] == "running"
    assert record["chunks_done"] == 1
    stored = job.context.chunks(job.job_id).read(0)
    assert stored.meta["state_in"] == state.to_dict()
    assert stored.meta["state_out"] == next_state.to_dict()
    # What was stored is what rendering the planned chunk from that state gives.
    engine = job.context.engine(job.plan.options.voice)
    expected = render_chunk(engine, job.plan.chunks[0], state)
    assert stored.wav == expected.wav
    assert next_state == expected.next_state

    again = make_chunk(job.context, state, job.job_id, 0)

    assert again == next_state
    assert job.wav(0) == stored.wav
    assert job.record()["chunks_done"] == 1
    assert job.record()["audio_seconds"] == record["audio_seconds"]


def test_a_redelivered_chunk_comes_from_storage(job: Job) -> None:
    """The second delivery answers from the stored metadata: it does not render again."""
    state = first_state(job.plan)
    make_chunk(job.context, state, job.job_id, 0)
    keys = job.context.services.keys(job.job_id)
    meta = job.context.chunks(job.job_id).meta(0)
    marked = {**meta, "state_out": {**meta["state_out"], "previous_text": "from storage"}}
    job.context.objects.put_bytes(keys.chunk_meta(0), json.dumps(marked).encode())

    assert make_chunk(job.context, state, job.job_id, 0).previous_text == "from storage"
    assert job.record()["chunks_done"] == 1


def test_the_chain_carries_state_to_the_next_chunk(job: Job) -> None:
    assert len(job.plan.chunks) == 2
    state = first_state(job.plan)
    after_first = make_chunk(job.context, state, job.job_id, 0)
    after_second = make_chunk(job.context, after_first, job.job_id, 1)
    chunks = job.context.chunks(job.job_id)
    assert chunks.meta(1)["state_in"] == after_first.to_dict()
    assert chunks.meta(1)["state_out"] == after_second.to_dict()
    assert chunks.stored_seqs() == {0, 1}
    record = job.record()
    assert (record["status"], record["chunks_done"]) == ("running", 2)


def test_a_lone_chain_makes_the_next_chunks_ahead_and_the_same_bytes(uncached_job: Job) -> None:
    """With a core to spare, chunk 0's task makes the segment's other chunks too and says so
    in its message; their tasks pass the states on. The chunks are those the chain makes one
    by one."""
    job = uncached_job
    assert [[chunk.seq for chunk in segment] for segment in job.plan.segments] == [[0, 1, 2, 3]]
    context = replace(job.context, spare_core=lambda: True, running_jobs=set())
    state = first_state(job.plan)
    step = make_chain_step(context, ChainStep(state), job.job_id, 0)
    assert len(step.made_next) == 3
    passed = []
    for seq in (1, 2, 3):
        message = json.loads(json.dumps(step.to_message()))
        step = make_chain_step(context, ChainStep.from_message(message), job.job_id, seq)
        passed.append(step.state)
    assert step.made_next == ()

    engine = job.context.engine(job.plan.options.voice)
    chunks = job.context.chunks(job.job_id)
    for seq, chunk in enumerate(job.plan.chunks):
        made = render_chunk(engine, chunk, state)
        assert job.wav(seq) == made.wav
        assert chunks.meta(seq) == made.meta
        state = made.next_state
        if seq:
            assert passed[seq - 1] == state
    assert (job.record()["status"], job.record()["chunks_done"]) == ("running", 4)


def test_without_a_free_core_the_next_chunk_is_left_to_its_task(uncached_job: Job) -> None:
    context = replace(uncached_job.context, spare_core=lambda: False, running_jobs=set())
    step = make_chain_step(
        context, ChainStep(first_state(uncached_job.plan)), uncached_job.job_id, 0
    )
    assert step.made_next == ()
    assert uncached_job.context.chunks(uncached_job.job_id).stored_seqs() == {0}
    after = make_chain_step(context, step, uncached_job.job_id, 1)
    assert after.made_next == () and uncached_job.record()["chunks_done"] == 2


class LostWithItsWorker:
    """A committer in a worker killed right after its tasks returned: nothing lands."""

    def __init__(self) -> None:
        self.dropped = 0

    def submit(self, commit: Commit) -> None:
        self.dropped += 1

    def drain(self) -> None:
        return None


def test_background_commits_land_before_the_part_is_made(job: Job) -> None:
    job.context.commits = Background()
    try:
        after_first = make_chunk(job.context, first_state(job.plan), job.job_id, 0)
        make_chunk(job.context, after_first, job.job_id, 1)
        part = make_part(job.context, job.job_id, 0)
    finally:
        job.context.commits = Immediate()
    chunks = job.context.chunks(job.job_id)
    assert chunks.stored_seqs() == {0, 1}
    assert chunks.part_meta(0) == part
    assert part["samples"] % part["framing"][0] == 0
    assert job.record()["chunks_done"] == 2


class HeldBack:
    """A committer in another, busy worker process: its commits wait until `land` sends them,
    one every `gap_s`."""

    def __init__(self) -> None:
        self.held: list[Commit] = []

    def submit(self, commit: Commit) -> None:
        self.held.append(commit)

    def drain(self) -> None:
        return None

    def land(self, gap_s: float) -> threading.Thread:
        def run() -> None:
            for commit in self.held:
                time.sleep(gap_s)
                commit()

        thread = threading.Thread(target=run)
        thread.start()
        return thread


def test_commits_that_keep_landing_are_waited_for_not_made_again(
    job: Job, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two commits from a busy process land 0.3 s apart, longer than the wait: the part task
    waits for both, as every landing restarts the wait, and renders nothing itself."""
    monkeypatch.setattr(steps, "COMMIT_WAIT_S", 0.45)
    job.context.objects.delete_prefix(CACHE_PREFIX)
    held = HeldBack()
    job.context.commits = held
    try:
        after_first = make_chunk(job.context, first_state(job.plan), job.job_id, 0)
        make_chunk(job.context, after_first, job.job_id, 1)
    finally:
        job.context.commits = Immediate()
    rendered: list[int] = []
    speak = steps.speak_chunk

    def counted(engine: Engine, chunk: PlannedChunk, state: prosody.SessionState) -> SpokenChunk:
        rendered.append(chunk.seq)
        return speak(engine, chunk, state)

    monkeypatch.setattr(steps, "speak_chunk", counted)

    landing = held.land(gap_s=0.3)
    make_part(job.context, job.job_id, 0)
    landing.join()

    assert rendered == []
    assert job.context.chunks(job.job_id).stored_seqs() == {0, 1}
    assert job.record()["chunks_done"] == 2


def test_chunks_lost_with_their_worker_are_made_again_by_the_part_task(
    job: Job, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(steps, "COMMIT_WAIT_S", 0.2)
    job.context.objects.delete_prefix(CACHE_PREFIX)  # rendered, not reused from the cache
    lost = LostWithItsWorker()
    job.context.commits = lost
    try:
        after_first = make_chunk(job.context, first_state(job.plan), job.job_id, 0)
        make_chunk(job.context, after_first, job.job_id, 1)
    finally:
        job.context.commits = Immediate()
    chunks = job.context.chunks(job.job_id)
    assert lost.dropped == 2 and chunks.stored_seqs() == set()

    make_part(job.context, job.job_id, 0)

    assert chunks.stored_seqs() == {0, 1}
    engine = job.context.engine(job.plan.options.voice)
    state = first_state(job.plan)
    for chunk in job.plan.chunks:
        expected = render_chunk(engine, chunk, state)
        assert chunks.read(chunk.seq).wav == expected.wav
        state = expected.next_state
    assert chunks.part_meta(0) is not None
    assert job.record()["chunks_done"] == 2


def test_the_stitch_remakes_a_lost_chunk_where_no_part_task_runs(
    context: WorkerContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An Opus job has no part tasks: its stitch makes a lost chunk again itself."""
    monkeypatch.setattr(steps, "COMMIT_WAIT_S", 0.2)
    context.objects.delete_prefix(CACHE_PREFIX)
    options = JobOptions(voice=default_voice().name, seed=SEED, format="opus")
    plan = make_plan(new_job_id(), DOCUMENT, options, segment_max_chunks=10)
    keys = context.services.keys(plan.job_id)
    context.objects.put_bytes(keys.plan, plan.to_json(), "application/json")
    context.records.create(plan.job_id, {"chunks_total": len(plan.chunks)})
    lost = LostWithItsWorker()
    context.commits = lost
    try:
        after_first = make_chunk(context, first_state(plan), plan.job_id, 0)
    finally:
        context.commits = Immediate()
    make_chunk(context, after_first, plan.job_id, 1)
    assert lost.dropped == 1

    result = steps.stitch(context, plan.job_id)

    assert context.chunks(plan.job_id).stored_seqs() == {0, 1}
    assert result.output_uri.endswith(".opus")
    assert context.records.get(plan.job_id)["status"] == "succeeded"


def test_a_tail_part_makes_again_the_chunks_lost_on_both_sides_of_its_cut(
    context: WorkerContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker killed with the commits of the chunks before and after a part's cut still in
    its queue: the tail part's task makes the one before the cut again first, from the state
    stored before it, then its own; both are the chunks that were lost."""
    monkeypatch.setattr(steps, "COMMIT_WAIT_S", 0.2)
    lines = [f"Line {word} of the list." for word in "one two three four five six seven".split()]
    document = Document("Cut", (Chapter("One", tuple(lines), title_spoken=False),))
    plan = make_plan(new_job_id(), document, JobOptions(voice=default_voice().name, seed=SEED), 40)
    assert [len(run) for run in plan.parts] == [4, 3]
    keys = context.services.keys(plan.job_id)
    context.objects.put_bytes(keys.plan, plan.to_json(), "application/json")
    context.records.create(plan.job_id, {"chunks_total": len(plan.chunks)})
    context.objects.delete_prefix(CACHE_PREFIX)
    state = first_state(plan)
    try:
        for seq in range(len(plan.chunks)):
            context.commits = LostWithItsWorker() if seq in (3, 4) else Immediate()
            state = make_chunk(context, state, plan.job_id, seq)
    finally:
        context.commits = Immediate()
    chunks = context.chunks(plan.job_id)
    assert chunks.stored_seqs() == {0, 1, 2, 5, 6}

    make_part(context, plan.job_id, 1)

    assert chunks.stored_seqs() == set(range(7))
    engine = context.engine(plan.options.voice)
    expected = prosody.SessionState.from_dict(chunks.meta(2)["state_out"])
    for seq in (3, 4):
        rendered = render_chunk(engine, plan.chunks[seq], expected)
        assert chunks.read(seq).wav == rendered.wav
        expected = rendered.next_state
