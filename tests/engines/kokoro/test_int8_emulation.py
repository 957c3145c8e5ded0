"""The torch emulation of the int8 graph's layers against onnxruntime running the same nodes.

Each check builds the graph's own pattern (`DynamicQuantizeLinear` → `MatMulInteger` → scale, or
→ `ConvInteger` with the dynamically quantised, floored bias) with random weights, runs it with
onnxruntime's optimisations off, and asks for the same float32 bytes; no Kokoro model needed.
"""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime
import torch
from onnx import TensorProto, helper, numpy_helper
from torch import nn

from narration.engines.kokoro_torch.quantised import QuantisedConv1d, QuantisedLinear, quantise

RNG = np.random.default_rng(7)


def _run(nodes: list[onnx.NodeProto], inits: dict[str, np.ndarray], x: np.ndarray) -> list:
    graph = helper.make_graph(
        nodes,
        "emulated",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x.shape))],
        [
            helper.make_tensor_value_info("y", TensorProto.FLOAT, None),
            helper.make_tensor_value_info("q", TensorProto.UINT8, None),
        ],
        [numpy_helper.from_array(value, name) for name, value in inits.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    options = onnxruntime.SessionOptions()
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
    session = onnxruntime.InferenceSession(model.SerializeToString(), options)
    return session.run(["y", "q"], {"x": x})


def _int8(shape: tuple[int, ...]) -> np.ndarray:
    return RNG.integers(-127, 128, size=shape).astype(np.int8)


def test_quantise_is_dynamic_quantize_linear() -> None:
    x = (RNG.standard_normal((1, 50, 64)) * 3 + 1).astype(np.float32)
    node = helper.make_node("DynamicQuantizeLinear", ["x"], ["q", "y", "zero"])
    scale, q = _run([node], {}, x)
    centred, ours = quantise(torch.from_numpy(x))
    assert float(ours[0]) == float(scale)
    zero = q.astype(np.float32) - centred.numpy()
    assert np.unique(zero).size == 1
    assert np.array_equal(centred.numpy() + zero, q.astype(np.float32))


def test_a_linear_layer_is_matmul_integer_rescaled() -> None:
    x = (RNG.standard_normal((1, 9, 48)) * 2).astype(np.float32)
    weights, scales = _int8((48, 32)), (RNG.random(32) * 0.01 + 1e-3).astype(np.float32)
    nodes = [
        helper.make_node("DynamicQuantizeLinear", ["x"], ["xq", "xs", "xz"]),
        helper.make_node("MatMulInteger", ["xq", "w", "xz", "wz"], ["acc"]),
        helper.make_node("Cast", ["acc"], ["accf"], to=TensorProto.FLOAT),
        helper.make_node("Mul", ["xs", "ws"], ["step"]),
        helper.make_node("Mul", ["accf", "step"], ["y"]),
        helper.make_node("Identity", ["xq"], ["q"]),
    ]
    inits = {"w": weights, "wz": np.zeros(32, np.int8), "ws": scales}
    expected, _ = _run(nodes, inits, x)
    linear = nn.Linear(48, 32, bias=False)
    linear.weight.data = torch.from_numpy((weights.astype(np.float32) * scales).T.copy())
    ours = QuantisedLinear(linear, scales)(torch.from_numpy(x))
    assert ours.numpy().tobytes() == expected.tobytes()


def test_a_conv_is_conv_integer_with_its_bias_floored_at_the_products_scale() -> None:
    x = (RNG.standard_normal((1, 16, 40)) * 2 - 0.5).astype(np.float32)
    weights = RNG.integers(0, 256, size=(24, 16, 3)).astype(np.uint8)
    zero, scale = np.uint8(128), np.float32(0.004)
    bias = (RNG.standard_normal(24) * 0.05).astype(np.float32)
    nodes = [
        helper.make_node("DynamicQuantizeLinear", ["x"], ["xq", "xs", "xz"]),
        helper.make_node("ConvInteger", ["xq", "w", "xz", "wz"], ["acc"], pads=[1, 1]),
        helper.make_node("Mul", ["xs", "ws"], ["step"]),
        helper.make_node("Div", ["b", "step"], ["ratio"]),
        helper.make_node("Floor", ["ratio"], ["floored"]),
        helper.make_node("Cast", ["floored"], ["bq"], to=TensorProto.INT32),
        helper.make_node("Reshape", ["bq", "shape"], ["bqr"]),
        helper.make_node("Add", ["acc", "bqr"], ["total"]),
        helper.make_node("Cast", ["total"], ["totalf"], to=TensorProto.FLOAT),
        helper.make_node("Mul", ["totalf", "step"], ["y"]),
        helper.make_node("Identity", ["xq"], ["q"]),
    ]
    inits: dict[str, np.ndarray] = {
        "w": weights,
        "wz": np.array(zero),
        "ws": np.array(scale),
        "b": bias,
        "shape": np.array([1, -1, 1], np.int64),
    }
    expected, _ = _run(nodes, inits, x)
    conv = nn.Conv1d(16, 24, 3, padding=1)
    conv.weight.data = torch.from_numpy((weights.astype(np.float32) - zero) * scale)
    conv.bias = nn.Parameter(torch.from_numpy(bias))
    with torch.no_grad():
        ours = QuantisedConv1d(conv, np.array(scale))(torch.from_numpy(x))
    assert ours.numpy().tobytes() == expected.tobytes()


def test_items_are_quantised_alone_so_a_batch_changes_no_bytes() -> None:
    conv = nn.Conv1d(8, 8, 5, padding=2)
    layer = QuantisedConv1d(conv, np.array(np.float32(0.01)))
    short = torch.randn(1, 8, 30)
    long = torch.randn(1, 8, 50) * 4
    padded = torch.cat([torch.nn.functional.pad(short, (0, 20)), long])
    with torch.no_grad():
        alone = layer(short)
        together = layer(padded)
    assert together[0, :, :30].numpy().tobytes() == alone[0].numpy().tobytes()
