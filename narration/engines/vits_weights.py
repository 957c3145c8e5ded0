"""A Piper voice's VITS weights and hyper-parameters, read from its `.onnx` file.

Piper exports its voices with weight norm folded, so the file holds plain tensors. Most are named
like the training modules (`enc_p.*`, `dp.*`, `flow.*`, `dec.*`); the rest are named by the
exporter and are mapped here by the node that consumes them: the text embedding is the table
`/enc_p/emb/Gather` reads (exported under the name `sid`), the flow's WaveNet conv weights are
`onnx::Conv_*` tensors read by `/flow/flows.K/enc/<layer>/Conv`, and the duration predictor's
first affine layer is folded into the constant `exp(-logs)`. Sizes come from the tensors'
shapes and strides, paddings and dilations from the nodes, so any single-speaker medium, low or
x-low Piper voice loads. What cannot be mapped is refused with `InputError`, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import onnx
from onnx import numpy_helper

from narration.errors import InputError

SPLINE_TAIL_BOUND: Final = 5.0
"""VITS's spline flows act on [-5, 5]; a constant of the architecture, not a weight."""

_FOLDED_AFFINE: Final = "/dp/flows.0/Exp_output_0"
_CONSUMER_NAMED = re.compile(r"^/((?:flow|dp|dec|enc_p)/.+)/(Conv|ConvTranspose)$")


@dataclass(frozen=True)
class ConvShape:
    """How a conv node applies its weight: stride, symmetric padding, dilation, groups."""

    stride: int
    padding: int
    dilation: int
    groups: int


@dataclass(frozen=True)
class VitsWeights:
    """Every tensor the inference needs, by training-module name, and each conv's geometry."""

    tensors: dict[str, np.ndarray]
    convs: dict[str, ConvShape]
    """By weight name (`dec.ups.0.weight`)."""

    def __getitem__(self, name: str) -> np.ndarray:
        return self.tensors[name]

    def count(self, prefix: str) -> int:
        """How many numbered children `prefix.N.` has (`dec.ups` → 3)."""
        numbers = {
            int(match.group(1))
            for name in self.tensors
            if (match := re.match(re.escape(prefix) + r"\.(\d+)\.", name))
        }
        return max(numbers) + 1 if numbers else 0

    def indices(self, prefix: str) -> list[int]:
        """The numbers of `prefix`'s children, ascending (`flow.flows` → [0, 2, 4, 6])."""
        return sorted(
            {
                int(match.group(1))
                for name in self.tensors
                if (match := re.match(re.escape(prefix) + r"\.(\d+)\.", name))
            }
        )


def read_weights(model_path: Path, voice_name: str) -> VitsWeights:
    """Load and name the weights of the voice at `model_path`; InputError if it cannot."""
    try:
        model = onnx.load(str(model_path))
    except (OSError, ValueError) as error:
        raise InputError(f"cannot read voice {voice_name} ({model_path}): {error}") from None
    return map_weights(model, voice_name)


def map_weights(model: onnx.ModelProto, voice_name: str) -> VitsWeights:
    graph = model.graph
    inputs = {value.name for value in graph.input}
    if "sid" in inputs:
        raise InputError(
            f"voice {voice_name} has several speakers; the torch engine reads single-speaker "
            "voices only (use --engine piper)"
        )
    consumers: dict[str, list[onnx.NodeProto]] = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    tensors: dict[str, np.ndarray] = {}
    convs: dict[str, ConvShape] = {}
    for initializer in graph.initializer:
        array = numpy_helper.to_array(initializer)
        name = _module_name(initializer.name, consumers.get(initializer.name, []))
        if name is None:
            continue
        tensors[name] = array.astype(np.float32, copy=False)
    for node in graph.node:
        if node.op_type not in ("Conv", "ConvTranspose") or len(node.input) < 2:
            continue
        weight = _module_name(node.input[1], [node])
        if weight is not None:
            convs[weight] = _conv_shape(node)
    if "dp.flows.0.logs" in tensors:
        tensors["dp.flows.0.exp_neg_logs"] = np.exp(-tensors.pop("dp.flows.0.logs"))
    weights = VitsWeights(tensors, convs)
    check_weights(weights, voice_name)
    return weights


def _module_name(name: str, consumers: list[onnx.NodeProto]) -> str | None:
    """The training-module name of an initializer, or None for the exporter's own constants."""
    if name == "sid" and any(node.name == "/enc_p/emb/Gather" for node in consumers):
        return "enc_p.emb.weight"
    if name == _FOLDED_AFFINE:
        return "dp.flows.0.exp_neg_logs"
    if name.startswith(("enc_p.", "dp.", "flow.", "dec.")):
        return name
    if name.startswith("onnx::Conv_"):
        for node in consumers:
            match = _CONSUMER_NAMED.match(node.name)
            if match and list(node.input[1:2]) == [name]:
                return match.group(1).replace("/", ".") + ".weight"
    return None


def _conv_shape(node: onnx.NodeProto) -> ConvShape:
    attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
    pads = list(attrs.get("pads", [0, 0]))
    if len(pads) != 2 or pads[0] != pads[1]:
        raise InputError(f"conv {node.name} has asymmetric padding {pads}")
    return ConvShape(
        stride=int(attrs.get("strides", [1])[0]),
        padding=int(pads[0]),
        dilation=int(attrs.get("dilations", [1])[0]),
        groups=int(attrs.get("group", 1)),
    )


def check_weights(weights: VitsWeights, voice_name: str) -> None:
    """Refuse a voice whose weights do not form the VITS this engine implements."""
    problems = []
    needed = [
        "enc_p.emb.weight",
        "enc_p.proj.weight",
        "dp.pre.weight",
        "dp.proj.weight",
        "dp.flows.0.m",
        "dp.flows.0.exp_neg_logs",
        "dec.conv_pre.weight",
        "dec.conv_post.weight",
    ]
    problems += [f"missing {name}" for name in needed if name not in weights.tensors]
    if any(".convs1." in name or ".convs2." in name for name in weights.tensors):
        problems.append("its decoder uses HiFi-GAN residual blocks of type 1 (a 'high' voice)")
    if any(name.startswith(("emb_g", "enc_q")) for name in weights.tensors):
        problems.append("it has speaker or posterior-encoder weights")
    layers = weights.count("enc_p.encoder.attn_layers")
    if layers == 0:
        problems.append("no text encoder layers")
    for layer in range(layers):
        prefix = f"enc_p.encoder.attn_layers.{layer}."
        for part in ("emb_rel_k", "emb_rel_v", "conv_q.weight", "conv_o.weight"):
            if prefix + part not in weights.tensors:
                problems.append(f"missing {prefix}{part}")
    flows = weights.indices("flow.flows")
    if not flows:
        problems.append("no flow layers")
    for flow in flows:
        for layer in range(weights.count(f"flow.flows.{flow}.enc.in_layers")):
            for kind in ("in_layers", "res_skip_layers"):
                name = f"flow.flows.{flow}.enc.{kind}.{layer}.weight"
                if name not in weights.tensors or name not in weights.convs:
                    problems.append(f"cannot find {name}")
    ups = weights.count("dec.ups")
    blocks = weights.count("dec.resblocks")
    if ups == 0 or blocks % ups:
        problems.append(f"{blocks} decoder residual blocks do not divide over {ups} upsamplers")
    for index in range(ups):
        if f"dec.ups.{index}.weight" not in weights.convs:
            problems.append(f"cannot find the node of dec.ups.{index}")
    for block in range(blocks):
        convs = weights.count(f"dec.resblocks.{block}.convs")
        if convs == 0:
            problems.append(f"dec.resblocks.{block} has no convs")
        for conv in range(convs):
            if f"dec.resblocks.{block}.convs.{conv}.weight" not in weights.convs:
                problems.append(f"cannot find the node of dec.resblocks.{block}.convs.{conv}")
    if problems:
        listed = "; ".join(problems[:5]) + ("; …" if len(problems) > 5 else "")
        raise InputError(
            f"voice {voice_name}: the torch engine cannot map its weights ({listed}); "
            "use --engine piper for this voice"
        )
