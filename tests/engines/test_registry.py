"""Engines by name: the kinds a job may name, their queues, their pause profiles, their checks."""

from __future__ import annotations

import pytest

from narration.engines import registry
from narration.engines.registry import EngineOptions
from narration.errors import InputError
from narration.pipeline.engine import VoiceInfo
from narration.pipeline.prosody import PAUSES_S, initial_state


def test_the_registered_engines_and_their_queues() -> None:
    assert registry.engine_names() == ["onnx", "torch"]
    assert registry.engine_kind("onnx").queue == "synth"
    assert registry.engine_kind("torch").queue == "synth-torch"
    assert registry.queues() == ["synth", "synth-torch"]
    assert (registry.engine_kind("onnx").batches, registry.engine_kind("torch").batches) == (
        False,
        True,
    )


def test_an_unknown_engine_names_the_choices() -> None:
    with pytest.raises(InputError, match="unknown engine 'espeak'; choose one of onnx, torch"):
        registry.engine_kind("espeak")


def test_piper_is_the_onnx_engine_by_its_older_name() -> None:
    assert registry.engine_kind("piper") is registry.engine_kind("onnx")


def test_onnx_refuses_a_gpu() -> None:
    with pytest.raises(InputError, match="runs on the CPU only"):
        registry.engine_kind("onnx").check(EngineOptions(device="cuda:0"))
    registry.engine_kind("onnx").check(EngineOptions())
    registry.engine_kind("onnx").check(EngineOptions(device="auto"))  # the CPU, all it has


def test_the_voice_picks_the_family_and_both_runtimes_speak_both() -> None:
    kokoro = VoiceInfo("af_heart", "en-US", 24_000, "kokoro", "/nowhere/af_heart.bin")
    joe = VoiceInfo("en_US-joe-medium", "en_US", 22_050, "piper", "/nowhere/joe.onnx")
    other = VoiceInfo("x", "en-US", 16_000, "espeak", "/nowhere/x")
    assert registry.kind_for("piper", kokoro).name == "onnx"
    assert registry.kind_for("torch", joe).name == "torch"
    assert registry.kind_for("torch", kokoro).name == "torch"
    with pytest.raises(InputError, match="torch engine does not speak espeak voices"):
        registry.kind_for("torch", other)
    with pytest.raises(InputError, match="torch engine does not speak espeak voices"):
        registry.load("torch", other, EngineOptions())


@pytest.mark.parametrize("name", ["onnx", "piper", "torch"])
def test_the_pause_profile_is_the_session_default(name: str) -> None:
    """Both engines speak Piper voices alike; the default profile keeps every piper chunk key."""
    pauses = registry.engine_kind(name).pauses
    assert dict(pauses) == PAUSES_S
    assert initial_state("v", 3, pauses=pauses) == initial_state("v", 3)
