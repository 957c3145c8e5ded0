"""fp16 on the CPU: float16 values, float32 arithmetic.

torch 2.13's CPU build has a float16 kernel for every op Kokoro uses, but on a CPU without
native half arithmetic (x86 before AVX-512 FP16 / AMX-FP16) convolutions, transposed
convolutions, matrix products and LSTMs in float16 take reference loops: on this project's
AVX-512 development machine they ran 100 to 500 times slower than in float32 (a sentence took
minutes), where bfloat16 has fast kernels. So on the CPU `fp16` keeps the model in float32 with
its weights and buffers rounded to float16, and rounds the output of every layer that does
arithmetic across values (convolutions, linear layers, embeddings, LSTMs) to float16: what a
GPU's half-precision matrix products give, float16 operands summed in float32 and rounded once.
The element-wise steps in between (norms, activations, the source) run in float32. The weights
stay float32 in memory: fp16 on the CPU saves no memory.
"""

from __future__ import annotations

from typing import Any, Final

import torch
from torch import nn

from narration.engines.kokoro_torch.layers import BiLSTM

ROUNDED: Final = (nn.Conv1d, nn.ConvTranspose1d, nn.Linear, nn.Embedding, BiLSTM)
"""The layers whose outputs are rounded to float16."""


def emulate_half(model: nn.Module) -> nn.Module:
    """`model`, on the CPU in float32, computing as float16 does (see the module's docstring)."""
    model.to(device="cpu", dtype=torch.float32)
    with torch.no_grad():
        for tensor in [*model.parameters(), *model.buffers()]:
            if tensor.is_floating_point():
                tensor.copy_(tensor.half())
    for module in model.modules():
        if isinstance(module, ROUNDED):
            module.register_forward_hook(_round_output)
    return model


def _round_output(module: nn.Module, inputs: Any, output: torch.Tensor) -> torch.Tensor:
    return output.half().float()
