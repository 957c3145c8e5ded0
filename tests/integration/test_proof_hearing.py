"""The suspect rule on real renderings heard by the real recogniser (joe, faster-whisper):
damage spliced over a word is found, and clean prose nobody tuned the rule to raises at most
2 % false alarms once misheard chunks are rendered again. A name outside the dictionary not
heard exactly is no false alarm: the rule asks a person to check how it sounds. The same
checks hold for the two-pass hearing a proof worker runs (`hearing.hear`)."""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from scipy.io import wavfile

from narration.engines import registry
from narration.engines.kokoro.assets import FAMILY as KOKORO
from narration.engines.voices import default_voice
from narration.pipeline.document import Chapter, Document
from narration.pipeline.engine import Engine
from narration.pipeline.plan import JobOptions, Plan, PlannedChunk, make_plan
from narration.pipeline.prosody import SessionState
from narration.pipeline.render import RenderedChunk, render_chunk, speak_chunk
from narration.production.proofing.hearing import HearAgain, hear
from narration.production.proofing.recogniser import Listening, hear_again, transcribe
from narration.production.proofing.scoring import ChunkScore, HeardWord, heard_words, score_chunk
from narration.production.proofing.takes import MAX_RETAKES, takes_differ
from narration.production.steps import first_state

HELD_OUT = Path(__file__).parents[2] / "bench" / "data" / "prose.txt"
"""Prose the rule was not tuned on (it was tuned on samples/lighthouse.md)."""
MIN_CHUNKS = 25
SENTENCE = "The harbour master counted the fishing boats as they returned before the storm."


@cache
def engine() -> Engine:
    return registry.load("onnx", default_voice(), registry.EngineOptions(threads=1))


def plan_of(*paragraphs: str, seed: int = 0) -> Plan:
    document = Document("Hearing", (Chapter("One", paragraphs, title_spoken=False),))
    return make_plan("hearing", document, JobOptions(voice=default_voice().name, seed=seed), 1000)


class CleanProse:
    """The held-out prose rendered with each of `SEEDS`, every chunk's takes made once and
    shared by both hearings. A 2 % rule read on 28 chunks allows none, so one borderline phrase
    on one seed decides it: the two-pass hearing a proof worker runs is read on 56."""

    SEEDS = (0, 1)

    def __init__(self) -> None:
        paragraphs = [p.strip() for p in HELD_OUT.read_text().split("\n\n") if p.strip()]
        self.plans = [plan_of(*paragraphs, seed=seed) for seed in self.SEEDS]
        self._takes: dict[tuple[int, int, int], RenderedChunk] = {}
        self._states: dict[tuple[int, int], SessionState] = {}

    def chunks(self, seeds: int) -> list[tuple[int, PlannedChunk]]:
        """The chunks of the first `seeds` renderings."""
        return [
            (number, chunk)
            for number, plan in enumerate(self.plans[:seeds])
            for chunk in plan.chunks
        ]

    def take(self, plan_number: int, chunk: PlannedChunk, take: int) -> RenderedChunk:
        """Take `take` of `chunk`, rendered from the state its chunks before leave."""
        key = (plan_number, chunk.seq, take)
        if key not in self._takes:
            state = self._state_before(plan_number, chunk.seq)
            spoken = speak_chunk(engine(), chunk, state, take)
            if take == 0:
                self._states[(plan_number, chunk.seq + 1)] = spoken.next_state
            self._takes[key] = spoken.finish()
        return self._takes[key]

    def _state_before(self, plan_number: int, seq: int) -> SessionState:
        plan = self.plans[plan_number]
        if seq == 0:
            return first_state(plan)
        if (plan_number, seq) not in self._states:
            self.take(plan_number, plan.chunks[seq - 1], 0)
        return self._states[(plan_number, seq)]


@cache
def clean_prose() -> CleanProse:
    return CleanProse()


def false_alarms(hearing: Callable[[RenderedChunk], ChunkScore], seeds: int) -> list[object]:
    """Chunks of the clean prose's first `seeds` renderings whose best take, misheard ones
    rendered again, still has a suspect run that is not an unknown word."""
    prose = clean_prose()
    alarms: list[object] = []
    for plan_number, chunk in prose.chunks(seeds):
        takes = [hearing(prose.take(plan_number, chunk, 0))]
        while takes[-1].suspect and len(takes) <= MAX_RETAKES:
            takes.append(hearing(prose.take(plan_number, chunk, len(takes))))
        best = min(takes, key=lambda take: (take.score, take.wer))
        if any(not run.unknown for run in best.suspect_runs()):
            alarms.append((prose.SEEDS[plan_number], chunk.seq, best.suspect_runs()))
    return alarms


def heard(rendered: RenderedChunk, wav: bytes | None = None) -> ChunkScore:
    spoken = rendered.meta.get("spoken_text", rendered.meta["text"])
    return score_chunk(spoken, heard_words(transcribe(wav or rendered.wav)))


def spliced(rendered: RenderedChunk, first: str, last: str, noise: bool) -> bytes:
    """The chunk with silence or loud noise from word `first` to word `last` (from the
    engine's word timings)."""
    rate, pcm = wavfile.read(io.BytesIO(rendered.wav))
    words = {w["text"].strip(".,").lower(): w for w in rendered.meta["words"]}
    start, end = int(words[first]["start_s"] * rate), int(words[last]["end_s"] * rate)
    damaged = pcm.copy()
    if noise:
        rng = np.random.default_rng(7)
        damaged[start:end] = rng.integers(-12000, 12000, end - start, dtype=np.int16)
    else:
        damaged[start:end] = 0
    out = io.BytesIO()
    wavfile.write(out, rate, damaged)
    return out.getvalue()


@pytest.mark.parametrize(
    ("first", "last", "noise"),
    [("fishing", "fishing", False), ("counted", "boats", True)],
    ids=["silence over a word", "noise over words"],
)
def test_damage_spliced_into_the_audio_is_a_suspect(first: str, last: str, noise: bool) -> None:
    """Noise over one word alone is not enough: the recogniser's language model fills a
    predictable word in ("fishing" before "boats") and hears it through the noise."""
    plan = plan_of(SENTENCE)
    rendered = render_chunk(engine(), plan.chunks[0], first_state(plan))
    assert not heard(rendered).suspect
    damaged = heard(rendered, spliced(rendered, first, last, noise))
    assert damaged.suspect, [word.text for word in damaged.heard]
    assert any("fishing" in damaged.spoken[run.start : run.end] for run in damaged.suspect_runs())


def test_clean_prose_raises_at_most_two_percent_false_alarms() -> None:
    chunks = clean_prose().chunks(1)
    assert len(chunks) >= MIN_CHUNKS
    alarms = false_alarms(heard, 1)
    assert len(alarms) <= 0.02 * len(chunks), alarms


def counted(full: HearAgain, calls: list[Listening]) -> HearAgain:
    def counting(listening: Listening) -> list[HeardWord]:
        calls.append(listening)
        return full(listening)

    return counting


@pytest.mark.parametrize(
    ("first", "last", "noise"),
    [("fishing", "fishing", False), ("counted", "boats", True)],
    ids=["silence over a word", "noise over words"],
)
def test_the_two_pass_hearing_finds_the_same_damage(first: str, last: str, noise: bool) -> None:
    """What a proof worker runs: the quick pass alone passes the clean chunk, and flags the
    damaged one for the full pass, which places the suspect in time."""
    plan = plan_of(SENTENCE)
    rendered = render_chunk(engine(), plan.chunks[0], first_state(plan))
    spoken = rendered.meta.get("spoken_text", rendered.meta["text"])
    full_passes: list[Listening] = []
    clean = hear(rendered.wav, spoken, full=counted(hear_again, full_passes))
    assert not clean.suspect
    assert not full_passes
    damaged = hear(
        spliced(rendered, first, last, noise), spoken, full=counted(hear_again, full_passes)
    )
    assert damaged.suspect, [word.text for word in damaged.heard]
    assert len(full_passes) == 1
    runs = damaged.suspect_runs()
    assert any("fishing" in damaged.spoken[run.start : run.end] for run in runs)
    assert damaged.heard[0].start_s < damaged.heard[-1].start_s


def test_the_two_pass_hearing_raises_at_most_two_percent_false_alarms() -> None:
    def two_pass(rendered: RenderedChunk) -> ChunkScore:
        return hear(rendered.wav, rendered.meta.get("spoken_text", rendered.meta["text"]))

    seeds = len(CleanProse.SEEDS)
    alarms = false_alarms(two_pass, seeds)
    assert len(alarms) <= 0.02 * len(clean_prose().chunks(seeds)), alarms


def test_a_voice_that_draws_no_noise_is_not_rendered_again() -> None:
    assert takes_differ(default_voice().engine)
    assert not takes_differ(KOKORO)
