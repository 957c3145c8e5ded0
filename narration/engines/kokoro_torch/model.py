"""Kokoro-82M in PyTorch, loaded from the int8 ONNX model the onnxruntime engine runs.

Two stages, so a batch can be regrouped between them: `durations` reads padded token ids
(the two pad ids included) and gives each token's whole frames; `render` expands the tokens to
frames and decodes them to audio. A batch is padded to lengths the caller picks (the torch
engine's buckets); each item's audio is its first `600 x frames` samples. Loaded with `int8`,
the layers the graph runs on 8-bit activations do the same (`kokoro_torch.quantised`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import torch
from torch import nn

from narration.engines.kokoro_torch.albert import Albert
from narration.engines.kokoro_torch.decoder import Decoder
from narration.engines.kokoro_torch.layers import BiLSTM
from narration.engines.kokoro_torch.prosody import ProsodyPredictor, TextEncoder
from narration.engines.kokoro_torch.quantised import emulate_int8
from narration.engines.kokoro_torch.weights import read_weights
from narration.errors import InputError

VOCAB: Final = 178
POSITIONS: Final = 512
SAMPLES_PER_FRAME: Final = 600
STYLE: Final = 128


@dataclass(frozen=True)
class TokenFeatures:
    """A batch after the text stage: what `render` needs, per token."""

    prosody: torch.Tensor
    """[B, T, 640] the duration encoder's features."""
    acoustic: torch.Tensor
    """[B, 512, T] the text encoder's features."""
    frames: torch.Tensor
    """[B, T] whole frames per token, 0 on padding."""


class KokoroModel(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.bert = Albert(VOCAB, POSITIONS)
        self.bert_encoder = nn.Linear(768, 512)
        self.predictor = ProsodyPredictor()
        self.text_encoder = TextEncoder(VOCAB)
        self.decoder = Decoder()

    @classmethod
    def load(cls, model_path: Path, int8: bool = False) -> KokoroModel:
        """The model with every weight from `model_path`, in eval mode on the CPU in float32;
        with `int8`, emulating the graph's dynamic quantisation of activations (float32 only:
        it must not be moved to another dtype)."""
        weights = read_weights(model_path)
        model = cls()
        state = model.state_dict()
        missing = [name for name in state if name not in weights.tensors]
        if missing:
            raise InputError(f"the Kokoro model {model_path} lacks {', '.join(missing[:5])}")
        loaded = {}
        for name, tensor in state.items():
            value = torch.from_numpy(weights[name].copy())
            if value.shape != tensor.shape:
                raise InputError(
                    f"the Kokoro model's {name} is {tuple(value.shape)}, not {tuple(tensor.shape)}"
                )
            loaded[name] = value
        model.load_state_dict(loaded)
        if int8:
            emulate_int8(model, weights.scales)
        return model.eval().requires_grad_(False)

    def prepare(self) -> None:
        """Rebuild the LSTMs after a move to another device or dtype."""
        for module in self.modules():
            if isinstance(module, BiLSTM):
                module.prepare()

    def durations(
        self, ids: torch.Tensor, lengths: torch.Tensor, style: torch.Tensor, speed: torch.Tensor
    ) -> TokenFeatures:
        """`ids` [B, T] padded token ids, `lengths` [B], `style` [B, 256], `speed` [B]."""
        valid = torch.arange(ids.shape[1], device=ids.device) < lengths.unsqueeze(1)
        mask = valid.unsqueeze(1).to(style.dtype)
        bert = self.bert(ids, valid)
        encoded = self.bert_encoder(bert).transpose(1, 2) * mask
        prosody_style = style[:, STYLE:]
        prosody = self.predictor.text_encoder(encoded, prosody_style, lengths, mask)
        frames = self.predictor.durations(prosody, lengths, speed)
        acoustic = self.text_encoder(ids, lengths, mask)
        return TokenFeatures(prosody, acoustic, frames)

    def render(
        self, features: TokenFeatures, style: torch.Tensor, padded_frames: int
    ) -> tuple[torch.Tensor, list[int]]:
        """Audio [B, 600 x padded_frames] and each item's real frames."""
        frames = features.frames
        totals = frames.sum(1)
        ends = torch.cumsum(frames, dim=1)
        starts = ends - frames
        steps = torch.arange(padded_frames, device=frames.device).view(1, 1, -1)
        alignment = (steps >= starts.unsqueeze(-1)) & (steps < ends.unsqueeze(-1))
        alignment = alignment.to(features.acoustic.dtype)
        expanded = features.prosody.transpose(1, 2) @ alignment
        prosody_style, decoder_style = style[:, STYLE:], style[:, :STYLE]
        f0, energy = self.predictor.curves(expanded, prosody_style, totals)
        asr = features.acoustic @ alignment
        counts = [int(n) for n in totals.tolist()]
        audio = self.decoder(asr, f0, energy, decoder_style, counts)
        return audio, counts

    def forward(
        self,
        ids: torch.Tensor,
        lengths: torch.Tensor,
        style: torch.Tensor,
        speed: torch.Tensor,
        padded_frames: int | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor, Sequence[int]]:
        """Audio, frames per token and each item's frames; padded to the longest item if
        `padded_frames` is None."""
        features = self.durations(ids, lengths, style, speed)
        longest = int(features.frames.sum(1).max())
        audio, counts = self.render(features, style, padded_frames or longest)
        return audio, features.frames, counts
