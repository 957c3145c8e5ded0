"""Kokoro voices on the `torch` engine: our PyTorch Kokoro, batched, on a GPU or the CPU.

Text, pieces, style rows, speed and word timings are the onnxruntime engine's
(`engines.kokoro`); only the model differs (`kokoro_torch.model`, durations from its own
predictor). Requests from many chunks run together: their pieces are grouped by token bucket for
the text stage, then by frame bucket for the decoder, with the Piper torch engine's buckets and
CPU guard, so an item's padded shape depends on its own length only and, on the CPU, its bytes
do not depend on what shares its batch. The model draws no noise: `seed` has nothing to fix.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import numpy as np
import torch

from narration.engines.alignment import Phone, word_timings
from narration.engines.kokoro import assets
from narration.engines.kokoro.g2p import G2P_VERSION, KokoroG2P
from narration.engines.kokoro.session import read_style
from narration.engines.kokoro.timing import timed_phones
from narration.engines.kokoro.tokens import pieces
from narration.engines.kokoro.vocab import PAD_ID, token_ids
from narration.engines.kokoro.voice import language_of
from narration.engines.kokoro_torch.cpu_half import emulate_half
from narration.engines.kokoro_torch.model import SAMPLES_PER_FRAME, KokoroModel, TokenFeatures
from narration.engines.torch_vits import (
    BUCKETS_TAG,
    CPU_GUARD,
    DETERMINISM_CPU,
    DETERMINISM_CUDA,
    ENGINE_NAME,
    FRAME_BUCKETS,
    PHONEME_BUCKETS,
    PRECISIONS,
    bucket,
    check_options,
    device_kind,
    length_batches,
)
from narration.errors import InputError
from narration.pipeline.engine import (
    EngineFacts,
    Synthesis,
    SynthesisParams,
    SynthesisRequest,
    VoiceInfo,
)
from narration.pipeline.speech_text import speakable

SAMPLE_RATE = 24_000
INT8_EMULATED = "fp32-int8"
"""The precision's name when the model emulates the graph's 8-bit activations."""
_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Piece:
    """One model input: a piece of one request's phonemes, its ids with both pads, its speed."""

    request: int
    phonemes: str
    ids: list[int]
    speed: float


@dataclass(frozen=True)
class _Timed:
    """A piece after the text stage: its own row of the features, its frames per token."""

    piece: _Piece
    features: TokenFeatures
    frames: int


class TorchKokoroEngine:
    """A Kokoro voice on PyTorch, loaded once per worker process. Use `TorchKokoroEngine.load`."""

    name: str = ENGINE_NAME

    def __init__(
        self,
        voice: VoiceInfo,
        g2p: KokoroG2P,
        model: KokoroModel,
        styles: np.ndarray,
        device: torch.device,
        dtype: torch.dtype,
        max_batch: int,
        facts: EngineFacts,
        identity: str,
    ) -> None:
        self.voice = voice
        self.g2p = g2p
        self.model = model
        self._styles = styles
        self.device = device
        self.dtype = dtype
        self.max_batch = max_batch
        self.facts = facts
        self.identity = identity
        # As for Piper on torch: keep an item's values off ATen's scalar tail of a CPU row.
        self._guard = CPU_GUARD if device.type == "cpu" else 0

    @classmethod
    def load(
        cls,
        voice: VoiceInfo,
        device: str = "cpu",
        precision: str = "fp32",
        threads: int | None = None,
        max_batch: int = 16,
        int8: bool = False,
    ) -> TorchKokoroEngine:
        """Load `voice` onto `device` (`auto`, `cpu`, `cuda`, `cuda:N`) in `precision`; the
        model's and voice's files are checked against their pins first. `int8` emulates the
        graph's 8-bit activations (`kokoro_torch.quantised`; fp32 only)."""
        started = time.perf_counter()
        target = check_options(device, precision, max_batch)
        if int8 and precision != "fp32":
            raise InputError(f"the int8 emulation runs in fp32, not {precision}")
        label = INT8_EMULATED if int8 else precision
        if target.type == "cpu" and threads:
            torch.set_num_threads(threads)
        if target.type == "cuda":
            torch.backends.cuda.matmul.allow_tf32 = False
            torch.backends.cudnn.allow_tf32 = False
            torch.backends.cudnn.benchmark = False
            torch.backends.cudnn.deterministic = True
        model_path = assets.verified(assets.model_path(), assets.MODEL_SHA256)
        style_path = assets.verified(Path(voice.path), assets.VOICE_SHA256[voice.name])
        dtype = PRECISIONS[precision]
        model = KokoroModel.load(model_path, int8=int8)
        if target.type == "cpu" and dtype == torch.float16:
            emulate_half(model)  # the CPU's float16 kernels are reference loops
            dtype = torch.float32
        else:
            model.to(device=target, dtype=dtype)
        model.prepare()
        kind = device_kind(target)
        determinism = DETERMINISM_CPU if target.type == "cpu" else DETERMINISM_CUDA
        facts = EngineFacts(ENGINE_NAME, kind, label, determinism)
        identity = (
            f"{assets.FAMILY} ({ENGINE_NAME} {torch.__version__}, buckets {BUCKETS_TAG}, "
            f"espeak-ng of piper-tts {version('piper-tts')}, g2p {G2P_VERSION}) {kind} "
            f"{label} {voice.name} model {assets.MODEL_SHA256} "
            f"voice {assets.VOICE_SHA256[voice.name]}"
        )
        g2p = KokoroG2P(language_of(voice.name).espeak)
        styles = read_style(style_path)
        engine = cls(voice, g2p, model, styles, target, dtype, max_batch, facts, identity)
        engine.synthesize("Hello there.", SynthesisParams())
        _LOGGER.info(
            "loaded Kokoro voice %s on %s (%s) in %.2f s",
            voice.name,
            target,
            label,
            time.perf_counter() - started,
        )
        return engine

    @property
    def sample_rate(self) -> int:
        return SAMPLE_RATE

    def prepare_text(self, text: str) -> str:
        return speakable(text, self.voice.language)

    def phonemes(self, text: str) -> str:
        return self.g2p.phonemes(text)

    def synthesize(self, text: str, params: SynthesisParams) -> Synthesis:
        return self.synthesize_many([SynthesisRequest(text, params)])[0]

    def synthesize_many(self, requests: Sequence[SynthesisRequest]) -> list[Synthesis]:
        """Every piece of every request in as few device batches as the buckets allow."""
        items = []
        for number, request in enumerate(requests):
            scale = request.params.length_scale
            speed = 1.0 / scale if scale else 1.0
            for piece in pieces(self.g2p.phonemes(request.text)):
                ids = [PAD_ID, *token_ids(piece), PAD_ID]
                items.append(_Piece(number, piece, ids, speed))
        made = self.run(items)
        return [
            self._assemble(
                request.text, [(p, a) for p, a in zip(items, made, strict=True) if p.request == n]
            )
            for n, request in enumerate(requests)
        ]

    def run(self, items: Sequence[_Piece]) -> list[tuple[np.ndarray, np.ndarray]]:
        """Each item's audio and samples per token, in order."""
        timed: list[_Timed | None] = [None] * len(items)
        for group in length_batches(items, self._token_bucket_of, self.max_batch):
            for index, done in zip(group, self._text([items[i] for i in group]), strict=True):
                timed[index] = done
        ready = [item for item in timed if item is not None]
        made: list[tuple[np.ndarray, np.ndarray] | None] = [None] * len(items)
        for group in length_batches(ready, self._frame_bucket_of, self.max_batch):
            for index, audio in zip(group, self._audio([ready[i] for i in group]), strict=True):
                made[index] = audio
        return [audio for audio in made if audio is not None]

    def _token_bucket_of(self, item: _Piece) -> int:
        return bucket(len(item.ids) + self._guard, PHONEME_BUCKETS)

    def _frame_bucket_of(self, item: _Timed) -> int:
        return bucket(item.frames + self._guard, FRAME_BUCKETS)

    def _style(self, item: _Piece) -> torch.Tensor:
        row = self._styles[min(len(item.ids) - 2, len(self._styles)) - 1]
        return torch.from_numpy(row)

    @torch.inference_mode()
    def _text(self, items: Sequence[_Piece]) -> list[_Timed]:
        length = max(self._token_bucket_of(item) for item in items)
        ids = torch.zeros((len(items), length), dtype=torch.long)
        for row, item in enumerate(items):
            ids[row, : len(item.ids)] = torch.tensor(item.ids)
        lengths = torch.tensor([len(item.ids) for item in items], device=self.device)
        styles = torch.stack([self._style(item) for item in items]).to(self.device, self.dtype)
        speeds = torch.tensor([item.speed for item in items], device=self.device)
        features = self.model.durations(ids.to(self.device), lengths, styles, speeds)
        totals = features.frames.sum(1).tolist()
        return [
            _Timed(
                item,
                TokenFeatures(
                    features.prosody[row : row + 1],
                    features.acoustic[row : row + 1],
                    features.frames[row : row + 1],
                ),
                int(totals[row]),
            )
            for row, item in enumerate(items)
        ]

    @torch.inference_mode()
    def _audio(self, items: Sequence[_Timed]) -> list[tuple[np.ndarray, np.ndarray]]:
        tokens = max(item.features.frames.shape[1] for item in items)
        frames = self._frame_bucket_of(max(items, key=lambda item: item.frames))

        def padded(tensor: torch.Tensor, axis: int) -> torch.Tensor:
            widths = [0, 0] * (tensor.dim() - axis - 1) + [0, tokens - tensor.shape[axis]]
            return torch.nn.functional.pad(tensor, widths)

        batch = TokenFeatures(
            torch.cat([padded(item.features.prosody, 1) for item in items]),
            torch.cat([padded(item.features.acoustic, 2) for item in items]),
            torch.cat([padded(item.features.frames, 1) for item in items]),
        )
        styles = torch.stack([self._style(item.piece) for item in items]).to(
            self.device, self.dtype
        )
        rendered, counts = self.model.render(batch, styles, frames)
        audio = rendered.float().cpu().numpy()
        return [
            (
                np.clip(audio[row, : counts[row] * SAMPLES_PER_FRAME], -1.0, 1.0),
                item.features.frames[0].cpu().numpy().astype(np.int64) * SAMPLES_PER_FRAME,
            )
            for row, item in enumerate(items)
        ]

    def _assemble(
        self, text: str, made: Sequence[tuple[_Piece, tuple[np.ndarray, np.ndarray]]]
    ) -> Synthesis:
        """One request's pieces joined, with word timings from the durations."""
        audio: list[np.ndarray] = []
        phones: list[Phone] = []
        offset = group = 0
        for item, (pcm, samples) in made:
            timed, group = timed_phones(item.phonemes, samples, offset, len(pcm), group)
            phones.extend(timed)
            audio.append(pcm)
            offset += len(pcm)
        pcm = np.concatenate(audio) if audio else np.zeros(0, dtype=np.float32)
        words = word_timings(text, phones, len(pcm), SAMPLE_RATE, self.g2p.word)
        return Synthesis(pcm=pcm, sample_rate=SAMPLE_RATE, words=words)
