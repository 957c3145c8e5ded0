"""Piper voices on an onnxruntime session we control: seeded noise, word timings, raw levels.

Why not `PiperVoice.synthesize` as is: the VITS graph draws its noise with unseeded
`RandomNormalLike` nodes, so one sentence never comes out twice the same, and piper peak-normalises
every sentence, which makes loudness jump between pieces. At load time we rewrite the graph in
memory with the `onnx` package: each `RandomNormalLike` becomes a slice of a float32 graph input
(reshaped to the shape the node would have drawn), and the duration tensor `w_ceil` becomes an
output. Every call then draws standard-normal noise from `numpy.random.default_rng` seeded by
(seed, sentence index, node), so the audio is a pure function of (text, voice, params) and the
graph scales the noise exactly as before. Setting the node's `seed` attribute would not do:
onnxruntime seeds the node's generator once per session and carries its state across runs, so the
result would depend on what the process synthesized before. See docs/ENGINE.md.

Piper still does what it is good at here: espeak phonemization, the phoneme id map, the config.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import math
import time
from importlib.metadata import version
from pathlib import Path
from typing import Final

import numpy as np
import onnx
import onnxruntime
from piper import PiperVoice
from piper.config import PhonemeType, PiperConfig
from piper.const import BOS, EOS, PAD

from narration.engines.alignment import WORD, Phone, align_words, is_sound, span_samples
from narration.engines.base import Synthesis, SynthesisParams, VoiceInfo, WordTiming
from narration.engines.seeded_graph import (
    PatchedGraph,
    patch_graph,
    standard_normal,
)
from narration.engines.voices import ENGINE_NAME, config_path_for
from narration.errors import InputError, PermanentError

BUFFER_MARGIN: Final = 2.0
"""Noise buffers are drawn this much larger than the calibrated need, so reruns stay rare.

Drawing is ~10 ns per element, under 1% of synthesis time even at this margin."""

CALIBRATION_TEXTS: Final = (
    "Yes.",
    "The quick brown fox jumps over the lazy dog, and then, quite suddenly, it stops to rest.",
)
"""Synthesized once at load: warms the session up and measures the noise a sentence needs."""

_MAX_ATTEMPTS: Final = 4
_LOGGER = logging.getLogger(__name__)


class PiperEngine:
    """A Piper voice, loaded once per worker process. Use `PiperEngine.load`."""

    name: str = ENGINE_NAME

    def __init__(
        self,
        voice: VoiceInfo,
        piper_voice: PiperVoice,
        session: onnxruntime.InferenceSession,
        graph: PatchedGraph,
        identity: str,
    ) -> None:
        self.voice = voice
        self.identity = identity
        self._piper = piper_voice
        self._config: PiperConfig = piper_voice.config
        self._session = session
        self._graph = graph
        self._outputs = ["output", *graph.noise_numels]
        if graph.durations is not None:
            self._outputs.append(graph.durations)
        # Noise elements each input needs: base + per_id x ids, measured by `_calibrate`.
        self._noise_base = [0.0] * len(graph.noise_inputs)
        self._noise_per_id = [4096.0] * len(graph.noise_inputs)
        self._token_phonemes = functools.lru_cache(maxsize=65536)(self._phonemize_token)

    @classmethod
    def load(cls, voice: VoiceInfo, threads: int | None = None) -> PiperEngine:
        """Load `voice` with `threads` onnxruntime intra-op threads (None or 0: its default)."""
        started = time.perf_counter()
        model_path = Path(voice.path)
        try:
            config = json.loads(config_path_for(model_path).read_text(encoding="utf-8"))
            model = onnx.load(str(model_path))
        except (OSError, ValueError) as error:
            raise InputError(
                f"cannot load Piper voice {voice.name} ({model_path}): {error}"
            ) from None
        graph = patch_graph(model, voice.name)
        options = onnxruntime.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
            # One thread per process, one process per core: spinning threads would only steal
            # the core of the process next door.
            options.inter_op_num_threads = 1
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        session = onnxruntime.InferenceSession(
            graph.model, sess_options=options, providers=["CPUExecutionProvider"]
        )
        piper_voice = PiperVoice(session=session, config=PiperConfig.from_dict(config))
        engine = cls(voice, piper_voice, session, graph, _identity(voice, model_path))
        engine._calibrate()
        _LOGGER.info(
            "loaded Piper voice %s in %.2f s (threads=%s)",
            voice.name,
            time.perf_counter() - started,
            threads or "default",
        )
        return engine

    @property
    def sample_rate(self) -> int:
        return self._config.sample_rate

    def synthesize(self, text: str, params: SynthesisParams) -> Synthesis:
        """Speak `text`; the same (text, params) always gives the same PCM bytes."""
        config = self._config
        length_scale = (
            params.length_scale if params.length_scale is not None else config.length_scale
        )
        scales = np.array(
            [
                params.noise_scale if params.noise_scale is not None else config.noise_scale,
                length_scale,
                params.noise_w_scale if params.noise_w_scale is not None else config.noise_w_scale,
            ],
            dtype=np.float32,
        )
        stretch = max(1.0, length_scale / config.length_scale)
        seed = params.seed % 2**64

        pieces: list[np.ndarray] = []
        phones: list[Phone] = []
        offset = 0
        group = 0
        # Sentence indices count every sentence espeak returns, so a sentence's noise stream does
        # not depend on whether an earlier one happened to be empty.
        for sentence, phonemes in enumerate(self._piper.phonemize(text)):
            if not phonemes:
                continue
            ids, spans = self._phoneme_ids(phonemes)
            audio, durations = self._infer(ids, scales, seed, sentence, stretch)
            if durations is not None and spans is not None:
                bounds = offset + np.concatenate([[0], np.cumsum(durations)])
                bounds = np.minimum(bounds, offset + len(audio))
                group += 1
                for phoneme, (first, end) in zip(phonemes, spans, strict=True):
                    if phoneme == " ":
                        group += 1
                    elif end > first and is_sound(phoneme):
                        phones.append(Phone(phoneme, group, int(bounds[first]), int(bounds[end])))
            pieces.append(audio)
            offset += len(audio)

        pcm = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)
        words = self._word_timings(text, phones, len(pcm))
        return Synthesis(pcm=pcm, sample_rate=self.sample_rate, words=words)

    # -- inference -------------------------------------------------------------------------

    def _infer(
        self, ids: list[int], scales: np.ndarray, seed: int, sentence: int, stretch: float
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Run one sentence; returns clipped float32 audio and samples per phoneme id."""
        feeds: dict[str, np.ndarray] = {
            "input": np.array([ids], dtype=np.int64),
            "input_lengths": np.array([len(ids)], dtype=np.int64),
            "scales": scales,
        }
        if self._config.num_speakers > 1:
            feeds["sid"] = np.array([self._config.default_speaker_id], dtype=np.int64)
        sizes = [
            math.ceil((base + len(ids) * per_id) * stretch)
            for base, per_id in zip(self._noise_base, self._noise_per_id, strict=True)
        ]
        for _ in range(_MAX_ATTEMPTS):
            for node, (name, size) in enumerate(zip(self._graph.noise_inputs, sizes, strict=True)):
                feeds[name] = standard_normal(seed, sentence, node, size)
            audio, *rest = self._session.run(self._outputs, feeds)
            needed = [int(numel.reshape(-1)[0]) for numel in rest[: len(sizes)]]
            if all(need <= size for need, size in zip(needed, sizes, strict=True)):
                break
            # A buffer was short and the graph padded it with zeros: draw again, exactly as
            # large as needed. Each buffer is a prefix-stable stream, so the result is the same
            # as if the first guess had been big enough.
            _LOGGER.debug("noise buffers %s short of %s; rerunning", sizes, needed)
            sizes = [max(need, size) for need, size in zip(needed, sizes, strict=True)]
        else:
            raise PermanentError(f"Piper noise sizes did not settle: {sizes} < {needed}")

        audio = np.clip(audio.reshape(-1), -1.0, 1.0).astype(np.float32, copy=False)
        durations = None
        if self._graph.durations is not None:
            durations = rest[-1].reshape(-1).astype(np.int64) * self._config.hop_length
        return audio, durations

    def _calibrate(self) -> None:
        """Fit noise elements ≈ base + per_id x ids per input, and warm the session up.

        Two sentences, a short and a typical one, run with zero noise (the mean path); fixed
        leading and trailing silence is why a short sentence needs more per id.
        """
        points = []
        for text in CALIBRATION_TEXTS:
            phonemes = [p for sentence in self._piper.phonemize(text) for p in sentence]
            ids, _ = self._phoneme_ids(phonemes)
            feeds: dict[str, np.ndarray] = {
                "input": np.array([ids], dtype=np.int64),
                "input_lengths": np.array([len(ids)], dtype=np.int64),
                "scales": np.array(
                    [
                        self._config.noise_scale,
                        self._config.length_scale,
                        self._config.noise_w_scale,
                    ],
                    dtype=np.float32,
                ),
            }
            if self._config.num_speakers > 1:
                feeds["sid"] = np.array([self._config.default_speaker_id], dtype=np.int64)
            for name in self._graph.noise_inputs:
                feeds[name] = np.zeros(0, dtype=np.float32)
            numels = self._session.run(list(self._graph.noise_numels), feeds)
            points.append((len(ids), [int(numel.reshape(-1)[0]) for numel in numels]))
        (short_ids, short), (long_ids, long) = points
        per_id = [(b - a) / (long_ids - short_ids) for a, b in zip(short, long, strict=True)]
        self._noise_per_id = [max(0.0, slope) * BUFFER_MARGIN for slope in per_id]
        self._noise_base = [
            max(0.0, a - slope * short_ids) * BUFFER_MARGIN
            for a, slope in zip(short, per_id, strict=True)
        ]

    def _phoneme_ids(self, phonemes: list[str]) -> tuple[list[int], list[tuple[int, int]] | None]:
        """Phoneme ids as piper builds them, and each phoneme's [first, end) id span.

        The span of a phoneme includes the PAD after it, as in piper's own alignments.
        """
        if self._config.phoneme_type == PhonemeType.PINYIN:
            return self._piper.phonemes_to_ids(phonemes), None
        id_map = self._config.phoneme_id_map
        ids = [*id_map[BOS], *id_map[PAD]]
        spans = []
        for phoneme in phonemes:
            first = len(ids)
            if phoneme in id_map:  # piper drops unknown phonemes the same way
                ids.extend(id_map[phoneme])
                ids.extend(id_map[PAD])
            spans.append((first, len(ids)))
        ids.extend(id_map[EOS])
        return ids, spans

    # -- word timings ----------------------------------------------------------------------

    def _phonemize_token(self, token: str) -> tuple[str, ...]:
        """The sounding phonemes espeak gives one word on its own."""
        return tuple(
            p for sentence in self._piper.phonemize(token) for p in sentence if is_sound(p)
        )

    def _word_timings(self, text: str, phones: list[Phone], samples: int) -> list[WordTiming]:
        tokens = list(WORD.finditer(text))
        if not tokens:
            return []
        expected = [self._token_phonemes(token.group()) for token in tokens]
        rate = float(self.sample_rate)
        if phones:
            spans = align_words(expected, [p.symbol for p in phones], [p.group for p in phones])
            times = [span_samples(span, phones) for span in spans]
        else:
            # No alignment output: spread the words over the audio by phoneme count.
            weights = np.array([max(1, len(e)) for e in expected], dtype=np.float64)
            edges = np.round(np.concatenate([[0.0], np.cumsum(weights)]) / weights.sum() * samples)
            times = [(int(edges[i]), int(edges[i + 1])) for i in range(len(tokens))]
        return [
            WordTiming(
                text=token.group(),
                char_start=token.start(),
                char_end=token.end(),
                start_s=start / rate,
                end_s=end / rate,
            )
            for token, (start, end) in zip(tokens, times, strict=True)
        ]


def _identity(voice: VoiceInfo, model_path: Path) -> str:
    """Engine, library versions, device and the voice model's content hash (not its path, so
    the same voice installed elsewhere reuses the same cached chunks)."""
    with model_path.open("rb") as model:
        digest = hashlib.file_digest(model, "sha256").hexdigest()[:16]
    runtime = f"piper-tts {version('piper-tts')}, onnxruntime {onnxruntime.__version__}"
    return f"{ENGINE_NAME} ({runtime}) cpu fp32 {voice.name} {digest}"
