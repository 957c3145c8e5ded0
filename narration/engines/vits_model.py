"""Piper's VITS inference in PyTorch, batched: padded items never change a real item's values.

The math follows Piper's VITS (rhasspy/piper `piper_train/vits`, MIT) as its ONNX export computes
it, operation for operation where the order decides the last bits (layer norm, GELU, the spline
inversion), so that with the same noise it matches onnxruntime to ~1e-5 and predicts the same
durations. Batching: every item is padded to a length it alone decides (`buckets`), every conv
reads zeros beyond an item's own length (masks at each resolution), so an item's output is the
same whatever shares its batch.

The front end (text encoder, duration predictor) and the flow run in float32: half precision
there changes predicted durations. The decoder, ~80 % of the work, may run in fp16 or bf16.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np
import torch
import torch.nn.functional as F

from narration.engines.vits_convs import conv_by_taps, transposed_conv_by_taps
from narration.engines.vits_weights import SPLINE_TAIL_BOUND, VitsWeights

LRELU_SLOPE: Final = 0.1
FINAL_LRELU_SLOPE: Final = 0.01
"""The decoder's last leaky ReLU uses PyTorch's default slope, as in HiFi-GAN."""
SPLINE_MIN_BIN: Final = 1e-3
SPLINE_MIN_DERIVATIVE: Final = 1e-3
LAYER_NORM_EPS: Final = 1e-5
MASKED_SCORE: Final = -1e4
SQRT_HALF_INV: Final = 1.4142135381698608
"""float32(sqrt(2)): GELU as the export computes it, x * (erf(x / sqrt 2) + 1) * 0.5."""


def _f32(value: float) -> float:
    """A constant rounded to float32, as the exported graph holds it."""
    return float(np.float32(value))


@dataclass(frozen=True)
class FrontEnd:
    """The text side of a batch: frames per phoneme id, and the prior's mean and log-scale."""

    durations: torch.Tensor
    """[B, T] frames per phoneme id (float, whole numbers)."""
    mean: torch.Tensor
    log_scale: torch.Tensor
    """[B, C, T] each."""


class VitsModel:
    """The weights of one voice on one device; `front` then `back` synthesise a batch."""

    def __init__(self, weights: VitsWeights, device: torch.device, decoder_dtype: torch.dtype):
        self.device = device
        self.decoder_dtype = decoder_dtype
        # On the CPU oneDNN's kernels for short inputs sum in an order that depends on the batch
        # size; a conv as one matrix product per tap (`vits_convs`) is as fast there and
        # computes every item alone. GPUs keep cuDNN.
        self._by_taps = device.type == "cpu"
        self._w = {
            name: torch.from_numpy(np.array(array, dtype=np.float32)).to(device)
            for name, array in weights.tensors.items()
        }
        for name in [n for n in self._w if n.startswith("dec.")]:
            self._w[name] = self._w[name].to(decoder_dtype)
        self._convs = weights.convs
        self._count = weights.count
        rel = self._w["enc_p.encoder.attn_layers.0.emb_rel_k"]
        self.hidden = int(self._w["enc_p.emb.weight"].shape[1])
        self.k_channels = int(rel.shape[2])
        self.heads = self.hidden // self.k_channels
        self.window = (int(rel.shape[1]) - 1) // 2
        self.channels = int(self._w["enc_p.proj.weight"].shape[0]) // 2
        self.encoder_layers = weights.count("enc_p.encoder.attn_layers")
        self.dp_filter = int(self._w["dp.pre.weight"].shape[0])
        # The first conv flow (index 1) is dropped at inference, as VITS does ("a useless vflow").
        self.dp_flows = [i for i in weights.indices("dp.flows") if i > 1][::-1]
        self.flows = weights.indices("flow.flows")[::-1]
        self.upsamples = [
            self._convs[f"dec.ups.{i}.weight"].stride for i in range(weights.count("dec.ups"))
        ]
        self.kernels = weights.count("dec.resblocks") // len(self.upsamples)
        self.hop_length = math.prod(self.upsamples)

    # -- the text side ---------------------------------------------------------------------

    def front(
        self,
        ids: torch.Tensor,
        lengths: torch.Tensor,
        noise: torch.Tensor,
        noise_w: torch.Tensor,
        length_scale: torch.Tensor,
    ) -> FrontEnd:
        """Encode [B, T] ids and predict durations; `noise` [B, 2, T] is standard normal."""
        mask = _sequence_mask(lengths, ids.shape[1]).unsqueeze(1)
        x, mean, log_scale = self._encode(ids, mask)
        logw = self._predict_log_durations(x, mask, noise * noise_w[:, None, None])
        w = torch.exp(logw) * mask * length_scale[:, None, None]
        return FrontEnd(torch.ceil(w)[:, 0], mean, log_scale)

    def _encode(
        self, ids: torch.Tensor, mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        x = F.embedding(ids, self._w["enc_p.emb.weight"]) * _f32(math.sqrt(self.hidden))
        x = x.transpose(1, 2) * mask
        attn_mask = mask.unsqueeze(2) * mask.unsqueeze(-1)
        x = x * mask
        for layer in range(self.encoder_layers):
            y = self._attention(x, attn_mask, f"enc_p.encoder.attn_layers.{layer}.")
            x = self._layer_norm(x + y, f"enc_p.encoder.norm_layers_1.{layer}.")
            y = self._ffn(x, mask, f"enc_p.encoder.ffn_layers.{layer}.")
            x = self._layer_norm(x + y, f"enc_p.encoder.norm_layers_2.{layer}.")
        x = x * mask
        stats = self._conv(x, "enc_p.proj.weight") * mask
        mean, log_scale = stats.split(self.channels, dim=1)
        return x, mean, log_scale

    def _attention(self, x: torch.Tensor, attn_mask: torch.Tensor, p: str) -> torch.Tensor:
        batch, channels, length = x.shape
        heads, k_channels = self.heads, self.k_channels

        def split(t: torch.Tensor) -> torch.Tensor:
            return t.view(batch, heads, k_channels, length).transpose(2, 3)

        query = split(self._conv(x, p + "conv_q.weight")) / _f32(math.sqrt(k_channels))
        key = split(self._conv(x, p + "conv_k.weight"))
        value = split(self._conv(x, p + "conv_v.weight"))
        scores = torch.matmul(query, key.transpose(-2, -1))
        rel_k = self._relative_embeddings(self._w[p + "emb_rel_k"], length)
        rel_logits = torch.matmul(query, rel_k.unsqueeze(0).transpose(-2, -1))
        scores = scores + _relative_to_absolute(rel_logits)
        scores = scores.masked_fill(attn_mask == 0, MASKED_SCORE)
        weights = torch.softmax(scores, dim=-1)
        output = torch.matmul(weights, value)
        rel_v = self._relative_embeddings(self._w[p + "emb_rel_v"], length)
        output = output + torch.matmul(_absolute_to_relative(weights), rel_v.unsqueeze(0))
        output = output.transpose(2, 3).reshape(batch, channels, length)
        return self._conv(output, p + "conv_o.weight")

    def _relative_embeddings(self, table: torch.Tensor, length: int) -> torch.Tensor:
        pad = max(length - (self.window + 1), 0)
        start = max((self.window + 1) - length, 0)
        if pad > 0:
            table = F.pad(table, (0, 0, pad, pad))
        return table[:, start : start + 2 * length - 1]

    def _ffn(self, x: torch.Tensor, mask: torch.Tensor, p: str) -> torch.Tensor:
        kernel = int(self._w[p + "conv_1.weight"].shape[2])
        same = ((kernel - 1) // 2, kernel // 2)
        y = self._conv(F.pad(x * mask, same), p + "conv_1.weight")
        y = torch.relu(y)
        y = self._conv(F.pad(y * mask, same), p + "conv_2.weight")
        return y * mask

    def _layer_norm(self, x: torch.Tensor, p: str) -> torch.Tensor:
        """Over channels, as the export writes it (mean, centred square mean, divide)."""
        x = x.transpose(1, 2)
        centred = x - x.mean(dim=-1, keepdim=True)
        variance = centred.pow(2).mean(dim=-1, keepdim=True)
        x = centred / torch.sqrt(variance + LAYER_NORM_EPS)
        x = x * self._w[p + "gamma"] + self._w[p + "beta"]
        return x.transpose(1, 2)

    # -- durations: the stochastic duration predictor, run backwards from noise --------------

    def _predict_log_durations(
        self, x: torch.Tensor, mask: torch.Tensor, z: torch.Tensor
    ) -> torch.Tensor:
        h = self._conv(x, "dp.pre.weight")
        h = self._dds(h, mask, "dp.convs.")
        h = self._conv(h, "dp.proj.weight") * mask
        for index in self.dp_flows:
            z = z.flip(1)
            z = self._conv_flow(z, mask, h, f"dp.flows.{index}.")
        z = z.flip(1)
        z = (z - self._w["dp.flows.0.m"]) * self._w["dp.flows.0.exp_neg_logs"] * mask
        return z[:, :1]

    def _dds(self, x: torch.Tensor, mask: torch.Tensor, p: str) -> torch.Tensor:
        """Dilated depth-separable convs with layer norm and GELU, residual."""
        for layer in range(self._count(p + "convs_sep")):
            y = self._conv(x * mask, f"{p}convs_sep.{layer}.weight")
            y = _gelu(self._layer_norm(y, f"{p}norms_1.{layer}."))
            y = self._conv(y, f"{p}convs_1x1.{layer}.weight")
            y = _gelu(self._layer_norm(y, f"{p}norms_2.{layer}."))
            x = x + y
        return x * mask

    def _conv_flow(
        self, z: torch.Tensor, mask: torch.Tensor, condition: torch.Tensor, p: str
    ) -> torch.Tensor:
        half = z.shape[1] // 2
        z0, z1 = z[:, :half], z[:, half:]
        h = self._conv(z0, p + "pre.weight")
        h = self._dds(h + condition, mask, p + "convs.")
        h = self._conv(h, p + "proj.weight") * mask
        batch, channels, length = z0.shape
        h = h.reshape(batch, channels, -1, length).permute(0, 1, 3, 2)
        bins = (h.shape[-1] + 1) // 3
        scale = _f32(math.sqrt(self.dp_filter))
        z1 = _inverse_spline(
            z1, h[..., :bins] / scale, h[..., bins : 2 * bins] / scale, h[..., 2 * bins :]
        )
        return torch.cat([z0, z1], 1) * mask

    # -- the acoustic side -------------------------------------------------------------------

    def back(self, prior: torch.Tensor, frame_lengths: torch.Tensor) -> torch.Tensor:
        """Flow (reversed) and decoder: [B, C, F] prior sample → [B, F x hop] audio in [-1, 1]."""
        mask = _sequence_mask(frame_lengths, prior.shape[2]).unsqueeze(1)
        z = prior
        for index in self.flows:
            z = z.flip(1)
            z = self._coupling(z, mask, f"flow.flows.{index}.")
        audio = self._decode((z * mask).to(self.decoder_dtype), mask.to(self.decoder_dtype))
        return audio[:, 0].float()

    def _coupling(self, x: torch.Tensor, mask: torch.Tensor, p: str) -> torch.Tensor:
        half = x.shape[1] // 2
        x0, x1 = x[:, :half], x[:, half:]
        h = self._conv(x0, p + "pre.weight") * mask
        h = self._wavenet(h, mask, p + "enc.")
        shift = self._conv(h, p + "post.weight") * mask
        return torch.cat([x0, (x1 - shift) * mask], 1)

    def _wavenet(self, x: torch.Tensor, mask: torch.Tensor, p: str) -> torch.Tensor:
        hidden = x.shape[1]
        layers = self._count(p + "in_layers")
        output: torch.Tensor | None = None
        for layer in range(layers):
            x_in = self._conv(x, f"{p}in_layers.{layer}.weight")
            acts = torch.tanh(x_in[:, :hidden]) * torch.sigmoid(x_in[:, hidden:])
            res_skip = self._conv(acts, f"{p}res_skip_layers.{layer}.weight")
            skip = res_skip[:, hidden:] if layer < layers - 1 else res_skip
            if layer < layers - 1:
                x = (x + res_skip[:, :hidden]) * mask
            output = skip if output is None else output + skip
        assert output is not None
        return output * mask

    def _decode(self, z: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """HiFi-GAN; every conv reads zeros past an item's end, as if it were alone."""
        x = self._conv(z * mask, "dec.conv_pre.weight")
        for index, stride in enumerate(self.upsamples):
            x = F.leaky_relu(x, LRELU_SLOPE) * mask
            x = self._conv(x, f"dec.ups.{index}.weight", transpose=True)
            mask = mask.repeat_interleave(stride, dim=2)
            total: torch.Tensor | None = None
            for block in range(index * self.kernels, (index + 1) * self.kernels):
                r = x
                for conv in range(self._count(f"dec.resblocks.{block}.convs")):
                    xt = F.leaky_relu(r, LRELU_SLOPE) * mask
                    r = self._conv(xt, f"dec.resblocks.{block}.convs.{conv}.weight") + r
                total = r if total is None else total + r
            assert total is not None
            x = total / float(self.kernels)
        x = F.leaky_relu(x, FINAL_LRELU_SLOPE) * mask
        return torch.tanh(self._conv(x, "dec.conv_post.weight"))

    def _conv(self, x: torch.Tensor, weight_name: str, transpose: bool = False) -> torch.Tensor:
        shape = self._convs[weight_name]
        weight = self._w[weight_name]
        bias = self._w.get(weight_name[: -len("weight")] + "bias")
        if self._by_taps:
            if transpose:
                return transposed_conv_by_taps(x, weight, bias, shape)
            return conv_by_taps(x, weight, bias, shape)
        if transpose:
            return F.conv_transpose1d(
                x, weight, bias, shape.stride, shape.padding, 0, shape.groups, shape.dilation
            )
        return F.conv1d(x, weight, bias, shape.stride, shape.padding, shape.dilation, shape.groups)


def _sequence_mask(lengths: torch.Tensor, length: int) -> torch.Tensor:
    positions = torch.arange(length, device=lengths.device)
    return (positions.unsqueeze(0) < lengths.unsqueeze(1)).float()


def _gelu(x: torch.Tensor) -> torch.Tensor:
    return x * (torch.erf(x / SQRT_HALF_INV) + 1.0) * 0.5


def _relative_to_absolute(x: torch.Tensor) -> torch.Tensor:
    """[B, h, L, 2L-1] relative logits → [B, h, L, L] (VITS's pad-and-reshape trick)."""
    batch, heads, length, _ = x.shape
    x = F.pad(x, (0, 1))
    flat = F.pad(x.reshape(batch, heads, length * 2 * length), (0, length - 1))
    return flat.view(batch, heads, length + 1, 2 * length - 1)[:, :, :length, length - 1 :]


def _absolute_to_relative(x: torch.Tensor) -> torch.Tensor:
    """[B, h, L, L] → [B, h, L, 2L-1]."""
    batch, heads, length, _ = x.shape
    x = F.pad(x, (0, length - 1))
    flat = F.pad(x.reshape(batch, heads, length**2 + length * (length - 1)), (length, 0))
    return flat.view(batch, heads, length, 2 * length)[:, :, :, 1:]


def _inverse_spline(
    x: torch.Tensor, widths_raw: torch.Tensor, heights_raw: torch.Tensor, slopes_raw: torch.Tensor
) -> torch.Tensor:
    """Invert the rational-quadratic spline on [-B, B] with linear tails (identity outside).

    Computed for every element and selected with `where`, so shapes never depend on the data.
    """
    bound = SPLINE_TAIL_BOUND
    bins = widths_raw.shape[-1]
    inside = (x >= -bound) & (x <= bound)
    edge = _f32(math.log(math.exp(1 - SPLINE_MIN_DERIVATIVE) - 1))
    slopes_raw = F.pad(slopes_raw, (1, 1), value=edge)
    slopes_raw[..., 0] = edge
    slopes_raw[..., -1] = edge
    cum_widths, widths = _knots(widths_raw, bins, bound)
    cum_heights, heights = _knots(heights_raw, bins, bound)
    slopes = SPLINE_MIN_DERIVATIVE + F.softplus(slopes_raw)
    search = cum_heights.clone()
    search[..., -1] += 1e-6
    index = ((x[..., None] >= search).sum(dim=-1, keepdim=True) - 1).clamp(0, bins - 1)

    def at(t: torch.Tensor) -> torch.Tensor:
        return t.gather(-1, index)[..., 0]

    delta = heights / widths
    in_cum_widths, in_widths, in_cum_heights = at(cum_widths), at(widths), at(cum_heights)
    in_delta, in_heights = at(delta), at(heights)
    in_slope, in_slope_next = at(slopes), at(slopes[..., 1:])
    offset = x - in_cum_heights
    curvature = offset * ((in_slope + in_slope_next) - in_delta * 2.0)
    a = curvature + in_heights * (in_delta - in_slope)
    b = in_heights * in_slope - curvature
    c = -in_delta * offset
    discriminant = b.pow(2) - (a * 4.0) * c
    root = (c * 2.0) / (-b - torch.sqrt(discriminant.clamp_min(0)))
    return torch.where(inside, root * in_widths + in_cum_widths, x)


def _knots(raw: torch.Tensor, bins: int, bound: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Cumulative knot positions on [-bound, bound] and bin sizes from unnormalised logits."""
    share = np.float32(1.0) - np.float32(bins) * np.float32(SPLINE_MIN_BIN)
    sizes = SPLINE_MIN_BIN + float(share) * torch.softmax(raw, dim=-1)
    cumulative = F.pad(torch.cumsum(sizes, dim=-1), (1, 0), value=0.0)
    cumulative = (2 * bound) * cumulative + (-bound)
    cumulative[..., 0] = -bound
    cumulative[..., -1] = bound
    return cumulative, cumulative[..., 1:] - cumulative[..., :-1]
