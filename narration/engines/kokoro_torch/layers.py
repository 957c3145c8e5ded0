"""The building blocks Kokoro's modules share: style-conditioned norms, residual blocks, BiLSTMs.

Every block takes the mask of the steps that are real (`[B, 1, L]`, 1.0 or 0.0) so that a padded
batch computes what each item alone would: a conv sees zeros beyond an item's end, as the
unpadded graph's zero padding gives it, and a norm's statistics cover the item's own steps only.
Statistics are taken in float32 whatever the precision, as a half-precision sum over a long
sentence would overflow.
"""

from __future__ import annotations

import math
from typing import Final

import torch
from torch import nn
from torch.nn import functional

NORM_EPS: Final = 1e-5
SQRT2: Final = math.sqrt(2.0)


def instance_norm(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Normalise each channel over the item's real steps (mean, biased variance, eps 1e-5)."""
    wide, weights = x.float(), mask.float()
    count = weights.sum(-1, keepdim=True)
    mean = (wide * weights).sum(-1, keepdim=True) / count
    centred = wide - mean
    var = (centred * centred * weights).sum(-1, keepdim=True) / count
    return (centred / torch.sqrt(var + NORM_EPS)).to(x.dtype)


def channel_norm(x: torch.Tensor) -> torch.Tensor:
    """Layer norm over channels, `x` as [B, C, L], without affine parameters."""
    wide = x.float().transpose(1, 2)
    return functional.layer_norm(wide, (wide.shape[-1],), eps=NORM_EPS).transpose(1, 2).to(x.dtype)


def style_affine(fc: nn.Linear, style: torch.Tensor) -> torch.Tensor:
    """`fc` of each style row on its own: a batched matmul may round a row differently from
    the same row alone, and on the CPU an item's bytes must not depend on its batch."""
    if style.device.type != "cpu":
        return fc(style)
    return torch.stack([fc(row) for row in style])


class AdaIN1d(nn.Module):
    """Instance norm whose scale and shift come from the style vector."""

    def __init__(self, style_dim: int, channels: int) -> None:
        super().__init__()
        self.fc = nn.Linear(style_dim, channels * 2)

    def forward(self, x: torch.Tensor, style: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        gamma, beta = style_affine(self.fc, style).unsqueeze(-1).chunk(2, dim=1)
        return (1 + gamma) * instance_norm(x, mask) + beta


class AdaLayerNorm(nn.Module):
    """Layer norm over channels whose scale and shift come from the style vector."""

    def __init__(self, style_dim: int, channels: int) -> None:
        super().__init__()
        self.fc = nn.Linear(style_dim, channels * 2)

    def forward(self, x: torch.Tensor, style: torch.Tensor) -> torch.Tensor:
        """`x` as [B, C, L]."""
        gamma, beta = style_affine(self.fc, style).unsqueeze(-1).chunk(2, dim=1)
        return (1 + gamma) * channel_norm(x) + beta


class BiLSTM(nn.Module):
    """A one-layer bidirectional LSTM over variable-length items, weights in ONNX's layout.

    `W` [2, 4H, in], `R` [2, 4H, H] and `B` [2, 8H] hold the forward then backward direction,
    gates in ONNX's order (input, output, forget, cell). The backward pass reverses each item
    within its own length, so padding never enters an item's state in either direction.
    """

    def __init__(self, inputs: int, hidden: int) -> None:
        super().__init__()
        self.hidden = hidden
        self.W = nn.Parameter(torch.zeros(2, 4 * hidden, inputs), requires_grad=False)
        self.R = nn.Parameter(torch.zeros(2, 4 * hidden, hidden), requires_grad=False)
        self.B = nn.Parameter(torch.zeros(2, 8 * hidden), requires_grad=False)
        self._cells: list[nn.LSTM] = []

    def prepare(self) -> None:
        """Build torch LSTMs from the loaded weights (torch orders the gates i, f, c, o)."""
        order = [0, 2, 3, 1]
        self._cells = []
        for direction in range(2):
            cell = nn.LSTM(self.W.shape[-1], self.hidden, batch_first=True)
            cell.to(device=self.W.device, dtype=self.W.dtype)
            w = self.W[direction].view(4, self.hidden, -1)[order].reshape(4 * self.hidden, -1)
            r = self.R[direction].view(4, self.hidden, -1)[order].reshape(4 * self.hidden, -1)
            biases = self.B[direction].view(2, 4, self.hidden)[:, order].reshape(2, -1)
            cell.load_state_dict(
                {
                    "weight_ih_l0": w,
                    "weight_hh_l0": r,
                    "bias_ih_l0": biases[0],
                    "bias_hh_l0": biases[1],
                }
            )
            cell.requires_grad_(False)
            cell.flatten_parameters()
            self._cells.append(cell)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """`x` [B, L, in] → [B, L, 2H]; steps past an item's length are zero."""
        if not self._cells:
            self.prepare()
        steps = torch.arange(x.shape[1], device=x.device).unsqueeze(0)
        valid = steps < lengths.unsqueeze(1)
        reverse = torch.where(valid, lengths.unsqueeze(1) - 1 - steps, steps)
        index = reverse.unsqueeze(-1).expand(-1, -1, x.shape[-1])
        ahead, _ = self._cells[0](x)
        back, _ = self._cells[1](torch.gather(x, 1, index))
        back = torch.gather(back, 1, reverse.unsqueeze(-1).expand(-1, -1, self.hidden))
        return torch.cat([ahead, back], dim=-1) * valid.unsqueeze(-1).to(x.dtype)


class AdainResBlk1d(nn.Module):
    """StyleTTS's residual block: AdaIN, LeakyReLU, conv, twice, optionally doubling the length
    (a depthwise transposed conv on the residual path, nearest repeat on the shortcut)."""

    def __init__(self, dim_in: int, dim_out: int, style_dim: int, upsample: bool = False) -> None:
        super().__init__()
        self.upsample = upsample
        self.conv1 = nn.Conv1d(dim_in, dim_out, 3, padding=1)
        self.conv2 = nn.Conv1d(dim_out, dim_out, 3, padding=1)
        self.norm1 = AdaIN1d(style_dim, dim_in)
        self.norm2 = AdaIN1d(style_dim, dim_out)
        self.conv1x1 = nn.Conv1d(dim_in, dim_out, 1, bias=False) if dim_in != dim_out else None
        self.pool = (
            nn.ConvTranspose1d(
                dim_in, dim_in, 3, stride=2, groups=dim_in, padding=1, output_padding=1
            )
            if upsample
            else None
        )

    def forward(
        self, x: torch.Tensor, style: torch.Tensor, mask: torch.Tensor, out_mask: torch.Tensor
    ) -> torch.Tensor:
        """`mask` marks `x`'s real steps, `out_mask` the output's (twice as long on upsampling)."""
        residual = functional.leaky_relu(self.norm1(x, style, mask), 0.2)
        if self.pool is not None:
            residual = self.pool(residual * mask)
        residual = self.conv1(residual * out_mask)
        residual = functional.leaky_relu(self.norm2(residual, style, out_mask), 0.2)
        residual = self.conv2(residual * out_mask)
        shortcut = torch.repeat_interleave(x, 2, dim=-1) if self.upsample else x
        if self.conv1x1 is not None:
            shortcut = self.conv1x1(shortcut * out_mask)
        return (residual + shortcut) / SQRT2


class SnakeResBlock(nn.Module):
    """The generator's residual block: three rounds of AdaIN, Snake, dilated conv, AdaIN, Snake,
    conv, each added back to its input."""

    def __init__(self, channels: int, kernel: int, style_dim: int) -> None:
        super().__init__()
        dilations = (1, 3, 5)
        self.convs1 = nn.ModuleList(
            nn.Conv1d(channels, channels, kernel, dilation=d, padding=d * (kernel - 1) // 2)
            for d in dilations
        )
        self.convs2 = nn.ModuleList(
            nn.Conv1d(channels, channels, kernel, padding=(kernel - 1) // 2) for _ in dilations
        )
        self.adain1 = nn.ModuleList(AdaIN1d(style_dim, channels) for _ in dilations)
        self.adain2 = nn.ModuleList(AdaIN1d(style_dim, channels) for _ in dilations)
        self.alpha1 = nn.ParameterList(torch.ones(1, channels, 1) for _ in dilations)
        self.alpha2 = nn.ParameterList(torch.ones(1, channels, 1) for _ in dilations)

    def forward(self, x: torch.Tensor, style: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        for conv1, conv2, norm1, norm2, alpha1, alpha2 in zip(
            self.convs1,
            self.convs2,
            self.adain1,
            self.adain2,
            self.alpha1,
            self.alpha2,
            strict=True,
        ):
            step = _snake(norm1(x, style, mask), alpha1)
            step = conv1(step * mask)
            step = _snake(norm2(step, style, mask), alpha2)
            x = conv2(step * mask) + x
        return x


def _snake(x: torch.Tensor, alpha: torch.Tensor) -> torch.Tensor:
    return x + (1 / alpha) * torch.sin(alpha * x) ** 2
