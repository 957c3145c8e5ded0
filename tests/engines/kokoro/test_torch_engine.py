"""Kokoro on the torch engine, on the CPU: batch-invariant bytes, the onnx engine's timings and
lengths, precisions, and an identity that names runtime, device and precision."""

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

pytestmark = [
    pytest.mark.integration,  # whole-model renders, tens of seconds each: the full tier
    pytest.mark.skipif(
        not assets.model_path().is_file(), reason="Kokoro is not installed: narrate voices install"
    ),
]
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
