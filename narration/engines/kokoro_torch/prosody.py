"""Kokoro's text encoder and prosody predictor: what each token sounds like, how long it lasts,
and the pitch (F0) and energy (N) curves of the frames.

The durations are the only discrete decision in the model: the summed sigmoid of 50 bins per
token, divided by the speed, rounded half to even and floored at one frame, as the graph's
`/encoder/Clip` does. The F0 and N curves come out at two steps per frame.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional

from narration.engines.kokoro_torch.layers import (
    NORM_EPS,
    AdainResBlk1d,
    AdaLayerNorm,
    BiLSTM,
)

STYLE: int = 128
HIDDEN: int = 512
MAX_DURATION: int = 50


class ChannelLayerNorm(nn.Module):
    """Layer norm over the channels of a [B, C, L] tensor, with its own scale and shift."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.gamma = nn.Parameter(torch.ones(channels))
        self.beta = nn.Parameter(torch.zeros(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        moved = x.transpose(1, 2)
        normed = functional.layer_norm(moved, (moved.shape[-1],), self.gamma, self.beta, NORM_EPS)
        return normed.transpose(1, 2)


class ConvBlock(nn.Sequential):
    """conv (kernel 5), channel layer norm, LeakyReLU(0.2); named as the trained `cnn.N`."""

    def __init__(self, channels: int) -> None:
        super().__init__(nn.Conv1d(channels, channels, 5, padding=2), ChannelLayerNorm(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return functional.leaky_relu(super().forward(x), 0.2)


class TextEncoder(nn.Module):
    """Token ids → acoustic text features [B, 512, T] (embedding, three convs, a BiLSTM)."""

    def __init__(self, vocab: int) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab, HIDDEN)
        self.cnn = nn.ModuleList(ConvBlock(HIDDEN) for _ in range(3))
        self.lstm = BiLSTM(HIDDEN, HIDDEN // 2)

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        x = self.embedding(ids).transpose(1, 2) * mask
        for block in self.cnn:
            x = block(x) * mask
        return self.lstm(x.transpose(1, 2), lengths).transpose(1, 2)


class DurationEncoder(nn.Module):
    """BERT features and the style → per-token features [B, T, 640]: three rounds of BiLSTM and
    style-conditioned layer norm, the style appended to each token after each."""

    def __init__(self) -> None:
        super().__init__()
        self.lstms = nn.ModuleList()
        for _ in range(3):
            self.lstms.append(BiLSTM(HIDDEN + STYLE, HIDDEN // 2))
            self.lstms.append(AdaLayerNorm(STYLE, HIDDEN))

    def forward(
        self, x: torch.Tensor, style: torch.Tensor, lengths: torch.Tensor, mask: torch.Tensor
    ) -> torch.Tensor:
        """`x` [B, 512, T], `mask` [B, 1, T]."""
        styles = style.unsqueeze(-1).expand(-1, -1, x.shape[-1])
        x = torch.cat([x, styles], dim=1) * mask
        for lstm, norm in zip(self.lstms[::2], self.lstms[1::2], strict=True):
            x = lstm(x.transpose(1, 2), lengths).transpose(1, 2)
            x = torch.cat([norm(x, style), styles], dim=1) * mask
        return x.transpose(1, 2)


class LinearNorm(nn.Module):
    def __init__(self, inputs: int, outputs: int) -> None:
        super().__init__()
        self.linear_layer = nn.Linear(inputs, outputs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear_layer(x)


class ProsodyPredictor(nn.Module):
    """Durations from the token features; F0 and N curves from the frame features."""

    def __init__(self) -> None:
        super().__init__()
        self.text_encoder = DurationEncoder()
        self.lstm = BiLSTM(HIDDEN + STYLE, HIDDEN // 2)
        self.duration_proj = LinearNorm(HIDDEN, MAX_DURATION)
        self.shared = BiLSTM(HIDDEN + STYLE, HIDDEN // 2)
        self.F0 = _curve_blocks()
        self.N = _curve_blocks()
        self.F0_proj = nn.Conv1d(HIDDEN // 2, 1, 1)
        self.N_proj = nn.Conv1d(HIDDEN // 2, 1, 1)

    def durations(
        self, features: torch.Tensor, lengths: torch.Tensor, speed: torch.Tensor
    ) -> torch.Tensor:
        """Whole frames per token [B, T] (0 past an item's end), from `features` [B, T, 640]."""
        x = self.lstm(features, lengths)
        logits = self.duration_proj(x).float()
        frames = torch.sigmoid(logits).sum(-1) / speed.float().unsqueeze(1)
        frames = torch.round(frames).clamp(min=1).long()
        valid = torch.arange(frames.shape[1], device=frames.device) < lengths.unsqueeze(1)
        return frames * valid

    def curves(
        self, frames: torch.Tensor, style: torch.Tensor, lengths: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """F0 and N [B, 2F] from the frame features [B, 640, F]; `lengths` in frames."""
        steps = torch.arange(frames.shape[-1], device=frames.device)
        mask = (steps < lengths.unsqueeze(1)).unsqueeze(1).to(frames.dtype)
        double = torch.repeat_interleave(mask, 2, dim=-1)
        x = self.shared(frames.transpose(1, 2), lengths).transpose(1, 2)
        results = []
        for blocks, projection in ((self.F0, self.F0_proj), (self.N, self.N_proj)):
            curve = blocks[0](x, style, mask, mask)
            curve = blocks[1](curve, style, mask, double)
            curve = blocks[2](curve, style, double, double)
            results.append(projection(curve * double).squeeze(1) * double.squeeze(1))
        return results[0], results[1]


def _curve_blocks() -> nn.ModuleList:
    return nn.ModuleList(
        [
            AdainResBlk1d(HIDDEN, HIDDEN, STYLE),
            AdainResBlk1d(HIDDEN, HIDDEN // 2, STYLE, upsample=True),
            AdainResBlk1d(HIDDEN // 2, HIDDEN // 2, STYLE),
        ]
    )
