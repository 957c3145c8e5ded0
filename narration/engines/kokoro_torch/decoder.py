"""Kokoro's decoder: StyleTTS's AdaIN residual stack, then the iSTFTNet generator.

The stack turns the aligned text features and the F0 and N curves into 512 channels at two
steps per frame; the generator upsamples them 10 x then 6 x, adding at each rate the harmonic
source's spectrum through a strided conv and a residual block, averages three residual blocks
(kernels 3, 7, 11) per rate, and ends in 11 log-magnitudes and 11 phases per hop of 5 samples.
Lengths: F frames → 2F curve steps → 20F → 120F + 1 spectra → 600F samples (25 ms a frame).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn
from torch.nn import functional

from narration.engines.kokoro_torch.layers import AdainResBlk1d, SnakeResBlock
from narration.engines.kokoro_torch.source import HarmonicSource, InverseStft
from narration.engines.kokoro_torch.stft import ForwardStft

STYLE: int = 128
UPSAMPLES: tuple[int, int] = (10, 6)


class Generator(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.m_source = HarmonicSource()
        self.stft = ForwardStft()
        self.noise_convs = nn.ModuleList(
            [nn.Conv1d(22, 256, 12, stride=6, padding=3), nn.Conv1d(22, 128, 1)]
        )
        self.noise_res = nn.ModuleList(
            [SnakeResBlock(256, 7, STYLE), SnakeResBlock(128, 11, STYLE)]
        )
        self.ups = nn.ModuleList(
            [
                nn.ConvTranspose1d(512, 256, 20, 10, padding=5),
                nn.ConvTranspose1d(256, 128, 12, 6, padding=3),
            ]
        )
        self.resblocks = nn.ModuleList(
            SnakeResBlock(channels, kernel, STYLE)
            for channels in (256, 128)
            for kernel in (3, 7, 11)
        )
        self.conv_post = nn.Conv1d(128, 22, 7, padding=3)
        self.istft = InverseStft()

    def forward(
        self, x: torch.Tensor, style: torch.Tensor, f0: torch.Tensor, steps: Sequence[int]
    ) -> torch.Tensor:
        """`x` [B, 512, 2F], `f0` [B, 2F], `steps` each item's real curve steps; audio
        [B, 600F] out."""
        harmonics = torch.zeros(x.shape[0], 22, 60 * x.shape[-1] + 1, device=x.device)
        for row, length in enumerate(steps):
            spectrum = self.stft(self.m_source(f0[row, :length]))
            harmonics[row, :, : spectrum.shape[-1]] = spectrum
        harmonics = harmonics.to(x.dtype)
        lengths, size = list(steps), x.shape[-1]
        mask = _mask(lengths, size, x)
        for rate, (up, factor) in enumerate(zip(self.ups, UPSAMPLES, strict=True)):
            x = functional.leaky_relu(x, 0.1)
            # The last rate gains one step: the reflection pad that lines it up with the STFT.
            extra = int(rate == len(self.ups) - 1)
            lengths, size = [factor * n + extra for n in lengths], factor * size + extra
            out_mask = _mask(lengths, size, x)
            source = self.noise_convs[rate](harmonics) * out_mask
            source = self.noise_res[rate](source, style, out_mask)
            x = up(x * mask)
            if rate == len(self.ups) - 1:
                x = functional.pad(x, (1, 0), mode="reflect")
            x = (x + source) * out_mask
            blocks = self.resblocks[3 * rate : 3 * rate + 3]
            total = blocks[0](x, style, out_mask)
            for block in blocks[1:]:
                total = total + block(x, style, out_mask)
            x = total / 3
            mask = out_mask
        x = self.conv_post(functional.leaky_relu(x, 0.01) * mask) * mask
        return self.istft(x)


class Decoder(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.encode = AdainResBlk1d(512 + 2, 1024, STYLE)
        self.decode = nn.ModuleList(
            [AdainResBlk1d(1024 + 2 + 64, 1024, STYLE) for _ in range(3)]
            + [AdainResBlk1d(1024 + 2 + 64, 512, STYLE, upsample=True)]
        )
        self.F0_conv = nn.Conv1d(1, 1, 3, stride=2, padding=1)
        self.N_conv = nn.Conv1d(1, 1, 3, stride=2, padding=1)
        self.asr_res = nn.Sequential(nn.Conv1d(512, 64, 1))
        self.generator = Generator()

    def forward(
        self,
        asr: torch.Tensor,
        f0: torch.Tensor,
        energy: torch.Tensor,
        style: torch.Tensor,
        frames: Sequence[int],
    ) -> torch.Tensor:
        """`asr` [B, 512, F], curves [B, 2F], `frames` each item's real frames → [B, 600F]."""
        mask = _mask(frames, asr.shape[-1], asr)
        double = torch.repeat_interleave(mask, 2, dim=-1)
        f0_down = _per_item(self.F0_conv, (f0.unsqueeze(1) * double).to(asr.dtype))
        energy_down = _per_item(self.N_conv, (energy.unsqueeze(1) * double).to(asr.dtype))
        x = self.encode(torch.cat([asr, f0_down, energy_down], dim=1), style, mask, mask)
        residual = self.asr_res(asr)
        for block in self.decode:
            out_mask = double if block.upsample else mask
            x = block(torch.cat([x, residual, f0_down, energy_down], dim=1), style, mask, out_mask)
        return self.generator(x * double, style, f0, [2 * n for n in frames])


def _per_item(conv: nn.Conv1d, x: torch.Tensor) -> torch.Tensor:
    """`conv` on each item alone on the CPU: ATen picks these one-channel convs' kernel by batch
    size, whose last bits differ, and an item's bytes must not depend on its batch."""
    if x.device.type != "cpu":
        return conv(x)
    return torch.cat([conv(row) for row in x.split(1)])


def _mask(lengths: Sequence[int], size: int, like: torch.Tensor) -> torch.Tensor:
    """[B, 1, size]: 1 on each item's first `lengths[b]` steps."""
    steps = torch.arange(size, device=like.device)
    limits = torch.tensor(list(lengths), device=like.device).unsqueeze(1)
    return (steps < limits).unsqueeze(1).to(like.dtype)
