"""The `torch` engine: Piper voices on our own batched PyTorch VITS, on a GPU or the CPU.

It reads the voice's weights from its `.onnx` file (`vits_weights`), runs them with
`vits_model`, and shares everything else with the `piper` engine: espeak phonemization and word
timings (`piper_text`), and the noise. Each sentence draws its noise exactly as the `piper`
engine feeds its rewritten graph (`seeded_graph.standard_normal(seed, sentence, node, size)`,
node 0 the duration predictor's [2, ids], node 1 the prior's [channels, frames]), so with the
same parameters the two engines make the same speech (to ~1e-5, durations identical); a chunk's
seed does not name the runtime (`pipeline.chunk_key.chunk_seed`), so in a job too.

Batches: sentences from any number of requests are grouped by phoneme-length bucket for the
front end, then by frame-length bucket for the flow and decoder. An item's bucket depends on
its own length only, so its padded shape, and on the CPU its bytes, do not depend on what shares
its batch (docs/ENGINE.md).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, TypeVar

import numpy as np
import torch

from narration.engines.piper_text import PiperText, Sentence, SentenceAudio, read_config
from narration.engines.registry import AUTO_DEVICE
from narration.engines.seeded_graph import standard_normal
from narration.engines.vits_model import FrontEnd, VitsModel
from narration.engines.vits_weights import read_weights
from narration.engines.voices import model_digest
from narration.errors import InputError
from narration.pipeline.engine import (
    EngineFacts,
    Synthesis,
    SynthesisParams,
    SynthesisRequest,
    VoiceInfo,
)
from narration.pipeline.speech_text import speakable

ENGINE_NAME: Final = "torch"
PRECISIONS: Final = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}
DP_NOISE: Final = 0
PRIOR_NOISE: Final = 1
"""Noise streams, numbered as the `piper` engine numbers its graph's noise inputs."""


def _ladder(start: int, ratio: float, quantum: int, top: int) -> tuple[int, ...]:
    sizes = [start]
    while sizes[-1] < top:
        sizes.append(-(-int(sizes[-1] * ratio) // quantum) * quantum)
    return tuple(sizes)


PHONEME_BUCKETS: Final = _ladder(32, 1.25, 16, 1024)
FRAME_BUCKETS: Final = _ladder(64, 1.25, 32, 8192)
"""Fixed padded lengths, about 25 % apart: few shapes (the decoder is ~80 % of the work and a
batch is as long as its bucket), and an item's shape is a function of its own length."""
CPU_GUARD: Final = 32
"""Padding every item keeps at its end on the CPU: ATen's vector loops handle up to 2 x 16
float32 lanes per step and leave the rest of a row to scalar code."""
BUCKETS_TAG: Final = hashlib.blake2b(
    repr((PHONEME_BUCKETS, FRAME_BUCKETS, CPU_GUARD)).encode(), digest_size=3
).hexdigest()

DETERMINISM_CPU: Final = (
    "byte-identical whatever shares the batch, for the same torch version, CPU type, "
    "thread count and precision"
)
DETERMINISM_CUDA: Final = (
    "byte-identical for the same GPU model, torch and CUDA versions, precision and batch shape; "
    "not promised across batch sizes (cuDNN and cuBLAS may pick kernels by shape)"
)

_LOGGER = logging.getLogger(__name__)


def bucket(length: int, ladder: Sequence[int]) -> int:
    """The padded length for `length`: the first rung that holds it, beyond the top a multiple
    of the top rung's quarter."""
    for size in ladder:
        if length <= size:
            return size
    step = ladder[-1] // 4
    return -(-length // step) * step


@dataclass(frozen=True)
class _Item:
    """One sentence of one request, with its own scales and seed."""

    sentence: Sentence
    seed: int
    noise_scale: float
    length_scale: float
    noise_w: float


@dataclass(frozen=True)
class _Prior:
    """An item after the front end: the prior's mean and log-scale per frame, frames per id."""

    item: _Item
    mean: torch.Tensor
    log_scale: torch.Tensor
    durations: torch.Tensor
    frames: int


class TorchVitsEngine:
    """A Piper voice on PyTorch, loaded once per worker process. Use `TorchVitsEngine.load`."""

    name: str = ENGINE_NAME

    def __init__(
        self,
        voice: VoiceInfo,
        text: PiperText,
        model: VitsModel,
        max_batch: int,
        facts: EngineFacts,
        identity: str,
    ) -> None:
        self.voice = voice
        self.text = text
        self.model = model
        self.max_batch = max_batch
        self.facts = facts
        self.identity = identity
        self._config = text.config
        # On the CPU ATen computes the last few elements of a tensor row on a scalar path whose
        # last bits can differ from the vector path's: keep an item's own values off them.
        self._guard = CPU_GUARD if model.device.type == "cpu" else 0

    @classmethod
    def load(
        cls,
        voice: VoiceInfo,
        device: str = "cpu",
        precision: str = "fp32",
        threads: int | None = None,
        max_batch: int = 16,
    ) -> TorchVitsEngine:
        """Load `voice` onto `device` (`auto`, `cpu`, `cuda`, `cuda:N`) with the decoder in
        `precision`."""
        started = time.perf_counter()
        target = check_options(device, precision, max_batch)
        if target.type == "cpu" and threads:
            torch.set_num_threads(threads)
        if target.type == "cuda":
            # Parity with onnxruntime needs full float32 matmuls and convs in the front end.
            torch.backends.cuda.matmul.allow_tf32 = False
            torch.backends.cudnn.allow_tf32 = False
            torch.backends.cudnn.benchmark = False
            torch.backends.cudnn.deterministic = True
        model_path = Path(voice.path)
        config = read_config(model_path, voice.name)
        if int(config.get("num_speakers", 1)) > 1:
            raise InputError(
                f"voice {voice.name} has several speakers; the torch engine reads single-speaker "
                "voices only (use --engine piper)"
            )
        weights = read_weights(model_path, voice.name)
        model = VitsModel(weights, target, PRECISIONS[precision])
        text = PiperText.from_config(config)
        if model.hop_length != text.config.hop_length:
            raise InputError(
                f"voice {voice.name}: the decoder upsamples by {model.hop_length}, "
                f"the config says hop length {text.config.hop_length}"
            )
        kind = device_kind(target)
        determinism = DETERMINISM_CPU if target.type == "cpu" else DETERMINISM_CUDA
        facts = EngineFacts(ENGINE_NAME, kind, precision, determinism)
        identity = (
            f"{ENGINE_NAME} (torch {torch.__version__}, buckets {BUCKETS_TAG}) {kind} "
            f"{precision} {voice.name} {model_digest(model_path)}"
        )
        engine = cls(voice, text, model, max_batch, facts, identity)
        engine.synthesize("Ready.", SynthesisParams())
        _LOGGER.info(
            "loaded voice %s on %s (%s decoder) in %.2f s",
            voice.name,
            target,
            precision,
            time.perf_counter() - started,
        )
        return engine

    @property
    def sample_rate(self) -> int:
        return self._config.sample_rate

    def prepare_text(self, text: str) -> str:
        return speakable(text, self.voice.language)

    def synthesize(self, text: str, params: SynthesisParams) -> Synthesis:
        return self.synthesize_many([SynthesisRequest(text, params)])[0]

    def synthesize_many(self, requests: Sequence[SynthesisRequest]) -> list[Synthesis]:
        """Every sentence of every request in as few device batches as the buckets allow."""
        per_request = [self.text.sentences(request.text) for request in requests]
        items = [
            self._item(sentence, request.params)
            for request, sentences in zip(requests, per_request, strict=True)
            for sentence in sentences
        ]
        made = iter(self.run(items))
        return [
            self.text.assemble(request.text, sentences, [next(made) for _ in sentences])
            for request, sentences in zip(requests, per_request, strict=True)
        ]

    def _column(self, items: Sequence[_Item], name: str) -> torch.Tensor:
        """A per-item scale as a [B] tensor."""
        values = [float(getattr(item, name)) for item in items]
        return torch.tensor(values, dtype=torch.float32, device=self.model.device)

    def _item(self, sentence: Sentence, params: SynthesisParams) -> _Item:
        config = self._config
        return _Item(
            sentence=sentence,
            seed=params.seed % 2**64,
            noise_scale=config.noise_scale if params.noise_scale is None else params.noise_scale,
            length_scale=(
                config.length_scale if params.length_scale is None else params.length_scale
            ),
            noise_w=config.noise_w_scale if params.noise_w_scale is None else params.noise_w_scale,
        )

    def run(self, items: Sequence[_Item]) -> list[SentenceAudio]:
        """Audio for each item, in order: front ends by phoneme bucket, then decoders by frame
        bucket, each in batches of at most `max_batch`."""
        priors: list[_Prior | None] = [None] * len(items)
        for group in length_batches(items, self._phoneme_bucket_of, self.max_batch):
            for index, prior in zip(group, self._front([items[i] for i in group]), strict=True):
                priors[index] = prior
        ready = [prior for prior in priors if prior is not None]
        made: list[SentenceAudio | None] = [None] * len(items)
        for group in length_batches(ready, self._frame_bucket_of, self.max_batch):
            for index, audio in zip(group, self._back([ready[i] for i in group]), strict=True):
                made[index] = audio
        return [audio for audio in made if audio is not None]

    def _phoneme_bucket_of(self, item: _Item) -> int:
        return self.phoneme_bucket(len(item.sentence.ids))

    def _frame_bucket_of(self, prior: _Prior) -> int:
        return self.frame_bucket(prior.frames)

    def phoneme_bucket(self, ids: int) -> int:
        return bucket(ids + self._guard, PHONEME_BUCKETS)

    def frame_bucket(self, frames: int) -> int:
        return bucket(frames + self._guard, FRAME_BUCKETS)

    @torch.inference_mode()
    def _front(self, items: Sequence[_Item]) -> list[_Prior]:
        device = self.model.device
        length = self.phoneme_bucket(max(len(item.sentence.ids) for item in items))
        ids = np.zeros((len(items), length), dtype=np.int64)
        noise = np.zeros((len(items), 2, length), dtype=np.float32)
        for row, item in enumerate(items):
            count = len(item.sentence.ids)
            ids[row, :count] = item.sentence.ids
            noise[row, :, :count] = standard_normal(
                item.seed, item.sentence.index, DP_NOISE, 2 * count
            ).reshape(2, count)
        lengths = torch.tensor([len(item.sentence.ids) for item in items], device=device)
        front: FrontEnd = self.model.front(
            torch.from_numpy(ids).to(device),
            lengths,
            torch.from_numpy(noise).to(device),
            self._column(items, "noise_w"),
            self._column(items, "length_scale"),
        )
        frames = front.durations.sum(dim=1).clamp_min(1).long().tolist()
        return [
            _Prior(
                item,
                front.mean[row, :, : len(item.sentence.ids)],
                front.log_scale[row, :, : len(item.sentence.ids)],
                front.durations[row, : len(item.sentence.ids)],
                int(frames[row]),
            )
            for row, item in enumerate(items)
        ]

    @torch.inference_mode()
    def _back(self, priors: Sequence[_Prior]) -> list[SentenceAudio]:
        device = self.model.device
        length = self.frame_bucket(max(prior.frames for prior in priors))
        channels = self.model.channels
        sample = torch.zeros((len(priors), channels, length), device=device)
        for row, prior in enumerate(priors):
            frames = prior.frames
            phoneme = torch.repeat_interleave(
                torch.arange(prior.durations.shape[0], device=device), prior.durations.long()
            )
            mean = prior.mean[:, phoneme]
            log_scale = prior.log_scale[:, phoneme]
            if phoneme.shape[0] < frames:  # no phoneme lasted a frame: one frame of silence
                mean = torch.nn.functional.pad(mean, (0, frames - phoneme.shape[0]))
                log_scale = torch.nn.functional.pad(log_scale, (0, frames - phoneme.shape[0]))
            noise = standard_normal(
                prior.item.seed, prior.item.sentence.index, PRIOR_NOISE, channels * frames
            )
            normal = torch.from_numpy(noise.reshape(channels, frames)).to(device)
            sample[row, :, :frames] = mean + (normal * torch.exp(log_scale)) * float(
                np.float32(prior.item.noise_scale)
            )
        lengths = torch.tensor([prior.frames for prior in priors], device=device)
        audio = self.model.back(sample, lengths).cpu().numpy()
        hop = self.model.hop_length
        return [
            SentenceAudio(
                np.clip(audio[row, : prior.frames * hop], -1.0, 1.0).astype(np.float32),
                prior.durations.cpu().numpy().astype(np.int64) * hop,
            )
            for row, prior in enumerate(priors)
        ]


T = TypeVar("T")


def length_batches(values: Sequence[T], key: Callable[[T], int], size: int) -> Iterable[list[int]]:
    """Indices of `values` grouped by `key(value)` (in order of first appearance), in runs of at
    most `size`."""
    groups: dict[int, list[int]] = {}
    for index, value in enumerate(values):
        groups.setdefault(key(value), []).append(index)
    for indices in groups.values():
        for start in range(0, len(indices), size):
            yield indices[start : start + size]


def check_options(device: str, precision: str, max_batch: int) -> torch.device:
    """The torch device named `device`, if this process can run the engine there as asked."""
    if precision not in PRECISIONS:
        raise InputError(f"precision must be one of {', '.join(PRECISIONS)}, not {precision!r}")
    if max_batch < 1:
        raise InputError(f"the batch size must be at least 1, not {max_batch}")
    return _device(device)


def _device(name: str) -> torch.device:
    if name == AUTO_DEVICE:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(name)
    except RuntimeError:
        raise InputError(f"unknown device {name!r}: use auto, cpu, cuda or cuda:N") from None
    if device.type not in ("cpu", "cuda"):
        raise InputError(f"unsupported device {name!r}: use auto, cpu, cuda or cuda:N")
    if device.type == "cuda" and not torch.cuda.is_available():
        raise InputError(f"device {name!r}: no CUDA device is available to this process")
    if device.type == "cuda" and (device.index or 0) >= torch.cuda.device_count():
        raise InputError(f"device {name!r}: only {torch.cuda.device_count()} CUDA device(s)")
    return device


def device_kind(device: torch.device) -> str:
    """`cpu`, or `cuda-smXY`: output bytes may differ between GPU generations."""
    if device.type == "cpu":
        return "cpu"
    major, minor = torch.cuda.get_device_capability(device)
    return f"cuda-sm{major}{minor}"
