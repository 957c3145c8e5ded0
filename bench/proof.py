"""What proofing costs and how often it fires (docs/BENCHMARKS.md, "Proofing").

For each voice, every chunk of a held-out text is rendered (one engine thread) and proofed
as the proof worker does it: heard by the recogniser (the quick pass, then the full pass for a
chunk the quick one flags), scored, and rendered again while it stays a suspect (a voice that
draws no noise is not rendered again). Reports CPU seconds of synthesis and of proofing
(recognition and scoring; re-rendered takes counted as proofing), their ratio, the full passes
and the share of first takes screened for one, the share of chunks that were suspects on their
first take (rendered again) and after their takes. With --job, also the wall time of the same
job on a local stack without and with --proof (bench/proof_job.py).

Usage: python bench/proof.py [--voices en_US-joe-medium,af_heart] [--text FILE] [--job [--runs N]]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import checkout
from proof_job import measure_jobs

from narration.engines import registry
from narration.engines.voices import find_voice
from narration.pipeline.document import Chapter, Document
from narration.pipeline.plan import JobOptions, make_plan
from narration.pipeline.render import speak_chunk
from narration.production.proofing import recogniser
from narration.production.proofing.hearing import hear
from narration.production.proofing.recogniser import Listening
from narration.production.proofing.scoring import HeardWord
from narration.production.proofing.takes import MAX_RETAKES, takes_differ
from narration.production.steps import first_state

DEFAULT_TEXT = checkout.ROOT / "bench" / "data" / "prose.txt"


def document(text: str) -> Document:
    paragraphs = tuple(p.strip() for p in text.split("\n\n") if p.strip())
    return Document("Proof bench", (Chapter("One", paragraphs, title_spoken=False),))


def measure_voice(voice_name: str, text: str) -> dict[str, object]:
    voice = find_voice(voice_name)
    options = JobOptions(voice=voice.name)
    plan = make_plan("bench-proof", document(text), options, segment_max_chunks=1000)
    engine = registry.load(options.engine, voice, registry.EngineOptions(threads=1))
    warm = speak_chunk(engine, plan.chunks[0], first_state(plan)).finish().wav
    recogniser.hear_again(recogniser.listen(warm))
    retakes = MAX_RETAKES if takes_differ(voice.engine) else 0
    full_passes = 0

    def full_pass(listening: Listening) -> list[HeardWord]:
        nonlocal full_passes
        full_passes += 1
        return recogniser.hear_again(listening)

    state = first_state(plan)
    synth_s = proof_s = audio_s = 0.0
    first_suspects = final_suspects = screened = 0
    for chunk in plan.chunks:
        started = time.process_time()
        rendered = speak_chunk(engine, chunk, state).finish()
        synth_s += time.process_time() - started
        audio_s += rendered.meta["duration_s"]
        spoken = rendered.meta.get("spoken_text", chunk.text)
        started = time.process_time()
        full_before = full_passes
        scored = hear(rendered.wav, spoken, full=full_pass)
        screened += full_passes > full_before
        takes = [scored]
        while takes[-1].suspect and len(takes) <= retakes:
            take = speak_chunk(engine, chunk, state, len(takes)).finish()
            takes.append(hear(take.wav, spoken, full=full_pass))
        proof_s += time.process_time() - started
        first_suspects += scored.suspect
        final_suspects += min(takes, key=lambda t: (t.score, t.wer)).suspect
        if scored.suspect:
            heard = " ".join(word.text for word in scored.heard)
            print(f"  {voice.name} chunk {chunk.seq}: {scored.suspect_runs()} heard: {heard}")
        state = rendered.next_state
    chunks = len(plan.chunks)
    return {
        "voice": voice.name,
        "chunks": chunks,
        "audio_s": round(audio_s, 1),
        "synthesis_cpu_s": round(synth_s, 2),
        "proofing_cpu_s": round(proof_s, 2),
        "ratio": round(proof_s / synth_s, 3),
        "full_passes": full_passes,
        "screened_share": round(screened / chunks, 4),
        "first_take_suspect_share": round(first_suspects / chunks, 4),
        "rerendered_share": round(first_suspects / chunks if retakes else 0.0, 4),
        "suspect_share": round(final_suspects / chunks, 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voices", default="en_US-joe-medium,af_heart")
    parser.add_argument("--text", type=Path, default=DEFAULT_TEXT)
    parser.add_argument("--job", action="store_true", help="Also time a job on a local stack.")
    parser.add_argument("--runs", type=int, default=3, help="Job runs, with --job.")
    args = parser.parse_args()
    text = args.text.read_text()
    results: dict[str, object] = {
        "voices": [measure_voice(v, text) for v in args.voices.split(",")]
    }
    if args.job:
        results["job"] = measure_jobs(text, args.runs)
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
