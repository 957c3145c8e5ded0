"""Kokoro's phoneme-level BERT (PL-BERT): an ALBERT encoder that runs one shared layer 12 times.

Embeddings of 128 (word, position, token type 0), layer-normed and mapped to 768; each pass is
12-head self-attention and a 2048-wide feed-forward with the tanh GELU, both post-norm with eps
1e-12, as Hugging Face's `AlbertModel` computes. Padded keys are masked with float32's lowest
value, so a padded item attends to its own tokens only, and every linear layer's input is zero on
padded tokens (`rows`), so the int8 emulation's per-item range covers the item's own tokens.
"""

from __future__ import annotations

from typing import Final

import torch
from torch import nn
from torch.nn import functional

HIDDEN: Final = 768
HEADS: Final = 12
PASSES: Final = 12
EMBEDDING: Final = 128
LAYER_NORM_EPS: Final = 1e-12


class AlbertEmbeddings(nn.Module):
    def __init__(self, vocab: int, positions: int) -> None:
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab, EMBEDDING)
        self.position_embeddings = nn.Embedding(positions, EMBEDDING)
        self.token_type_embeddings = nn.Embedding(2, EMBEDDING)
        self.LayerNorm = nn.LayerNorm(EMBEDDING, eps=LAYER_NORM_EPS)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        # A bucket may pad past the last position; padded tokens are masked out anyway.
        count = self.position_embeddings.num_embeddings
        positions = torch.arange(ids.shape[1], device=ids.device).clamp(max=count - 1).unsqueeze(0)
        summed = (
            self.word_embeddings(ids)
            + self.token_type_embeddings(torch.zeros_like(ids))
            + self.position_embeddings(positions)
        )
        return self.LayerNorm(summed)


class AlbertAttention(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.query = nn.Linear(HIDDEN, HIDDEN)
        self.key = nn.Linear(HIDDEN, HIDDEN)
        self.value = nn.Linear(HIDDEN, HIDDEN)
        self.dense = nn.Linear(HIDDEN, HIDDEN)
        self.LayerNorm = nn.LayerNorm(HIDDEN, eps=LAYER_NORM_EPS)

    def forward(self, x: torch.Tensor, key_bias: torch.Tensor, rows: torch.Tensor) -> torch.Tensor:
        batch, length, _ = x.shape
        x = x * rows

        def heads(t: torch.Tensor) -> torch.Tensor:
            return t.view(batch, length, HEADS, HIDDEN // HEADS).transpose(1, 2)

        scores = heads(self.query(x)) @ heads(self.key(x)).transpose(-1, -2)
        scores = scores / (HIDDEN // HEADS) ** 0.5 + key_bias
        context = torch.softmax(scores.float(), dim=-1).to(x.dtype) @ heads(self.value(x))
        context = context.transpose(1, 2).reshape(batch, length, HIDDEN) * rows
        return self.LayerNorm(x + self.dense(context))


class AlbertLayer(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.attention = AlbertAttention()
        self.ffn = nn.Linear(HIDDEN, 2048)
        self.ffn_output = nn.Linear(2048, HIDDEN)
        self.full_layer_layer_norm = nn.LayerNorm(HIDDEN, eps=LAYER_NORM_EPS)

    def forward(self, x: torch.Tensor, key_bias: torch.Tensor, rows: torch.Tensor) -> torch.Tensor:
        """`rows` [B, T, 1]: 1.0 on real tokens, 0.0 on padding."""
        attended = self.attention(x, key_bias, rows) * rows
        hidden = functional.gelu(self.ffn(attended), approximate="tanh") * rows
        return self.full_layer_layer_norm(attended + self.ffn_output(hidden))


class Albert(nn.Module):
    """Token ids [B, T] and their real-token mask [B, T] → hidden states [B, T, 768]."""

    def __init__(self, vocab: int, positions: int) -> None:
        super().__init__()
        self.embeddings = AlbertEmbeddings(vocab, positions)
        self.embedding_hidden_mapping_in = nn.Linear(EMBEDDING, HIDDEN)
        self.layer = AlbertLayer()

    def forward(self, ids: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
        """Hidden states, zero on padded tokens."""
        embedded = self.embeddings(ids)
        rows = valid.unsqueeze(-1).to(embedded.dtype)
        x = self.embedding_hidden_mapping_in(embedded * rows)
        lowest = torch.finfo(torch.float32).min
        key_bias = torch.where(valid, 0.0, lowest)[:, None, None, :].to(x.dtype)
        for _ in range(PASSES):
            x = self.layer(x, key_bias, rows)
        return x * rows
