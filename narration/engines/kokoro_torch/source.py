"""The generator's harmonic source and its way out: a sine excitation from the F0 curve (its STFT
going in is `kokoro_torch.stft`'s), and the inverse STFT coming out.

As exported, the sine source draws no noise: nine harmonics of the F0 curve (voiced where F0 >
10 Hz), their phase accumulated at the curve's rate and linearly upsampled to audio, amplitude
0.1, merged by one linear layer and tanh. The inverse STFT is the graph's transposed conv with
the model's own basis, with its traced quirk: only the first 20 samples are divided by the
window sum. Both run one item at a time on its own length, so an item's edges never see another
item's padding.
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np
import torch
from torch import nn
from torch.nn import functional

from narration.engines.kokoro_torch.stft import HOP, N_FFT

SAMPLE_RATE: Final = 24_000
HARMONICS: Final = 9
SINE_AMPLITUDE: Final = 0.1
VOICED_HZ: Final = 10.0
UPSAMPLE: Final = 300
"""Audio samples per F0 step: the generator's ups (10 x 6) times the iSTFT hop."""
TANH_ODD: Final = tuple(
    float(np.float32(value))
    for value in (
        -2.76076847742355e-16,
        2.00018790482477e-13,
        -8.60467152213735e-11,
        5.12229709037114e-08,
        1.48572235717979e-05,
        6.37261928875436e-04,
        4.89352455891786e-03,
    )
)
"""The numerator's coefficients (x^13 … x^1), as float32, of `graph_tanh`."""
TANH_EVEN: Final = tuple(
    float(np.float32(value))
    for value in (
        1.19825839466702e-06,
        1.18534705686654e-04,
        2.26843463243900e-03,
        4.89352518554385e-03,
    )
)
"""The denominator's (x^6 … x^0)."""


class HarmonicSource(nn.Module):
    """F0 [L] (one item, two steps per frame) → the sine excitation [300 L] (`ForwardStft`
    turns it into what the generator reads)."""

    def __init__(self) -> None:
        super().__init__()
        self.l_linear = nn.Linear(HARMONICS, 1)

    def forward(self, f0: torch.Tensor) -> torch.Tensor:
        f0 = f0.float()
        harmonics = torch.arange(1, HARMONICS + 1, device=f0.device, dtype=f0.dtype)
        cycles = f0.unsqueeze(0) * harmonics.unsqueeze(1) / SAMPLE_RATE
        rad = cycles - torch.floor(cycles)
        phase = torch.cumsum(rad, dim=-1) * 2 * math.pi * UPSAMPLE
        phase = functional.interpolate(
            phase.unsqueeze(0), scale_factor=float(UPSAMPLE), mode="linear", align_corners=False
        ).squeeze(0)
        voiced = (torch.repeat_interleave(f0, UPSAMPLE) > VOICED_HZ).to(f0.dtype)
        sines = torch.sin(phase) * SINE_AMPLITUDE * voiced
        weight, bias = self.l_linear.weight.float(), self.l_linear.bias.float()
        return graph_tanh(weight @ sines + bias.unsqueeze(1)).squeeze(0)


def graph_tanh(x: torch.Tensor) -> torch.Tensor:
    """tanh as the graph's Tanh node computes it on the CPU (onnxruntime's MLAS kernel: Eigen's
    rational approximation, clamped to ±9, each step a fused multiply-add, emulated here in
    float64 and rounded once). torch.tanh differs from it in the last bit for most inputs, and
    where F0 is unvoiced the source is tanh of the merge layer's bias alone: that constant's last
    bit decides the rounding noise, and so the phase, of its spectrum above bin 1."""
    x = x.float().clamp(-9.0, 9.0)
    squared = (x * x).double()
    return _horner(squared, TANH_ODD) * x / _horner(squared, TANH_EVEN)


def _horner(squared: torch.Tensor, coefficients: tuple[float, ...]) -> torch.Tensor:
    """The polynomial in x^2, each step one fused multiply-add rounded to float32."""
    total = torch.full_like(squared, coefficients[0])
    for coefficient in coefficients[1:]:
        total = (total * squared + coefficient).float().double()
    return total.float()


class InverseStft(nn.Module):
    """Log-magnitude and phase logits [B, 22, L] → audio [B, 5 (L - 1)]."""

    def __init__(self) -> None:
        super().__init__()
        self.inverse_basis = nn.Parameter(torch.zeros(N_FFT + 2, 1, N_FFT), requires_grad=False)
        self.window_sum = nn.Parameter(torch.zeros(N_FFT), requires_grad=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.float()
        bins = N_FFT // 2 + 1
        magnitude, phase = torch.exp(x[:, :bins]), torch.sin(x[:, bins:])
        spectrum = torch.cat([magnitude * torch.cos(phase), magnitude * torch.sin(phase)], dim=1)
        audio = functional.conv_transpose1d(spectrum, self.inverse_basis.float(), stride=HOP)
        audio = audio.squeeze(1)
        head = self.window_sum.float()
        divided = torch.where(head > 1e-11, audio[:, :N_FFT] / head, audio[:, :N_FFT])
        audio = torch.cat([divided, audio[:, N_FFT:]], dim=1) * (N_FFT / HOP)
        return audio[:, N_FFT // 2 : -(N_FFT // 2)]
