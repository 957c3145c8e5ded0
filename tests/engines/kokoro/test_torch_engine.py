"""Kokoro on the torch engine, on the CPU: batch-invariant bytes, the onnx engine's timings and
lengths, precisions (fp16 emulated in float32 arithmetic, `kokoro_torch.cpu_half`), and an
identity that names runtime, device and precision."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from narration.engines import registry
from narration.engines.kokoro import assets
from narration.engines.kokoro.engine import KokoroEngine
from narration.engines.kokoro_torch.engine import TorchKokoroEngine
from narration.engines.voices import find_voice
from narration.errors import InputError
from narration.pipeline.engine import SynthesisParams, SynthesisRequest
from tests.helpers import log_spectral_distance

pytestmark = [
    pytest.mark.integration,  # whole-model renders, tens of seconds each: the full tier
    pytest.mark.skipif(
        not assets.model_path().is_file(), reason="Kokoro is not installed: narrate voices install"
    ),
]
LSD_FP16_DB = 3.0
"""fp16 against fp32 on the CPU, log-spectral distance (fp32 against onnxruntime: ~6 dB)."""
FP16_FRAMES_OFF = 1
TEXTS = (
    "The boat came in. It was late.",
    "Would you like some tea?",
    "In 1865, she wrote three letters to her brother; none of them arrived.",
)


@pytest.fixture(scope="module")
def engine() -> TorchKokoroEngine:
    loaded = registry.load("torch", find_voice("af_heart"), registry.EngineOptions(threads=1))
    assert isinstance(loaded, TorchKokoroEngine)
    return loaded


def test_a_chunk_alone_and_in_a_batch_gives_the_same_bytes(engine: TorchKokoroEngine) -> None:
    params = SynthesisParams()
    alone = [engine.synthesize(text, params) for text in TEXTS]
    together = engine.synthesize_many([SynthesisRequest(text, params) for text in TEXTS])
    reversed_ = engine.synthesize_many([SynthesisRequest(text, params) for text in TEXTS[::-1]])
    for single, batched, other in zip(alone, together, reversed_[::-1], strict=True):
        assert single.pcm.tobytes() == batched.pcm.tobytes() == other.pcm.tobytes()
        assert single.words == batched.words


def test_it_speaks_like_the_onnx_engine(engine: TorchKokoroEngine) -> None:
    """The same pieces, nearly the same durations: lengths and word timings within a frame or
    two per token that differs."""
    onnx = KokoroEngine.load(find_voice("af_heart"), threads=1)
    for text in TEXTS:
        ours = engine.synthesize(text, SynthesisParams())
        theirs = onnx.synthesize(text, SynthesisParams())
        assert abs(len(ours.pcm) - len(theirs.pcm)) <= 3 * 600
        assert [w.text for w in ours.words] == [w.text for w in theirs.words]
        for mine, other in zip(ours.words, theirs.words, strict=True):
            assert abs(mine.start_s - other.start_s) <= 0.1
        level = np.sqrt(np.mean(ours.pcm**2)) / np.sqrt(np.mean(theirs.pcm**2))
        assert 0.7 < level < 1.3


def test_speed_and_seed(engine: TorchKokoroEngine) -> None:
    text = TEXTS[0]
    normal = engine.synthesize(text, SynthesisParams(seed=1))
    assert engine.synthesize(text, SynthesisParams(seed=2)).pcm.tobytes() == normal.pcm.tobytes()
    faster = engine.synthesize(text, SynthesisParams(length_scale=0.8))
    assert len(faster.pcm) < 0.9 * len(normal.pcm)


def test_the_identity_names_runtime_device_and_precision(engine: TorchKokoroEngine) -> None:
    assert engine.name == "torch"
    assert (engine.facts.device, engine.facts.precision) == ("cpu", "fp32")
    assert "kokoro (torch" in engine.identity and " cpu fp32 af_heart " in engine.identity
    assert assets.MODEL_SHA256 in engine.identity


def test_bfloat16_speaks_the_same_words() -> None:
    torch.set_num_threads(1)
    half = TorchKokoroEngine.load(find_voice("af_heart"), precision="bf16", threads=1)
    full = TorchKokoroEngine.load(find_voice("af_heart"), threads=1)
    ours = half.synthesize(TEXTS[1], SynthesisParams())
    theirs = full.synthesize(TEXTS[1], SynthesisParams())
    assert half.facts.precision == "bf16" and " bf16 " in half.identity
    assert ours.pcm.dtype == np.float32 and np.isfinite(ours.pcm).all()
    assert abs(len(ours.pcm) - len(theirs.pcm)) <= 3 * 600
    assert [w.text for w in ours.words] == [w.text for w in theirs.words]


def test_float16_on_the_cpu_is_near_float32_and_batch_invariant(engine: TorchKokoroEngine) -> None:
    """fp16 on the CPU rounds weights and layer outputs to float16 (`kokoro_torch.cpu_half`):
    float32's durations for nearly every token, its spectrum within LSD_FP16_DB, and an item's
    bytes whatever shares its batch."""
    half = TorchKokoroEngine.load(find_voice("af_heart"), precision="fp16", threads=1)
    assert half.facts.precision == "fp16" and " cpu fp16 " in half.identity
    params = SynthesisParams()
    alone = [half.synthesize(text, params) for text in TEXTS]
    together = half.synthesize_many([SynthesisRequest(text, params) for text in TEXTS[::-1]])
    for single, batched in zip(alone, together[::-1], strict=True):
        assert single.pcm.tobytes() == batched.pcm.tobytes()
    for text, ours in zip(TEXTS, alone, strict=True):
        full = engine.synthesize(text, params)
        assert ours.pcm.dtype == np.float32 and np.isfinite(ours.pcm).all()
        assert [w.text for w in ours.words] == [w.text for w in full.words]
        assert abs(len(ours.pcm) - len(full.pcm)) <= FP16_FRAMES_OFF * 600
        if len(ours.pcm) == len(full.pcm):
            assert log_spectral_distance(full.pcm, ours.pcm) < LSD_FP16_DB


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a CUDA device")
def test_auto_without_a_gpu_is_the_cpu_engine(engine: TorchKokoroEngine) -> None:
    auto = TorchKokoroEngine.load(find_voice("af_heart"), device="auto", threads=1)
    assert (auto.facts, auto.identity) == (engine.facts, engine.identity)
    text = TEXTS[1]
    params = SynthesisParams()
    assert (
        auto.synthesize(text, params).pcm.tobytes() == engine.synthesize(text, params).pcm.tobytes()
    )


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("precision", ["fp32", "fp16", "bf16"])
def test_on_cuda_it_speaks_like_the_cpu_engine(engine: TorchKokoroEngine, precision: str) -> None:
    gpu = TorchKokoroEngine.load(find_voice("af_heart"), device="cuda", precision=precision)
    assert gpu.facts.device.startswith("cuda-sm") and gpu.facts.precision == precision
    params = SynthesisParams()
    made = gpu.synthesize_many([SynthesisRequest(text, params) for text in TEXTS])
    for text, ours in zip(TEXTS, made, strict=True):
        reference = engine.synthesize(text, params)
        assert np.isfinite(ours.pcm).all()
        assert [w.text for w in ours.words] == [w.text for w in reference.words]
        assert abs(len(ours.pcm) - len(reference.pcm)) <= 3 * 600
        if len(ours.pcm) == len(reference.pcm):
            assert log_spectral_distance(reference.pcm, ours.pcm) < 8.0


def test_the_int8_emulation_is_batch_invariant_and_named() -> None:
    torch.set_num_threads(1)
    emulated = TorchKokoroEngine.load(find_voice("af_heart"), threads=1, int8=True)
    assert emulated.facts.precision == "fp32-int8"
    assert " cpu fp32-int8 af_heart " in emulated.identity
    params = SynthesisParams()
    alone = [emulated.synthesize(text, params) for text in TEXTS[:2]]
    together = emulated.synthesize_many([SynthesisRequest(text, params) for text in TEXTS[:2]])
    for single, batched in zip(alone, together, strict=True):
        assert single.pcm.tobytes() == batched.pcm.tobytes()
    with pytest.raises(InputError, match="fp32"):
        TorchKokoroEngine.load(find_voice("af_heart"), precision="bf16", int8=True)
