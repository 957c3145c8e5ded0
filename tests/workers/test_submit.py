from __future__ import annotations

from narration.pipeline.document import Chapter, Document
from narration.pipeline.plan import JobOptions, heard_first, long_way_to_go, make_plan
from narration.workers.app import AHEAD_PRIORITY, JOB_PRIORITY, SHORT_PRIORITY
from narration.workers.submit import chunk_priorities

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
