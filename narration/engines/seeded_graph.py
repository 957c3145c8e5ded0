"""A Piper VITS graph rewritten so that its noise is ours: seeded, per sentence, reproducible.

See `narration.engines.piper` for why; this module does the rewrite and draws the noise.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Final

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from narration.errors import InputError

_LOGGER = logging.getLogger(__name__)

NOISE_INPUT_PREFIX: Final = "noise_"
"""Graph inputs `noise_0`, `noise_1`, … replace the RandomNormalLike nodes, in graph order."""

RANDOM_OPS: Final = frozenset(
    {"RandomNormal", "RandomNormalLike", "RandomUniform", "RandomUniformLike", "Multinomial"}
    | {"Bernoulli"}
)


@dataclass(frozen=True)
class PatchedGraph:
    """The rewritten model and the names of what it gained."""

    model: bytes
    noise_inputs: tuple[str, ...]
    noise_numels: tuple[str, ...]
    durations: str | None


def standard_normal(seed: int, sentence: int, node: int, size: int) -> np.ndarray:
    """Noise for one node of one sentence. A prefix of a longer draw equals a shorter draw."""
    return np.random.default_rng([seed, sentence, node]).standard_normal(size, dtype=np.float32)


def _noise_nodes(
    graph: onnx.GraphProto, node: onnx.NodeProto, name: str, zero: str, opset: int
) -> list[onnx.NodeProto]:
    """The nodes that stand in for one RandomNormalLike `node`, reading graph input `name`."""
    attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
    p = f"{name}/"
    like = node.input[0]
    nodes = [
        helper.make_node("Shape", [like], [p + "shape"]),
        helper.make_node("ReduceProd", [p + "shape"], [p + "numel"], keepdims=1),
        helper.make_node("Shape", [name], [p + "available"]),
        helper.make_node("Min", [p + "numel", p + "available"], [p + "take"]),
        helper.make_node("Slice", [name, zero, p + "take"], [p + "slice"]),
        helper.make_node("Sub", [p + "numel", p + "take"], [p + "missing"]),
        helper.make_node("Concat", [zero, p + "missing"], [p + "pads"], axis=0),
        helper.make_node("Pad", [p + "slice", p + "pads"], [p + "flat"]),
        helper.make_node("Reshape", [p + "flat", p + "shape"], [p + "normal"]),
    ]
    value = p + "normal"
    for op, attr, neutral in (("Mul", "scale", 1.0), ("Add", "mean", 0.0)):
        if float(attrs.get(attr, neutral)) != neutral:
            constant = p + attr
            graph.initializer.append(
                numpy_helper.from_array(np.array(attrs[attr], dtype=np.float32), constant)
            )
            nodes.append(helper.make_node(op, [value, constant], [p + op]))
            value = p + op
    dtype = attrs.get("dtype")
    if dtype is None and opset >= 15:
        nodes.append(helper.make_node("CastLike", [value, like], [node.output[0]]))
    elif dtype is None or dtype == TensorProto.FLOAT:
        nodes.append(helper.make_node("Identity", [value], [node.output[0]]))
    else:
        nodes.append(helper.make_node("Cast", [value], [node.output[0]], to=dtype))
    return nodes


def patch_graph(model: onnx.ModelProto, voice_name: str) -> PatchedGraph:
    """Replace RandomNormalLike nodes with graph-input noise and expose `w_ceil`.

    Each node `y = RandomNormalLike(x)` becomes
    `y = Reshape(Pad(Slice(noise_k, 0, min(numel, len)), to numel), Shape(x))`, scaled and
    shifted by the node's own `scale` and `mean`, and `numel` becomes the output `noise_k/numel`.
    A buffer that is too short is padded with zeros instead of failing, and the caller sees
    from `numel` that it must draw again.
    """
    graph = model.graph
    opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 0)
    zero = "noise/zero"
    graph.initializer.append(numpy_helper.from_array(np.zeros(1, dtype=np.int64), zero))
    nodes: list[onnx.NodeProto] = []
    noise_inputs: list[str] = []
    noise_numels: list[str] = []
    for node in graph.node:
        if node.op_type in RANDOM_OPS and node.op_type != "RandomNormalLike":
            raise InputError(f"voice {voice_name}: cannot seed its {node.op_type} node {node.name}")
        if node.op_type != "RandomNormalLike":
            nodes.append(node)
            continue
        name = f"{NOISE_INPUT_PREFIX}{len(noise_inputs)}"
        p = f"{name}/"
        nodes += _noise_nodes(graph, node, name, zero, opset)
        graph.input.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, [p + "len"]))
        graph.output.append(helper.make_tensor_value_info(p + "numel", TensorProto.INT64, [1]))
        noise_inputs.append(name)
        noise_numels.append(p + "numel")
    del graph.node[:]
    graph.node.extend(nodes)

    # Piper's `w_ceil` (the one Ceil node): frames per phoneme id, i.e. the alignment.
    ceils = [output for node in graph.node if node.op_type == "Ceil" for output in node.output]
    durations = ceils[0] if len(ceils) == 1 else None
    if durations is None:
        _LOGGER.warning("voice %s: no unique Ceil tensor; word timings are estimates", voice_name)
    elif all(output.name != durations for output in graph.output):
        graph.output.append(
            helper.make_tensor_value_info(durations, TensorProto.FLOAT, ["batch", 1, "ids"])
        )
    onnx.checker.check_model(model)
    return PatchedGraph(
        model=model.SerializeToString(),
        noise_inputs=tuple(noise_inputs),
        noise_numels=tuple(noise_numels),
        durations=durations,
    )
