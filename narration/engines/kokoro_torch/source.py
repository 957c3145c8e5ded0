"""The generator's harmonic source and its spectra: a sine excitation from the F0 curve, its STFT
going in, and the inverse STFT coming out.

As exported, the sine source draws no noise: nine harmonics of the F0 curve (voiced where F0 >
10 Hz), their phase accumulated at the curve's rate and linearly upsampled to audio, amplitude
0.1, merged by one linear layer and tanh. The STFT (n_fft 20, hop 5, periodic Hann, reflect
padding) feeds the generator magnitude and phase; the phase is the graph's atan with its
quadrant fix (an exactly negative real part on the real axis gives -pi, not pi). The inverse is
the graph's transposed conv with the model's own basis, with its traced quirk: only the first
20 samples are divided by the window sum. Both run one item at a time on its own length, so an
item's edges never see another item's padding.
"""

from __future__ import annotations

import math
from typing import Final

import torch
from torch import nn
from torch.nn import functional

SAMPLE_RATE: Final = 24_000
HARMONICS: Final = 9
SINE_AMPLITUDE: Final = 0.1
VOICED_HZ: Final = 10.0
N_FFT: Final = 20
HOP: Final = 5
UPSAMPLE: Final = 300
"""Audio samples per F0 step: the generator's ups (10 x 6) times the iSTFT hop."""


class HarmonicSource(nn.Module):
    """F0 [L] (one item, two steps per frame) → the sine excitation's STFT [22, 60 L + 1]."""

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
        source = torch.tanh(weight @ sines + bias.unsqueeze(1)).squeeze(0)
        return stft(source)


def stft(signal: torch.Tensor) -> torch.Tensor:
    """Magnitude and phase [22, frames] of a 1-D float32 signal."""
    window = torch.hann_window(N_FFT, periodic=True, device=signal.device, dtype=signal.dtype)
    spectrum = torch.stft(
        signal,
        N_FFT,
        HOP,
        N_FFT,
        window=window,
        center=True,
        pad_mode="reflect",
        return_complex=True,
    )
    real, imag = spectrum.real, spectrum.imag
    magnitude = torch.sqrt(real * real + imag * imag)
    # A bin with no energy at all (0 / 0) has phase 0, as atan2 gives it.
    angle = torch.atan(torch.nan_to_num(imag / real, nan=0.0))
    turned = torch.where(imag > 0, angle + math.pi, angle - math.pi)
    phase = torch.where(real < 0, turned, angle)
    return torch.cat([magnitude, phase], dim=0)


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
