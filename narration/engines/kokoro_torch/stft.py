"""The generator's forward STFT, computed as onnxruntime's CPU kernel computes it, to the bit.

Where F0 is unvoiced the harmonic source is one constant, whose windowed spectrum is zero above
bin 1 but for rounding. The phase of that rounding noise (anywhere in ±pi, not small) is what the
generator reads in those bins, and it moves the rendered loudness: with torch's own STFT the loud
frames came out about 1.5 dB quieter than the graph's. So the rounding has to be the graph's.
onnxruntime takes the 20-point DFT by Bluestein's chirp-z transform: the frame times the window
times a chirp, a 64-point radix-2 FFT of it, times the cached FFT of the conjugate chirp, the
inverse FFT (run with the forward twiddles, so read back reversed) divided by 64, times the chirp.
All in float32, each complex product as (ac - bd, ad + bc), the twiddles from the C library's
`cosf` and `sinf`. Each step here is the same float32 operation on the same operands in the same
pairing, so the spectrum is the graph's bit for bit; only the twiddles come from the CPU (once),
the rest is elementwise on any device.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import torch
from torch import nn
from torch.nn import functional

N_FFT: Final = 20
HOP: Final = 5
BINS: Final = N_FFT // 2 + 1
SIZE: Final = 64
"""Bluestein's FFT length: the first power of two of at least 2 x 20 - 1."""
BITS: Final = 6

Complex = tuple[torch.Tensor, torch.Tensor]


class ForwardStft(nn.Module):
    """A 1-D float32 signal → magnitude and phase [22, frames]: n_fft 20, hop 5, the graph's
    window, reflect padding; the phase is the graph's atan with its quadrant fix (an exactly
    negative real part on the real axis gives -pi, not pi; 0 / 0 gives 0)."""

    def __init__(self) -> None:
        super().__init__()
        self.window = nn.Parameter(torch.zeros(N_FFT), requires_grad=False)

    def forward(self, signal: torch.Tensor) -> torch.Tensor:
        edge = N_FFT // 2
        padded = functional.pad(signal.float().view(1, 1, -1), (edge, edge), mode="reflect")
        frames = padded.view(-1).unfold(0, N_FFT, HOP)
        real, imag = (part.T for part in chirp_z(frames * self.window.float()))
        magnitude = torch.sqrt(real * real + imag * imag)
        angle = torch.atan(torch.nan_to_num(imag / real, nan=0.0))
        turned = torch.where(imag > 0, angle + math.pi, angle - math.pi)
        phase = torch.where(real < 0, turned, angle)
        return torch.cat([magnitude, phase], dim=0)


def chirp_z(windowed: torch.Tensor) -> Complex:
    """The one-sided DFT [frames, 11] (real and imaginary parts) of windowed frames [frames, 20]."""
    plan = _plan(windowed.device)
    chirp_re, chirp_im = plan.chirp
    padded = functional.pad(windowed, (0, SIZE - N_FFT))
    spectrum = _fft(
        (
            padded * functional.pad(chirp_re, (0, SIZE - N_FFT)),
            padded * functional.pad(chirp_im, (0, SIZE - N_FFT)),
        ),
        plan,
    )
    convolved = _fft(_multiply(spectrum, plan.kernel), plan)
    reversed_ = [0, *range(SIZE - 1, SIZE - BINS, -1)]
    out = (convolved[0][:, reversed_] / SIZE, convolved[1][:, reversed_] / SIZE)
    return _multiply(out, (chirp_re[:BINS], chirp_im[:BINS]))


@dataclass(frozen=True)
class _Plan:
    """What onnxruntime computes once per STFT: twiddles, the chirp, the kernel's FFT."""

    order: torch.Tensor
    """The bit-reversed order the FFT reads its input in."""
    stages: Sequence[tuple[torch.Tensor, torch.Tensor, Complex, Complex]]
    """Per butterfly stage: even and odd indices and each pair's two twiddles."""
    chirp: Complex
    kernel: Complex


def _multiply(a: Complex, b: Complex) -> Complex:
    return a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]


def _fft(x: Complex, plan: _Plan) -> Complex:
    """onnxruntime's radix-2 FFT of [frames, 64], forward twiddles (unnormalised)."""
    real, imag = x[0][:, plan.order], x[1][:, plan.order]
    for even, odd, first, second in plan.stages:
        top = (real[:, even], imag[:, even])
        bottom = (real[:, odd], imag[:, odd])
        up, down = _multiply(first, bottom), _multiply(second, bottom)
        real, imag = real.clone(), imag.clone()
        real[:, even], imag[:, even] = top[0] + up[0], top[1] + up[1]
        real[:, odd], imag[:, odd] = top[0] + down[0], top[1] + down[1]
    return real, imag


@functools.cache
def _plan(device: torch.device) -> _Plan:
    cos_sin = _c_library_cos_sin()
    pi = np.float32(math.pi)
    step = np.float32(np.float32(-2 * pi) / np.float32(SIZE))
    twiddles = np.zeros((SIZE, 2), np.float32)
    for index in range(SIZE):
        twiddles[_reverse(index, BITS)] = cos_sin(np.float32(np.float32(index) * step))
    stages = []
    width, bits = 2, 0
    while width <= SIZE:
        half, bits = width // 2, bits + 1
        pairs = [(k, j) for k in range(half) for j in range(0, SIZE, width)]
        first = twiddles[[_reverse(k, bits) for k, _ in pairs]]
        second = twiddles[[_reverse(half + k, bits) for k, _ in pairs]]
        stages.append(
            (
                torch.tensor([k + j for k, j in pairs], device=device),
                torch.tensor([k + j + half for k, j in pairs], device=device),
                _tensors(first, device),
                _tensors(second, device),
            )
        )
        width *= 2
    chirp = np.array(
        [
            cos_sin(np.float32(-pi * np.float32(n) * np.float32(n) / np.float32(N_FFT)))
            for n in range(N_FFT)
        ],
        np.float32,
    )
    kernel = np.zeros((SIZE, 2), np.float32)
    kernel[:N_FFT] = chirp * np.array([1, -1], np.float32)  # the chirp's conjugate
    kernel[SIZE - N_FFT + 1 :] = kernel[1:N_FFT][::-1]
    order = torch.tensor([_reverse(index, BITS) for index in range(SIZE)], device=device)
    partial = _Plan(order, stages, _tensors(chirp, device), _tensors(kernel, device))
    transformed = _fft((partial.kernel[0].unsqueeze(0), partial.kernel[1].unsqueeze(0)), partial)
    return _Plan(order, stages, partial.chirp, (transformed[0][0], transformed[1][0]))


def _tensors(pairs: np.ndarray, device: torch.device) -> Complex:
    real, imag = (torch.from_numpy(pairs[:, part].copy()).to(device) for part in (0, 1))
    return real, imag


def _reverse(value: int, bits: int) -> int:
    return int(f"{value:0{bits}b}"[::-1], 2) if bits else 0


def _c_library_cos_sin() -> Callable[[np.float32], tuple[np.float32, np.float32]]:
    """float32 angle → (cosf, sinf) as float32: the C library's, as onnxruntime's kernel calls
    them (Python's own `math.cos` is the double one, which rounds differently for some angles)."""
    library = ctypes.CDLL(ctypes.util.find_library("m"))
    functions = []
    for name in ("cosf", "sinf"):
        function = getattr(library, name)
        function.restype, function.argtypes = ctypes.c_float, [ctypes.c_float]
        functions.append(function)
    cos, sin = functions

    def cos_sin(angle: np.float32) -> tuple[np.float32, np.float32]:
        return np.float32(cos(float(angle))), np.float32(sin(float(angle)))

    return cos_sin
