"""The torch engine against the piper engine, on the real voice: same speech under the same noise,
batches that change nothing, and voices it cannot map refused."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import numpy as np
import onnx
import pytest
import torch

from narration.engines.piper import PiperEngine
from narration.engines.torch_vits import (
    FRAME_BUCKETS,
    PHONEME_BUCKETS,
    TorchVitsEngine,
    bucket,
    check_options,
)
from narration.engines.voices import config_path_for, default_voice, read_voice
from narration.errors import InputError
from narration.pipeline.engine import Synthesis, SynthesisParams, SynthesisRequest
from narration.pipeline.plan import PlannedChunk
from narration.pipeline.prosody import initial_state, params_for
from narration.pipeline.render import engine_text, key_for, seed_for, speak_chunk

TEXTS = [
    "The river ran brown after the rain, and the ferry waited at the landing.",
    "Yes.",
    "Dr. Smith paid $42.50 for it in 1999; of the U.S. ones, to be or not to be.",
    "When the bell rang, the cars rolled aboard one by one. The deck settled lower!",
]
PARAMS = [
    SynthesisParams(seed=11),
    SynthesisParams(seed=12, length_scale=1.2),
    SynthesisParams(seed=13, noise_scale=0.5, noise_w_scale=0.6),
    SynthesisParams(seed=2**40 + 7, length_scale=0.9),
]

HELD_OUT = [
    "The licenses for most software and other practical works are designed to take away your "
    "freedom to share and change the works.",
    "Developers that use the GNU GPL protect your rights with two steps: assert copyright on the "
    "software, and offer you this License giving you legal permission to copy, distribute and/or "
    "modify it.",
    "Mere interaction with a user through a computer network, with no transfer of a copy, is not "
    "conveying.",
]
"""Sentences of the GPL-3 (/usr/share/common-licenses/GPL-3), text no engine was tuned on."""
RUNTIME_SNR_DB = 60.0
"""Between the runtimes' renders of a chunk. Floating-point error alone measured 93-100 dB here;
on the engines' output (85-88 dB on the stored 16-bit WAV); 60 dB leaves room for another CPU's
rounding, while any difference in the noise drawn changes the durations or the waveform outright."""


@pytest.fixture(scope="module")
def piper() -> PiperEngine:
    return PiperEngine.load(default_voice(), threads=1)


@pytest.fixture(scope="module")
def engine() -> TorchVitsEngine:
    return TorchVitsEngine.load(default_voice(), threads=1, max_batch=8)


@pytest.fixture(scope="module")
def singles(engine: TorchVitsEngine) -> list[Synthesis]:
    return [engine.synthesize(t, p) for t, p in zip(TEXTS, PARAMS, strict=True)]


def snr_db(reference: np.ndarray, other: np.ndarray) -> float:
    noise = float(((reference - other).astype(np.float64) ** 2).sum())
    return 10 * np.log10(float((reference.astype(np.float64) ** 2).sum()) / max(noise, 1e-30))


def timings(synthesis: Synthesis) -> list[tuple[str, float, float]]:
    return [(w.text, w.start_s, w.end_s) for w in synthesis.words]


@pytest.mark.parametrize("case", range(len(TEXTS)))
def test_same_speech_as_the_piper_engine(
    piper: PiperEngine, engine: TorchVitsEngine, case: int
) -> None:
    reference = piper.synthesize(TEXTS[case], PARAMS[case])
    made = engine.synthesize(TEXTS[case], PARAMS[case])
    # Identical durations: the same length to the sample and every word at the same sample.
    assert len(made.pcm) == len(reference.pcm)
    assert timings(made) == timings(reference)
    assert np.abs(made.pcm - reference.pcm).max() <= 2e-4
    assert snr_db(reference.pcm, made.pcm) >= 80.0


@pytest.mark.parametrize("case", range(len(HELD_OUT)))
def test_a_chunk_sounds_the_same_on_either_runtime(
    piper: PiperEngine, engine: TorchVitsEngine, case: int
) -> None:
    """One seed per chunk whatever the runtime: the same token durations, the same speech."""
    state = initial_state(default_voice().name, user_seed=7 + case)
    chunk = PlannedChunk(case, 0, case, 0, HELD_OUT[case], "sentence")
    assert seed_for(piper, chunk, state) == seed_for(engine, chunk, state)
    assert key_for(piper, chunk, state) != key_for(engine, chunk, state)
    params = params_for(state, seed_for(piper, chunk, state))
    sentences = piper.text.sentences(engine_text(chunk, piper.prepare_text))
    items = [engine._item(sentence, params) for sentence in sentences]
    config = piper.text.config
    length = config.length_scale if params.length_scale is None else params.length_scale
    scales = np.array([config.noise_scale, length, config.noise_w_scale], dtype=np.float32)
    stretch = max(1.0, length / config.length_scale)
    for sentence, made in zip(sentences, engine.run(items), strict=True):
        reference = piper._infer(sentence.ids, scales, params.seed, sentence.index, stretch)
        assert made.durations is not None and reference.durations is not None
        assert made.durations.tolist() == reference.durations.tolist()
    onnx_chunk, torch_chunk = speak_chunk(piper, chunk, state), speak_chunk(engine, chunk, state)
    assert torch_chunk.meta["words"] == onnx_chunk.meta["words"]
    assert len(torch_chunk.speech) == len(onnx_chunk.speech)
    assert snr_db(onnx_chunk.speech, torch_chunk.speech) >= RUNTIME_SNR_DB


def test_a_batch_gives_what_one_by_one_gives(
    engine: TorchVitsEngine, singles: list[Synthesis]
) -> None:
    batch = engine.synthesize_many(
        [SynthesisRequest(t, p) for t, p in zip(TEXTS, PARAMS, strict=True)]
    )
    for single, batched in zip(singles, batch, strict=True):
        assert len(batched.pcm) == len(single.pcm)
        assert np.abs(batched.pcm - single.pcm).max() <= 1e-4
        # On the CPU the item's bytes do not depend on its batch at all.
        assert batched.pcm.tobytes() == single.pcm.tobytes()
        assert timings(batched) == timings(single)


def test_an_item_does_not_depend_on_what_shares_its_batch(
    engine: TorchVitsEngine, singles: list[Synthesis]
) -> None:
    text, params = TEXTS[3], PARAMS[3]
    alone = singles[3].pcm.tobytes()
    fillers = [
        SynthesisRequest("The gulls rose.", SynthesisParams(seed=5)),
        SynthesisRequest("The ferry left at noon, and the deck settled lower.", SynthesisParams()),
    ]
    request = SynthesisRequest(text, params)
    for batch in ([*fillers, request], [request, fillers[1]]):
        made = engine.synthesize_many(batch)
        assert made[batch.index(request)].pcm.tobytes() == alone


def test_a_fresh_engine_gives_the_same_bytes(engine: TorchVitsEngine) -> None:
    fresh = TorchVitsEngine.load(default_voice(), threads=1, max_batch=2)
    fresh.synthesize(TEXTS[1], PARAMS[1])
    assert fresh.synthesize(TEXTS[0], PARAMS[0]).pcm.tobytes() == (
        engine.synthesize(TEXTS[0], PARAMS[0]).pcm.tobytes()
    )
    assert fresh.identity == engine.identity


def test_identity_and_facts_name_engine_device_and_precision(engine: TorchVitsEngine) -> None:
    assert engine.identity.startswith(f"torch (torch {torch.__version__}")
    assert " cpu fp32 en_US-joe-medium " in engine.identity
    assert (engine.facts.name, engine.facts.device, engine.facts.precision) == (
        "torch",
        "cpu",
        "fp32",
    )


def test_a_half_precision_decoder_keeps_the_durations(engine: TorchVitsEngine) -> None:
    """The front end stays float32, so only the decoder's rounding changes the audio."""
    half = TorchVitsEngine.load(default_voice(), precision="bf16", threads=1)
    full = engine.synthesize(TEXTS[0], PARAMS[0])
    made = half.synthesize(TEXTS[0], PARAMS[0])
    assert " cpu bf16 " in half.identity and half.identity != engine.identity
    assert timings(made) == timings(full)
    assert made.pcm.tobytes() != full.pcm.tobytes()
    assert snr_db(full.pcm, made.pcm) >= 20.0


def test_empty_text_gives_no_audio(engine: TorchVitsEngine) -> None:
    made = engine.synthesize_many(
        [SynthesisRequest("", SynthesisParams()), SynthesisRequest("...", SynthesisParams())]
    )
    assert [len(m.pcm) for m in made] == [0, 0]


def test_buckets_depend_on_the_length_alone() -> None:
    assert bucket(1, PHONEME_BUCKETS) == PHONEME_BUCKETS[0]
    assert bucket(PHONEME_BUCKETS[3], PHONEME_BUCKETS) == PHONEME_BUCKETS[3]
    assert bucket(PHONEME_BUCKETS[3] + 1, PHONEME_BUCKETS) == PHONEME_BUCKETS[4]
    top = FRAME_BUCKETS[-1]
    assert bucket(top + 1, FRAME_BUCKETS) == top + top // 4
    assert all(b > a for a, b in itertools.pairwise(FRAME_BUCKETS))


@pytest.mark.parametrize(
    ("device", "precision", "batch", "message"),
    [
        ("mps", "fp32", 4, "unsupported device"),
        ("cpu", "fp8", 4, "precision must be one of"),
        ("cpu", "fp32", 0, "at least 1"),
        ("not a device", "fp32", 4, "unknown device"),
    ],
)
def test_bad_options_are_refused(device: str, precision: str, batch: int, message: str) -> None:
    with pytest.raises(InputError, match=message):
        check_options(device, precision, batch)


def test_auto_picks_a_gpu_when_one_is_visible() -> None:
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert check_options("auto", "fp32", 4) == torch.device(expected)


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a CUDA device")
def test_auto_without_a_gpu_is_the_cpu_engine(engine: TorchVitsEngine) -> None:
    auto = TorchVitsEngine.load(default_voice(), device="auto", threads=1, max_batch=2)
    assert (auto.facts, auto.identity) == (engine.facts, engine.identity)
    assert auto.synthesize(TEXTS[1], PARAMS[1]).pcm.tobytes() == (
        engine.synthesize(TEXTS[1], PARAMS[1]).pcm.tobytes()
    )


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a CUDA device")
def test_cuda_without_a_gpu_is_refused() -> None:
    with pytest.raises(InputError, match="no CUDA device"):
        check_options("cuda:0", "fp16", 16)


def _doctored(tmp_path: Path, rename: dict[str, str]) -> Path:
    """A copy of the bundled voice with some tensors renamed, as another exporter might."""
    voice = default_voice()
    model = onnx.load(voice.path)
    for tensor in model.graph.initializer:
        tensor.name = rename.get(tensor.name, tensor.name)
    for node in model.graph.node:
        node.input[:] = [rename.get(name, name) for name in node.input]
    path = tmp_path / "doctored.onnx"
    onnx.save(model, str(path))
    shutil.copy(config_path_for(Path(voice.path)), config_path_for(path))
    return path


@pytest.mark.parametrize(
    ("rename", "message"),
    [
        ({"dec.resblocks.4.convs.1.weight": "dec.resblocks.4.convs1.1.weight"}, "type 1"),
        ({"enc_p.encoder.attn_layers.2.emb_rel_k": "rel_k_2"}, "attn_layers.2.emb_rel_k"),
        ({"dp.flows.0.m": "dp_flow_mean"}, "missing dp.flows.0.m"),
    ],
    ids=["high-quality decoder", "unnamed tensor", "missing tensor"],
)
def test_a_voice_it_cannot_map_is_refused(
    tmp_path: Path, rename: dict[str, str], message: str
) -> None:
    voice = read_voice(_doctored(tmp_path, rename))
    with pytest.raises(InputError, match=message) as refused:
        TorchVitsEngine.load(voice)
    assert "use --engine piper" in str(refused.value)


def test_a_multi_speaker_voice_is_refused(tmp_path: Path) -> None:
    path = _doctored(tmp_path, {})
    config = config_path_for(path)
    config.write_text(config.read_text().replace('"num_speakers": 1', '"num_speakers": 4'))
    with pytest.raises(InputError, match="several speakers"):
        TorchVitsEngine.load(read_voice(path))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("precision", ["fp32", "fp16", "bf16"])
def test_on_cuda_the_same_speech_as_the_piper_engine(piper: PiperEngine, precision: str) -> None:
    gpu = TorchVitsEngine.load(default_voice(), device="cuda", precision=precision)
    reference = piper.synthesize(TEXTS[0], PARAMS[0])
    made = gpu.synthesize(TEXTS[0], PARAMS[0])
    assert timings(made) == timings(reference)
    assert snr_db(reference.pcm, made.pcm) >= (80.0 if precision == "fp32" else 20.0)
