"""Our forward STFT against onnxruntime's STFT node: the same float32 bytes, rounding noise and
all, since the phase of that noise in a constant stretch is what Kokoro's generator hears there.
No Kokoro model needed: the node is built here with a Hann window."""

from __future__ import annotations

import numpy as np
import onnxruntime
import torch
from onnx import TensorProto, helper, numpy_helper

from narration.engines.kokoro_torch.stft import HOP, N_FFT, ForwardStft, chirp_z

WINDOW = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)).astype(np.float32)


def _onnxruntime_stft(signal: np.ndarray) -> np.ndarray:
    """[frames, 11, 2] from one STFT node (frame step 5, the window, frame length 20)."""
    constants = {
        "step": numpy_helper.from_array(np.array(HOP, dtype=np.int64)),
        "window": numpy_helper.from_array(WINDOW),
        "length": numpy_helper.from_array(np.array(N_FFT, dtype=np.int64)),
    }
    nodes = [
        helper.make_node("Constant", [], [name], value=value) for name, value in constants.items()
    ]
    nodes.append(helper.make_node("STFT", ["x", "step", "window", "length"], ["y"], onesided=1))
    graph = helper.make_graph(
        nodes,
        "stft",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, None, 1])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    session = onnxruntime.InferenceSession(model.SerializeToString())
    return session.run(["y"], {"x": signal.reshape(1, -1, 1)})[0][0]


def _signal() -> np.ndarray:
    """A constant stretch (an unvoiced source: tanh of the merge layer's bias), then noise."""
    constant = np.full(400, np.tanh(np.float32(-0.0294503)), np.float32)
    noise = np.random.default_rng(3).standard_normal(3000).astype(np.float32) * 0.1
    return np.concatenate([constant, noise])


def test_the_dft_is_onnxruntimes_to_the_bit() -> None:
    signal = _signal()
    reference = _onnxruntime_stft(signal)
    frames = torch.from_numpy(signal).unfold(0, N_FFT, HOP)
    real, imag = chirp_z(frames * torch.from_numpy(WINDOW))
    assert np.array_equal(real.numpy(), reference[..., 0])
    assert np.array_equal(imag.numpy(), reference[..., 1])


def test_a_constant_stretch_keeps_onnxruntimes_noise_phase() -> None:
    """Above bin 1 a constant frame's spectrum is rounding noise; torch.stft's noise has other
    phases, which the generator turned into 1.5 dB less loudness."""
    signal = _signal()
    stft = ForwardStft()
    stft.window.copy_(torch.from_numpy(WINDOW))
    ours = stft(torch.from_numpy(signal))
    padded = np.pad(signal, N_FFT // 2, mode="reflect")
    reference = _onnxruntime_stft(padded)
    real, imag = reference[..., 0].T, reference[..., 1].T
    constant = slice(3, 70)  # frames wholly inside the constant stretch
    assert np.abs(reference[constant, 2:]).max() < 1e-6
    phase = np.arctan2(imag, real)
    assert np.allclose(ours[13:, constant].numpy(), phase[2:, constant], atol=1e-5)
    assert np.allclose(ours[:11].numpy(), np.hypot(real, imag), rtol=1e-6, atol=1e-9)
