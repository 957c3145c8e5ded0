"""A long segment is made as two parts through the real stack: the first sent when its last
chunk is made, the second at the end of the chain; joined, they decode to the timeline."""

from __future__ import annotations

import json

import numpy as np
import pytest

from narration.connections import Services
from narration.pipeline.plan import TAIL_PART_CHUNKS, Plan
from tests.conftest import narrate
from tests.helpers import decode

RATE = 22050
# One paragraph: one segment of about nine chunks, longer than twice TAIL_PART_CHUNKS.
SENTENCES = [
    f"The {word} lantern swung over the harbour wall while the boats came in one by one."
    for word in (
        "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
        "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth "
        "last"
    ).split()
]


@pytest.fixture(scope="module")
def finished(
    stack_env: dict[str, str], services: Services, tmp_path_factory: pytest.TempPathFactory
) -> dict:
    work = tmp_path_factory.mktemp("tail-part")
    source = work / "harbour.md"
    source.write_text("# Harbour\n\n" + " ".join(SENTENCES) + "\n")
    result = narrate(stack_env, "submit", str(source), "--wait", "--json")
    assert result.returncode == 0, result.stderr
    job_id = json.loads(result.stdout)["job_id"]
    audio = work / "harbour.mp3"
    fetched = narrate(stack_env, "fetch", job_id, "--what", "audio", "-o", str(audio))
    assert fetched.returncode == 0, fetched.stderr
    chunks = services.chunks(job_id)
    return {
        "plan": Plan.from_json(chunks.objects.get_bytes(chunks.keys.plan)),
        "manifest": json.loads(chunks.objects.get_bytes(chunks.keys.manifest)),
        "parts": [chunks.part_meta(number) for number in range(2)],
        "audio": audio,
    }


def test_the_segment_is_made_as_two_parts(finished: dict) -> None:
    plan = finished["plan"]
    assert len(plan.segments) == 1 and len(plan.segments[0]) > 2 * TAIL_PART_CHUNKS
    assert [len(run) for run in plan.parts] == [
        len(plan.segments[0]) - TAIL_PART_CHUNKS,
        TAIL_PART_CHUNKS,
    ]
    parts = finished["parts"]
    assert [part["part"] for part in parts] == [0, 1]
    assert [(part["first"], part["last"]) for part in parts] == [(True, False), (False, True)]
    assert finished["manifest"]["loudness"]["encodes"] == 1


def test_the_joined_parts_decode_to_the_manifest_s_timeline(finished: dict) -> None:
    pcm = decode(finished["audio"], RATE)
    manifest = finished["manifest"]
    assert len(pcm) == sum(part["samples"] for part in finished["parts"])
    assert len(pcm) / RATE == pytest.approx(manifest["duration_s"], abs=0.001)
    # Speech where every chunk's speech is, and silence where the parts meet: the second
    # part's guard, in which its encoder delay fell, and the first part's padded end.
    for chunk in manifest["chunks"]:
        inside = pcm[int(chunk["start_s"] * RATE) : int(chunk["end_s"] * RATE)]
        assert np.abs(inside).max() > 0.1
    join = finished["parts"][0]["samples"]
    assert np.abs(pcm[join - 250 : join + 250]).max() < 0.005
