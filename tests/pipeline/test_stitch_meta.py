"""The stitch's trimmed metadata times the text exactly as the stored metadata does."""

from __future__ import annotations

import copy
from typing import cast

import numpy as np

from narration.pipeline import captions, timeline
from narration.pipeline.chunk_meta import ChunkMeta, PartMeta
from narration.pipeline.prosody import SessionState
from narration.pipeline.stitch_meta import (
    UNREAD,
    trim_chunk_meta,
    trim_part_meta,
)
from tests.chunk_metas import chunk_meta

RATE = 22050
TEXTS = ("One fish. Two fish swim.", "Red fish.", "Blue fish, old fish.")


def stored_metas() -> list[ChunkMeta]:
    """Chunk metadata with the fields a rendered chunk stores (`pipeline.render`)."""
    out = []
    for seq, text in enumerate(TEXTS):
        offsets = [(text.index(word), text.index(word) + len(word)) for word in text.split()]
        state = SessionState(voice="v", user_seed=seq).to_dict()
        out.append(
            chunk_meta(
                seq=seq,
                text=text,
                spoken_text=text,
                samples=22050 + 1000 * seq,
                pause_after_s=0.35,
                pause_designed_s=0.35,
                loudness={"steps": [0.001] * 11, "true_peak_dbtp": -2.0},
                words=[
                    {
                        "text": text[a:b],
                        "start": a,
                        "end": b,
                        "start_s": 0.1 * n,
                        "end_s": 0.1 * n + 0.08,
                    }
                    for n, (a, b) in enumerate(offsets)
                ],
                state_in=state,
                state_out=state,
            )
        )
    return out


def test_trimmed_metas_drop_what_the_stitch_never_reads() -> None:
    metas = [trim_chunk_meta(meta, keep_loudness=False) for meta in stored_metas()]
    for meta in metas:
        assert not set(UNREAD) & set(meta)
        assert "loudness" not in meta
        assert all(isinstance(word, tuple) and len(word) == 4 for word in meta["words"])
    kept = [trim_chunk_meta(meta, keep_loudness=True) for meta in stored_metas()]
    assert kept[0]["loudness"] == {"steps": [0.001] * 11, "true_peak_dbtp": -2.0}


def test_trimmed_metas_time_captions_and_marks_as_stored_ones_do() -> None:
    stored = stored_metas()
    trimmed = [trim_chunk_meta(meta, keep_loudness=False) for meta in copy.deepcopy(stored)]
    bodies = []
    for metas in (stored, trimmed):
        laid = timeline.place_chunks(metas, RATE)
        text, sentences, words = timeline.timed_spans(laid.placed, RATE)
        assert len(words) == sum(len(text.split()) for text in TEXTS)
        cues = captions.cues_from_spans(text, sentences)
        marks = captions.speech_marks(text, sentences, words)
        bodies.append((captions.to_webvtt(cues), captions.to_jsonl(marks)))
    assert bodies[0] == bodies[1]
    assert '"value":"Blue"' in bodies[1][1]


def test_a_part_keeps_its_steps_as_one_array() -> None:
    stored = {"key": "p", "steps": [0.5, 0.25, 1e-7], "true_peak_dbtp": -1.5}
    meta = trim_part_meta(cast(PartMeta, stored))
    assert isinstance(meta["steps"], np.ndarray) and meta["steps"].dtype == np.float64
    assert meta["steps"].tolist() == [0.5, 0.25, 1e-7]
