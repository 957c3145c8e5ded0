"""A chunk's key (and its seed) depends on exactly what determines its audio."""

from __future__ import annotations

from dataclasses import replace

import pytest

from narration.pipeline import chunk_key as chunk_key_module
from narration.pipeline.chunk_key import (
    chunk_key,
    chunk_seed,
    is_part_key,
    part_key,
    voice_for_seed,
)
from narration.pipeline.prosody import initial_state

STATE = initial_state("v")
BASE = ("Hello there.", "sentence", STATE, "engine 1")


def test_the_derivation_is_pinned() -> None:
    # A changed derivation (or default state, such as the pause table) re-renders every cached
    # chunk and changes every job's audio: change this value only on purpose.
    assert chunk_key(*BASE) == "6e84b3da8e18ce643035e141fb555227f79647bf"
    assert chunk_seed(*BASE) == 928331386


def test_a_new_render_version_keeps_the_seeds(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shaping changes re-key the cache but draw the same noise for the same speech."""
    key, seed = chunk_key(*BASE), chunk_seed(*BASE)
    monkeypatch.setattr(chunk_key_module, "RENDER_VERSION", chunk_key_module.RENDER_VERSION + 1)
    assert chunk_key(*BASE) != key
    assert chunk_seed(*BASE) == seed
    monkeypatch.setattr(chunk_key_module, "SEED_VERSION", chunk_key_module.SEED_VERSION + 1)
    assert chunk_seed(*BASE) != seed


def test_the_same_inputs_give_the_same_key() -> None:
    assert chunk_key(*BASE) == chunk_key("Hello there.", "sentence", initial_state("v"), "engine 1")


def test_each_input_changes_the_key() -> None:
    variants = [
        ("Hello there!", "sentence", STATE, "engine 1"),
        ("Hello there.", "paragraph", STATE, "engine 1"),
        ("Hello there.", "sentence", STATE, "engine 2"),
        ("Hello there.", "sentence", initial_state("v", user_seed=7), "engine 1"),
        ("Hello there.", "sentence", initial_state("w"), "engine 1"),
        ("Hello there.", "sentence", replace(STATE, position_s=3.2, chunks=1), "engine 1"),
    ]
    keys = {chunk_key(*variant) for variant in variants}
    assert len(keys) == len(variants)
    assert chunk_key(*BASE) not in keys


def test_the_seed_ignores_what_was_measured_on_the_audio_before() -> None:
    """What the state measured (rate, level, position, heard pauses) sets gains and pauses, not
    the noise: the next chunk's engine call is known before this one is heard. The key, which
    names everything the audio depends on, still changes."""
    measured = replace(
        STATE,
        rate_cps=14.2,
        level_db=-20.4,
        first_gain_db=4.8,
        position_s=5.5,
        sentence_pause_s=0.31,
        clause_pause_s=0.12,
    )
    assert chunk_seed("Hello there.", "sentence", measured, "engine 1") == chunk_seed(*BASE)
    assert chunk_key("Hello there.", "sentence", measured, "engine 1") != chunk_key(*BASE)
    planned = [
        replace(STATE, chunks=1),
        replace(STATE, previous_text="Before."),
        replace(STATE, user_seed=7),
        replace(STATE, length_scale=1.2),
    ]
    seeds = {chunk_seed("Hello there.", "sentence", state, "engine 1") for state in planned}
    assert len(seeds) == len(planned) and chunk_seed(*BASE) not in seeds


def test_a_held_speaker_s_measured_chain_leaves_the_seed_alone() -> None:
    turn = replace(STATE, speaker="A", held=(("B", "w", 15.0, -20.0, 4.5, 2),))
    heard_more = replace(turn, held=(("B", "w", 13.1, -21.5, 5.1, 2),))
    later = replace(turn, held=(("B", "w", 15.0, -20.0, 4.5, 3),))
    seed = chunk_seed("Hello there.", "sentence", turn, "e")
    assert chunk_seed("Hello there.", "sentence", heard_more, "e") == seed
    assert chunk_seed("Hello there.", "sentence", later, "e") != seed


def test_the_seed_names_the_voice_and_the_key_the_runtime() -> None:
    """Every runtime of a family draws a chunk's noise from one seed; the cache keeps them apart."""
    onnx = ("Hello there.", "sentence", STATE, "onnx (onnxruntime 1.20) cpu fp32 v 1234")
    torch = ("Hello there.", "sentence", STATE, "torch (torch 2.5) cuda-sm90 fp16 v 1234")
    assert chunk_key(*onnx) != chunk_key(*torch)
    voice = voice_for_seed("piper", "v")
    assert voice != voice_for_seed("kokoro", "v") and voice != voice_for_seed("piper", "w")
    assert chunk_seed("Hello there.", "sentence", STATE, voice) != chunk_seed(
        "Hello there.", "sentence", STATE, voice_for_seed("piper", "w")
    )


def test_seeds_spread_over_31_bits() -> None:
    seeds = {chunk_seed(f"Sentence {n}.", "sentence", STATE, "e") for n in range(500)}
    assert len(seeds) == 500
    assert all(0 <= seed < 2**31 for seed in seeds)


def test_a_part_key_names_its_chunks_and_encoding() -> None:
    encoding: dict[str, object] = {"format": "mp3", "gain_db": 7.5, "framing": [576, 1105, 288]}
    key = part_key(["a", "b"], encoding)
    assert is_part_key(key) and not is_part_key(chunk_key(*BASE))
    assert key == part_key(["a", "b"], dict(encoding))
    others = {
        part_key(["a", "c"], encoding),
        part_key(["b", "a"], encoding),
        part_key(["a", "b"], {**encoding, "gain_db": 7.6}),
        part_key(["a", "b"], {**encoding, "format": "m4b"}),
    }
    assert key not in others and len(others) == 4
