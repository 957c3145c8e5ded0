"""Kokoro's weights, read from the int8 ONNX model and dequantised to float32.

No other copy of the weights is installed, so the torch model reads the same file the onnxruntime
engine runs. The exporter folded weight norm and quantised most weights to int8 (per tensor for
convs, per column for linear layers, per direction for LSTMs); the graph dequantises them inside
`MatMulInteger`, `ConvInteger` and `DynamicQuantizeLSTM` nodes. Here each weight is found through
the node that consumes it, and named by that node's module path (the exporter keeps the training
modules' paths in node names), rewritten to the names of this package's modules: `bert.*`,
`bert_encoder`, `predictor.*`, `text_encoder.*`, `decoder.*`. Biases and norms kept their
state-dict names as initializers and are renamed the same way. A model that lacks a tensor the
modules need is refused with `InputError` when the modules load it, never guessed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final

import numpy as np
import onnx
from onnx import numpy_helper

from narration.errors import InputError

_RENAMES: Final = (
    (
        re.compile(r"^encoder\.bert\.encoder\.albert_layer_groups\.0\.albert_layers\.0\."),
        "bert.layer.",
    ),
    (re.compile(r"^encoder\.bert\.encoder\."), "bert."),
    (re.compile(r"^encoder\.bert\."), "bert."),
    (re.compile(r"^encoder\.(F0|N|shared|F0_proj|N_proj)\b"), r"predictor.\1"),
    (re.compile(r"^encoder\."), ""),
    (re.compile(r"^decoder\.decoder\."), "decoder."),
    # A Sequential's child inside a block's scope: `cnn.0.cnn.0.0` is `cnn.0.0`.
    (re.compile(r"(\w+)\.(\d+)\.\1\.\2\.(\d+)"), r"\1.\2.\3"),
    (re.compile(r"asr_res\.asr_res\.0"), "asr_res.0"),
    (re.compile(r"generator\.stft\.istft\.stft\."), "generator.istft."),
    # ALBERT runs its one shared layer 12 times; the copies are `query_1` … `query_11`.
    (re.compile(r"^(bert\.layer\.[\w.]*?)_\d+$"), r"\1"),
)


def module_name(graph_name: str) -> str:
    """`/encoder/F0.1/conv1/Conv_quant` or `encoder.predictor.F0.1.conv1.bias` in our names."""
    if graph_name.startswith("/"):
        graph_name = ".".join(graph_name.strip("/").split("/")[:-1])
    for pattern, replacement in _RENAMES:
        graph_name = pattern.sub(replacement, graph_name)
    return graph_name


class KokoroWeights:
    """Every float tensor the modules need, by our module names (`decoder.encode.conv1.weight`).
    LSTM weights keep ONNX's layout: `W` [2, 4H, in], `R` [2, 4H, H], `B` [2, 8H], gates i, o,
    f, c. `scales` holds the weight scales of the layers the graph runs on quantised activations
    (`kokoro_torch.quantised`): by module path for a linear or conv, `path.W` and `path.R` (one
    per direction) for an LSTM."""

    def __init__(
        self, tensors: dict[str, np.ndarray], scales: dict[str, np.ndarray] | None = None
    ) -> None:
        self.tensors = tensors
        self.scales = scales or {}

    def __getitem__(self, name: str) -> np.ndarray:
        try:
            return self.tensors[name]
        except KeyError:
            raise InputError(f"the Kokoro model has no tensor for {name}") from None


def read_weights(model_path: Path) -> KokoroWeights:
    """Dequantise the model's weights. Raises `InputError` for a file that is not an ONNX model."""
    try:
        model = onnx.load(str(model_path))
    except (OSError, ValueError, onnx.onnx_cpp2py_export.checker.ValidationError) as error:
        raise InputError(f"cannot load the Kokoro model {model_path}: {error}") from None
    graph = model.graph
    values = {init.name: numpy_helper.to_array(init) for init in graph.initializer}
    for node in graph.node:
        if node.op_type == "Constant" and node.attribute[0].type == onnx.AttributeProto.TENSOR:
            values[node.output[0]] = numpy_helper.to_array(node.attribute[0].t)
    nodes_by_name = {node.name: node for node in graph.node}
    dequantisers = {
        node.input[0]: node for node in graph.node if node.op_type == "DequantizeLinear"
    }
    tensors: dict[str, np.ndarray] = {}
    scales: dict[str, np.ndarray] = {}
    for name, value in values.items():
        if value.dtype == np.float32 and re.match(r"^(encoder|decoder)\.", name):
            tensors[module_name(name)] = value
    for node in graph.node:
        path = module_name(node.name) if node.name.startswith("/") else ""
        if node.op_type == "MatMulInteger" and node.input[1] in values:
            scale = values[nodes_by_name[node.name + "_scales_mul"].input[1]]
            weight = _dequantise(values[node.input[1]], values[node.input[3]], scale)
            tensors[path + ".weight"] = weight.T.copy()
            scales[path] = scale
        elif node.op_type == "ConvInteger":
            quantised = node.input[1]
            scale = values[quantised.removesuffix("_quantized") + "_scale"]
            tensors[path + ".weight"] = _dequantise(values[quantised], values[node.input[3]], scale)
            scales[path] = scale
        elif node.op_type in ("Conv", "ConvTranspose", "MatMul") and node.input[1] in values:
            weight = values[node.input[1]]
            tensors[path + ".weight"] = weight.T.copy() if node.op_type == "MatMul" else weight
            if len(node.input) > 2 and node.input[2] in values:
                tensors[path + ".bias"] = values[node.input[2]]
        elif node.op_type == "STFT":
            tensors[path + ".stft.window"] = values[node.input[2]]
        elif node.op_type == "Gather" and node.name.endswith("_quant"):
            dequantiser = dequantisers[node.output[0]]
            scale, zero = values[dequantiser.input[1]], values[dequantiser.input[2]]
            tensors[path + ".weight"] = _dequantise(values[node.input[0]], zero, scale)
        elif node.op_type == "DynamicQuantizeLSTM":
            w_q, r_q, bias = (values[name] for name in node.input[1:4])
            w_scale, w_zero, r_scale, r_zero = (values[name] for name in node.input[8:12])
            tensors[path + ".W"] = _per_direction(w_q, w_zero, w_scale)
            tensors[path + ".R"] = _per_direction(r_q, r_zero, r_scale)
            tensors[path + ".B"] = bias
            scales[path + ".W"], scales[path + ".R"] = w_scale, r_scale
    return KokoroWeights(tensors, scales)


def _dequantise(quantised: np.ndarray, zero: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """(q - zero) x scale, broadcast over the last axis (a column's scale) or a scalar."""
    return ((quantised.astype(np.int32) - zero.astype(np.int32)).astype(np.float32) * scale).astype(
        np.float32
    )


def _per_direction(quantised: np.ndarray, zero: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """An LSTM's [2, in, 4H] int8 weights with one scale per direction, as [2, 4H, in] floats."""
    shape = (-1, 1, 1)
    weight = _dequantise(quantised, zero.reshape(shape), scale.reshape(shape))
    return np.ascontiguousarray(weight.transpose(0, 2, 1))
