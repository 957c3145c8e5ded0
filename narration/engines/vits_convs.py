"""Convs for the CPU as sums of per-tap matrix products: each item is computed alone.

oneDNN's conv kernels for short inputs sum in an order that depends on the batch size, so an
item's last bits would depend on what shares its batch. A stride-1 conv is a sum over kernel
taps of `[out, in] x [in, T]` products, one per item (batched matrix products); a transposed
conv is every tap's product overlap-added at the stride. On the CPU measured here this is as
fast as oneDNN; GPUs keep cuDNN (`vits_model.VitsModel._conv`).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from narration.engines.vits_weights import ConvShape


def conv_by_taps(
    x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None, shape: ConvShape
) -> torch.Tensor:
    """A stride-1 conv as a sum over kernel taps of [out, in] x [in, T] products per item,
    each accumulated into the output by the matrix product itself (no extra pass)."""
    if shape.stride != 1:
        raise ValueError("strided convs are not part of VITS inference")
    out_channels, in_per_group, kernel = weight.shape
    batch = x.shape[0]
    length = x.shape[2] + 2 * shape.padding - shape.dilation * (kernel - 1)
    padded = F.pad(x, (shape.padding, shape.padding)) if shape.padding else x
    depthwise = shape.groups == out_channels and in_per_group == 1
    if shape.groups != 1 and not depthwise:
        raise ValueError(f"grouped conv with {shape.groups} groups is not supported")
    y = torch.empty((batch, out_channels, length), dtype=x.dtype, device=x.device)
    for tap in range(kernel):
        start = tap * shape.dilation
        window = padded[:, :, start : start + length]
        if depthwise:
            term = window * weight[:, 0, tap, None]
            if tap == 0:
                y.copy_(term)
            else:
                y.add_(term)
            continue
        tap_weight = weight[:, :, tap].expand(batch, -1, -1)
        if tap == 0:
            torch.bmm(tap_weight, window, out=y)
        else:
            y.baddbmm_(tap_weight, window)
    return y if bias is None else y.add_(bias[:, None])


def transposed_conv_by_taps(
    x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None, shape: ConvShape
) -> torch.Tensor:
    """A transposed conv: every tap's [out, in] x [in, T] product, overlap-added at the stride."""
    if shape.groups != 1 or shape.dilation != 1:
        raise ValueError("grouped or dilated transposed convs are not part of VITS inference")
    _, out_channels, kernel = weight.shape
    batch, _, length = x.shape
    stride = shape.stride
    full = torch.zeros(
        (batch, out_channels, (length - 1) * stride + kernel), dtype=x.dtype, device=x.device
    )
    taps = torch.matmul(weight.permute(2, 1, 0), x.unsqueeze(1))
    for tap in range(kernel):
        full[:, :, tap : tap + (length - 1) * stride + 1 : stride] += taps[:, tap]
    y = full[:, :, shape.padding : full.shape[2] - shape.padding]
    return y if bias is None else y + bias[:, None]
