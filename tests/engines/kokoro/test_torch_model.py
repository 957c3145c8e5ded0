"""Our PyTorch Kokoro against the int8 ONNX graph it is read from, stage by stage.

The graph quantises activations to 8 bits on the fly, our model runs the dequantised weights in
float32, so stages agree to a signal-to-noise ratio, not bit for bit; the durations, the one
discrete decision, agree for nearly every token.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import onnx
import onnxruntime
import pytest
import torch

from narration.engines.kokoro import assets
from narration.engines.kokoro.g2p import KokoroG2P
from narration.engines.kokoro.session import KokoroSession, read_style
from narration.engines.kokoro.tokens import pieces
from narration.engines.kokoro.vocab import PAD_ID, token_ids
from narration.engines.kokoro_torch.model import KokoroModel
from tests.helpers import log_spectral_distance

pytestmark = pytest.mark.skipif(
    not assets.model_path().is_file(), reason="Kokoro is not installed: narrate voices install"
)
TEXTS = (
    "The quick brown fox jumps over the lazy dog.",
    "In 1865, she wrote three letters to her brother; none of them arrived.",
    "Would you like some tea?",
)
STAGES = {
    "frames": "/encoder/Clip_output_0",
    "f0": "/encoder/Reshape_output_0",
    "energy": "/encoder/Reshape_1_output_0",
    "asr": "/encoder/MatMul_1_output_0",
    "spectrum": "/decoder/decoder/generator/Concat_3_output_0",
}


@pytest.fixture(scope="module")
def model() -> KokoroModel:
    torch.set_num_threads(1)
    return KokoroModel.load(assets.model_path())


@pytest.fixture(scope="module")
def graph() -> onnxruntime.InferenceSession:
    """The onnxruntime graph with its intermediate tensors as outputs."""
    proto = onnx.load(str(assets.model_path()))
    for name in STAGES.values():
        proto.graph.output.append(
            onnx.helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, None)
        )
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    return onnxruntime.InferenceSession(proto.SerializeToString(), options)


def _inputs(text: str, voice: str) -> tuple[list[int], np.ndarray]:
    ids = token_ids(next(iter(pieces(KokoroG2P("en-us").phonemes(text)))))
    style = read_style(assets.kokoro_dir() / "voices" / f"{voice}.bin")[len(ids) - 1]
    return [PAD_ID, *ids, PAD_ID], style


def snr_db(reference: np.ndarray, ours: np.ndarray) -> float:
    error = ours.astype(np.float64) - reference
    return float(10 * np.log10(np.sum(reference.astype(np.float64) ** 2) / np.sum(error**2)))


def test_token_durations_match_onnxruntime(model: KokoroModel) -> None:
    session = KokoroSession(assets.model_path(), threads=1)
    same = total = 0
    for voice in ("af_heart", "am_michael"):
        for text in TEXTS:
            ids, style = _inputs(text, voice)
            _, samples = session.run(ids[1:-1], style, 1.0)
            with torch.no_grad():
                features = model.durations(
                    torch.tensor([ids]),
                    torch.tensor([len(ids)]),
                    torch.from_numpy(style).view(1, -1),
                    torch.tensor([1.0]),
                )
            ours = features.frames[0].numpy() * 600
            same += int((ours == samples).sum())
            total += len(samples)
            assert np.abs(ours - samples).max() <= 600, "a token is off by more than one frame"
    assert same / total >= 0.95


def test_each_stage_matches_the_graph_given_its_durations(
    model: KokoroModel, graph: onnxruntime.InferenceSession
) -> None:
    ids, style = _inputs(TEXTS[1], "af_heart")
    feeds = {
        "tokens": np.array([ids], dtype=np.int64),
        "style": style.reshape(1, -1),
        "speed": np.array([1.0], dtype=np.float32),
    }
    outputs = graph.run(["audio", *STAGES.values()], feeds)
    reference = dict(zip(["audio", *STAGES], outputs, strict=True))
    style_t = torch.from_numpy(style).view(1, -1)
    with torch.no_grad():
        features = model.durations(
            torch.tensor([ids]), torch.tensor([len(ids)]), style_t, torch.tensor([1.0])
        )
        frames = torch.from_numpy(reference["frames"].astype(np.int64)).view(1, -1)
        forced = dataclasses.replace(features, frames=frames)
        total = int(frames.sum())
        ends = torch.cumsum(frames, 1)
        steps = torch.arange(total).view(1, 1, -1)
        starts = (ends - frames).unsqueeze(-1)
        alignment = ((steps >= starts) & (steps < ends.unsqueeze(-1))).float()
        f0, energy = model.predictor.curves(
            features.prosody.transpose(1, 2) @ alignment, style_t[:, 128:], torch.tensor([total])
        )
        asr = features.acoustic @ alignment
        audio, counts = model.render(forced, style_t, total)
    assert counts == [total]
    assert snr_db(reference["f0"].ravel(), f0.numpy().ravel()) > 35
    assert snr_db(reference["energy"].ravel(), energy.numpy().ravel()) > 35
    assert snr_db(reference["asr"].ravel(), asr.numpy().ravel()) > 35
    # The waveform cannot match sample for sample: an F0 a fraction of a hertz off drifts the
    # sine source's phase over a voiced stretch. Its spectrum over time matches.
    assert audio.shape[-1] == reference["audio"].size
    assert log_spectral_distance(reference["audio"].ravel(), audio.numpy().ravel()) < 8.0
    # The harmonic source's spectrum from the graph's F0: where the source is unvoiced (a
    # constant) its bins above 1 are rounding noise, and their phase must be the graph's own
    # (to the atan's last bits; torch.stft's noise had phases radians away).
    generator = model.decoder.generator
    with torch.no_grad():
        spectrum = generator.stft(generator.m_source(torch.from_numpy(reference["f0"]).view(-1)))
    graph_spectrum = reference["spectrum"][0]
    unvoiced = np.abs(graph_spectrum[2:11]).max(0) < 1e-6
    assert unvoiced.mean() > 0.1
    assert np.allclose(
        spectrum[13:, unvoiced].numpy(), graph_spectrum[13:, unvoiced], rtol=0, atol=2e-6
    )
    # And so the loud frames are as loud as the graph's (1.7 dB quieter with torch.stft's noise).
    assert (
        abs(loud_level_db(audio.numpy().ravel()) - loud_level_db(reference["audio"].ravel())) < 0.5
    )


def loud_level_db(audio: np.ndarray, frame: int = 1200) -> float:
    """Mean dB of the loudest tenth of the 50 ms frames."""
    frames = audio[: audio.size // frame * frame].astype(np.float64).reshape(-1, frame)
    levels = np.sort(10 * np.log10((frames**2).mean(1) + 1e-12))
    return float(levels[-max(1, levels.size // 10) :].mean())
