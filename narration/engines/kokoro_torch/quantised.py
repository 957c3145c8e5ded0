"""The int8 graph's dynamic activation quantisation, emulated, so our model sounds like the graph.

The graph quantises every weight to 8 bits and, at run time, the input of every layer that uses
one (`DynamicQuantizeLinear` before `MatMulInteger` and `ConvInteger`, and the same rule inside
`DynamicQuantizeLSTM` for an LSTM's whole input and for its hidden state at each step): the
tensor's range widened to hold 0, scale = (max - min) / 255 (1 for an empty range), zero point =
round-half-even(clamp(-min / scale, 0, 255)), q = clamp(round-half-even(x / scale) + zero point,
0, 255). The int32 products are rescaled by (activation scale x weight scale); a conv's bias is
added before that, quantised with the same scale and rounded down (the graph's `Floor`), a
linear layer's and an LSTM's after, in float. `emulate_int8` swaps exactly the modules whose
weights the graph consumes in those nodes (`KokoroWeights.scales`) for ones that do the same.

The graph sees one item at a time, so here the range is taken per batch item; padded steps are
zero (the callers mask them) and zero is always in the range, so padding never moves it. The
integer products are taken in float32 on the integers q - zero point and w - w's zero point:
every partial sum is an integer below 2**24 (checked at load from each weight's largest column
L1 norm; float64 is used where it is not), so they are exact in any summation order, and an item
in a batch gives the bytes it gives alone.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import torch
from torch import nn
from torch.nn import functional

from narration.engines.kokoro_torch.layers import BiLSTM

LEVELS: Final = 255.0
EXACT_BELOW: Final = 2**24
"""float32 holds every integer up to 2**24."""


def quantise(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """`x` [B, ...] → q - zero point (integers, float32, same shape) and each item's scale [B]."""
    wide = x.float()
    flat = wide.reshape(wide.shape[0], -1)
    low = flat.amin(1).clamp(max=0.0)
    high = flat.amax(1).clamp(min=0.0)
    scale = torch.where(high == low, torch.ones_like(high), (high - low) / LEVELS)
    zero = torch.round((-(low / scale)).clamp(0.0, LEVELS))
    shape = (-1,) + (1,) * (wide.dim() - 1)
    q = torch.clamp(torch.round(wide / scale.view(shape)) + zero.view(shape), 0.0, LEVELS)
    return q - zero.view(shape), scale


def _integers(weight: torch.Tensor, scale: torch.Tensor) -> tuple[torch.Tensor, torch.dtype]:
    """The weight's integers (w - its zero point) and the dtype that sums their products
    exactly: float32 when 255 x the largest output's L1 norm stays below 2**24."""
    integers = torch.round(weight.detach().float() / scale)
    bound = LEVELS * float(integers.abs().reshape(integers.shape[0], -1).sum(1).max())
    return integers, torch.float32 if bound < EXACT_BELOW else torch.float64


class QuantisedLinear(nn.Module):
    """`nn.Linear` as `MatMulInteger` computes it; per-output weight scales."""

    integers: torch.Tensor
    weight_scale: torch.Tensor

    def __init__(self, linear: nn.Linear, scale: np.ndarray) -> None:
        super().__init__()
        weight_scale = torch.from_numpy(np.array(scale, dtype=np.float32).reshape(-1))
        integers, self.exact = _integers(linear.weight, weight_scale.view(-1, 1))
        self.register_buffer("integers", integers)
        self.register_buffer("weight_scale", weight_scale)
        self.bias = linear.bias

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """`x` [B, ..., in], or one item's [in]."""
        single = x.dim() == 1
        rows = x.unsqueeze(0) if single else x
        q, scale = quantise(rows)
        products = (q.to(self.exact) @ self.integers.to(self.exact).T).float()
        shape = (-1,) + (1,) * (rows.dim() - 1)
        out = products * (scale.view(shape) * self.weight_scale)
        if self.bias is not None:
            out = out + self.bias
        return out.squeeze(0) if single else out


class QuantisedConv1d(nn.Module):
    """`nn.Conv1d` as `ConvInteger` computes it; one weight scale, the bias quantised with the
    product's scale and rounded down."""

    integers: torch.Tensor
    weight_scale: torch.Tensor

    def __init__(self, conv: nn.Conv1d, scale: np.ndarray) -> None:
        super().__init__()
        weight_scale = torch.tensor(float(np.asarray(scale).reshape(())), dtype=torch.float32)
        integers, self.exact = _integers(conv.weight, weight_scale)
        self.register_buffer("integers", integers)
        self.register_buffer("weight_scale", weight_scale)
        self.bias = conv.bias
        if isinstance(conv.padding, str):
            raise TypeError("the graph's convs have numeric padding")
        self.stride, self.padding = conv.stride, conv.padding
        self.dilation, self.groups = conv.dilation, conv.groups

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        q, scale = quantise(x)
        products = functional.conv1d(
            q.to(self.exact),
            self.integers.to(self.exact),
            None,
            self.stride,
            self.padding,
            self.dilation,
            self.groups,
        )
        step = (scale * self.weight_scale).view(-1, 1, 1)
        if self.bias is not None:
            bias = torch.floor(self.bias.float().view(1, -1, 1) / step)
            products = products + bias.to(products.dtype)
        return products.float() * step


class QuantisedBiLSTM(BiLSTM):
    """`DynamicQuantizeLSTM`: the whole input quantised once per direction, the hidden state at
    every step, each product rescaled and summed with the float bias; gates i, o, f, c."""

    w_integers: torch.Tensor
    r_integers: torch.Tensor
    w_scale: torch.Tensor
    r_scale: torch.Tensor

    def __init__(self, lstm: BiLSTM, input_scales: np.ndarray, state_scales: np.ndarray) -> None:
        super().__init__(lstm.W.shape[-1], lstm.hidden)
        self.W, self.R, self.B = lstm.W, lstm.R, lstm.B
        per_direction = (-1, 1, 1)
        w_scale = torch.from_numpy(np.array(input_scales, dtype=np.float32).reshape(-1))
        r_scale = torch.from_numpy(np.array(state_scales, dtype=np.float32).reshape(-1))
        rows = 4 * lstm.hidden
        w_rows, r_rows = w_scale.repeat_interleave(rows)[:, None], r_scale.repeat_interleave(rows)
        w_int, self.w_exact = _integers(lstm.W.flatten(0, 1), w_rows)
        r_int, self.r_exact = _integers(lstm.R.flatten(0, 1), r_rows[:, None])
        self.register_buffer("w_integers", w_int.view(lstm.W.shape))
        self.register_buffer("r_integers", r_int.view(lstm.R.shape))
        self.register_buffer("w_scale", w_scale.view(per_direction))
        self.register_buffer("r_scale", r_scale.view(per_direction))

    def prepare(self) -> None:
        """Nothing to build: the steps run here."""

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """`x` [B, L, in] → [B, L, 2H]; steps past an item's length are zero."""
        steps = torch.arange(x.shape[1], device=x.device).unsqueeze(0)
        valid = steps < lengths.unsqueeze(1)
        reverse = torch.where(valid, lengths.unsqueeze(1) - 1 - steps, steps)
        index = reverse.unsqueeze(-1).expand(-1, -1, x.shape[-1])
        ahead = self._direction(0, x, int(lengths.max()))
        back = self._direction(1, torch.gather(x, 1, index), int(lengths.max()))
        back = torch.gather(back, 1, reverse.unsqueeze(-1).expand(-1, -1, self.hidden))
        return torch.cat([ahead, back], dim=-1) * valid.unsqueeze(-1).to(x.dtype)

    def _direction(self, direction: int, x: torch.Tensor, steps: int) -> torch.Tensor:
        batch, hidden = x.shape[0], self.hidden
        q, scale = quantise(x)
        w_int = self.w_integers[direction].to(self.w_exact)
        inputs = (q.to(self.w_exact) @ w_int.T).float() * (
            scale.view(-1, 1, 1) * self.w_scale[direction]
        )
        r_int = self.r_integers[direction].to(self.r_exact).T
        r_scale = self.r_scale[direction].view(1, 1)
        bias = self.B[direction].float().view(2, -1).sum(0)
        state = torch.zeros(batch, hidden, device=x.device)
        cell = torch.zeros(batch, hidden, device=x.device)
        out = torch.zeros(batch, x.shape[1], hidden, device=x.device)
        for step in range(steps):
            q_state, state_scale = quantise(state)
            recurrent = (q_state.to(self.r_exact) @ r_int).float()
            gates = inputs[:, step] + recurrent * (state_scale.view(-1, 1) * r_scale) + bias
            i, o, f, c = gates.chunk(4, dim=-1)
            cell = torch.sigmoid(f) * cell + torch.sigmoid(i) * torch.tanh(c)
            state = torch.sigmoid(o) * torch.tanh(cell)
            out[:, step] = state
        return out


def emulate_int8(model: nn.Module, scales: dict[str, np.ndarray]) -> None:
    """Swap, in place, each module the graph runs on quantised activations (named in `scales`:
    `path` for a linear or conv, `path.W` and `path.R` for an LSTM) for its emulation."""
    for path, module in list(model.named_modules()):
        if isinstance(module, BiLSTM) and f"{path}.W" in scales:
            new: nn.Module = QuantisedBiLSTM(module, scales[f"{path}.W"], scales[f"{path}.R"])
        elif path not in scales:
            continue
        elif isinstance(module, nn.Linear):
            new = QuantisedLinear(module, scales[path])
        elif isinstance(module, nn.Conv1d):
            new = QuantisedConv1d(module, scales[path])
        else:
            raise TypeError(f"{path} is quantised in the graph but is a {type(module).__name__}")
        parent, _, name = path.rpartition(".")
        setattr(model.get_submodule(parent), name, new)
