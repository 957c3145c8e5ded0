"""Benchmark the seams between chunks: is the pipeline's output one continuous reading?

Reads bench/data/prose.txt (original prose, one paragraph per blank-line block), plans it as a
job would and compares four renderings of the same text with one voice (`--voice`, default the
bundled Piper voice; a Kokoro voice such as af_heart works the same way):

- pipeline: `render_chunk` over each segment in order, carrying the session state, placed with
  `timeline.place_chunks` (lead-in, designed pauses) and read back through the stitcher's own
  `timeline_blocks` (each chunk's WAV with the silences after it), from
  memory (no S3, no Celery);
- single: one `synthesize` call per paragraph, joined with the designed paragraph pause — the
  reference a chunked reading should be indistinguishable from;
- naive: the same chunks synthesised independently with default params and concatenated raw
  (untrimmed, no gain matching, no designed pause);
- context: the pipeline with the previous sentence prepended to each chunk's text and cut off
  again at the word timings (an option we measured and rejected; see docs/SEAMS.md).

All four are brought to the stitcher's loudness target before measuring. Measures, with
positions from the word timings (joins between chunks, and sentence boundaries inside a chunk):
pause length (longest run of silent 10 ms frames between the two words), loudness step (speech
level over 3 s either side), speech-rate CV over chunks (over chunk-sized spans for `single`),
clicks (joins with a sample step that stands out of its surroundings, `audio.clicks`; and, as
counted before, joins with a step > 0.02 in the quiet frames around them, which a fricative's
hiss has too), and an ASR round trip with faster-whisper tiny.en (WER, and every sentence
found once and in order). Sentence joins are compared with the pauses between sentences inside
chunks, clause joins (a long sentence cut at a comma or semicolon) with those at clause marks.

    .venv/bin/python bench/seams.py                 # the table, markdown, on stdout
    .venv/bin/python bench/seams.py --no-asr --no-context --cache /tmp/seams  # quick tuning
    .venv/bin/python bench/seams.py --quick         # smoke test: the first 2 paragraphs
    .venv/bin/python bench/seams.py --voice af_heart --text other.txt --no-context
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from asr_round_trip import Transcriber
from report import median
from seam_measures import measure, p90
from seam_renderings import (
    PROSE,
    cached,
    load_plan,
    normalised,
    render_naive,
    render_pipeline,
    render_single,
)

from narration.engines import registry
from narration.engines.voices import find_voice
from narration.pipeline.defaults import DEFAULT_ENGINE, DEFAULT_VOICE_NAME

QUICK_PARAGRAPHS = 2


# -- report --------------------------------------------------------------------------------


def ms(values: list[float]) -> str:
    if not values:
        return "—"
    return f"{median(values) * 1000:.0f} / {p90(values) * 1000:.0f}"


def db(values: list[float]) -> str:
    return f"{median(values):.2f}" if values else "—"


def table(results: dict[str, dict[str, Any]]) -> str:
    names = list(results)
    rows: list[tuple[str, list[str]]] = [
        (
            "pause at sentence joins, ms (median / p90)",
            [ms(results[n]["sentence_pause"]) for n in names],
        ),
        (
            "pause between sentences inside chunks, ms",
            [ms(results[n]["inner_pause"]) for n in names],
        ),
        (
            "pause at clause joins, ms (median / p90)",
            [ms(results[n]["clause_pause"]) for n in names],
        ),
        (
            "pause at clauses inside chunks, ms",
            [ms(results[n]["inner_clause_pause"]) for n in names],
        ),
        (
            "pause at paragraph joins, ms (median)",
            [ms(results[n]["paragraph_pause"]) for n in names],
        ),
        ("loudness step at joins, dB (median)", [db(results[n]["join_step"]) for n in names]),
        ("loudness step at sentence joins, dB", [db(results[n]["sentence_step"]) for n in names]),
        (
            "loudness step between sentences inside, dB",
            [db(results[n]["inner_step"]) for n in names],
        ),
        ("loudness step at clause joins, dB", [db(results[n]["clause_step"]) for n in names]),
        (
            "loudness step at clauses inside, dB",
            [db(results[n]["inner_clause_step"]) for n in names],
        ),
        ("rate CV over chunks", [f"{results[n]['rate_cv']:.3f}" for n in names]),
        (
            "joins with clicks",
            [f"{len(results[n]['clicks'])} / {results[n]['joins']}" for n in names],
        ),
        (
            "joins with steps > 0.02 in quiet frames (hiss too)",
            [f"{results[n]['quiet_steps']} / {results[n]['joins']}" for n in names],
        ),
    ]
    if all("wer" in results[n] for n in names):
        rows.append(("ASR WER (tiny.en)", [f"{results[n]['wer']:.3f}" for n in names]))
        rows.append(
            (
                "sentences found / repeated / in order",
                [
                    "{1}/{0} / {2} / {3}".format(*results[n]["sentences"])
                    .replace("True", "yes")
                    .replace("False", "no")
                    for n in names
                ],
            )
        )
    rows.append(("synthesis time, s", [f"{results[n]['synth_s']:.1f}" for n in names]))
    rows.append(("audio, s", [f"{results[n]['audio_s']:.1f}" for n in names]))
    header = "| measure | " + " | ".join(names) + " |"
    rule = "|---|" + "---:|" * len(names)
    body = ["| " + label + " | " + " | ".join(cells) + " |" for label, cells in rows]
    return "\n".join([header, rule, *body])


def verdict(results: dict[str, dict[str, Any]]) -> list[str]:
    a, b = results["pipeline"], results["single"]
    checks = [
        (
            f"pause: {kind} join median within ±40 ms of the inner {kind} median",
            abs(median(a[f"{kind}_pause"]) - median(a[inner])) <= 0.040,
        )
        for kind, inner in (("sentence", "inner_pause"), ("clause", "inner_clause_pause"))
        if a[f"{kind}_pause"] and a[inner]
    ]
    checks += [
        (
            "loudness: join step ≤ inner step + 0.5 dB",
            median(a["join_step"]) <= median(a["inner_step"]) + 0.5,
        ),
        ("rate CV ≤ single-pass", a["rate_cv"] <= b["rate_cv"]),
        ("no clicks at joins", not a["clicks"]),
    ]
    if "wer" in a and "wer" in b:
        total, found, repeated, in_order = a["sentences"]
        checks.append(("WER ≤ single-pass + 0.02", a["wer"] <= b["wer"] + 0.02))
        checks.append(
            ("every sentence once, in order", found == total and repeated == 0 and in_order)
        )
    return [f"- {'PASS' if ok else 'FAIL'}: {label}" for label, ok in checks]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text", type=Path, default=PROSE)
    parser.add_argument("--voice", default=DEFAULT_VOICE_NAME, help="any voice a job may name")
    parser.add_argument(
        "--seed", type=int, default=0, help="the job seed of the pipeline renderings"
    )
    parser.add_argument("--no-asr", action="store_true", help="skip the faster-whisper round trip")
    parser.add_argument("--no-context", action="store_true", help="skip the context variant")
    parser.add_argument(
        "--cache", type=Path, help="keep the single and naive renderings here between runs"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"smoke test: only the first {QUICK_PARAGRAPHS} paragraphs of the text",
    )
    args = parser.parse_args(argv)

    started = time.perf_counter()
    paragraphs, segments = load_plan(args.text, QUICK_PARAGRAPHS if args.quick else None)
    chunks = [chunk for segment in segments for chunk in segment]
    voice = find_voice(args.voice)
    engine = registry.load(DEFAULT_ENGINE, voice, registry.EngineOptions(threads=2))
    pauses = registry.engine_kind(DEFAULT_ENGINE).pauses
    key = hashlib.sha256(args.text.read_bytes()).hexdigest()[:16] + f"-{voice.name}"
    key += f"-first{QUICK_PARAGRAPHS}" if args.quick else ""
    renderings = [
        render_pipeline(engine, segments, pauses=pauses, seed=args.seed),
        cached(args.cache, f"single-{key}", lambda: render_single(engine, paragraphs, chunks)),
        cached(args.cache, f"naive-{key}", lambda: render_naive(engine, chunks)),
    ]
    if not args.no_context:
        renderings.append(render_pipeline(engine, segments, "context", pauses, args.seed))
    transcribe = None if args.no_asr else Transcriber()
    results = {r.name: measure(normalised(r), paragraphs, transcribe) for r in renderings}
    pipeline = renderings[0]
    pipeline_result = results[pipeline.name]
    print(
        f"{len(paragraphs)} paragraphs, {sum(map(len, paragraphs))} characters, "
        f"{len(chunks)} chunks in {len(segments)} segment(s); voice {engine.voice.name}; "
        f"largest state {pipeline.extra['state_max_bytes']} bytes\n"
    )
    print(table(results))
    print()
    print("\n".join(verdict(results)))
    for click in pipeline_result["clicks"]:
        print(f"click: {click}")
    print(f"\nlength scales: {pipeline.extra['length_scales']}")
    print(f"gains (dB): {pipeline.extra['gains_db']}")
    print(f"bench wall time {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
