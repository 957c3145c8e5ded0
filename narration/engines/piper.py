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

import logging
import math
import tempfile
import time
from dataclasses import replace
from importlib.metadata import version
from pathlib import Path
from typing import Final

import numpy as np
import onnx
import onnxruntime
from piper import PiperVoice
from piper.config import PiperConfig

from narration.engines.piper_text import PiperText, SentenceAudio, read_config
from narration.engines.seeded_graph import (
    PatchedGraph,
    patch_graph,
    standard_normal,
)
from narration.engines.sentence_pool import SentencePool
from narration.engines.voices import ENGINE_NAME, model_digest
from narration.errors import InputError, PermanentError
from narration.pipeline.engine import (
    EngineFacts,
    OneAtATime,
    Synthesis,
    SynthesisParams,
    VoiceInfo,
)
from narration.pipeline.speech_text import speakable

BUFFER_MARGIN: Final = 2.0
"""Noise buffers are drawn this much larger than the calibrated need, so reruns stay rare.

Drawing is ~10 ns per element, under 1% of synthesis time even at this margin."""

CALIBRATION_TEXTS: Final = (
    "Yes.",
    "The quick brown fox jumps over the lazy dog, and then, quite suddenly, it stops to rest.",
)
"""Synthesized once at load: warms the session up and measures the noise a sentence needs."""

DETERMINISM: Final = (
    "byte-identical for the same onnxruntime version, CPU type and intra-op thread count"
)
"""Sentences rendered at once (`engines.sentence_pool`) change nothing: each is its own run."""
_MAX_ATTEMPTS: Final = 4
_LOGGER = logging.getLogger(__name__)


class PiperEngine(OneAtATime):
    """A Piper voice, loaded once per worker process. Use `PiperEngine.load`."""

    name: str = ENGINE_NAME

    def __init__(
        self,
        voice: VoiceInfo,
        text: PiperText,
        session: onnxruntime.InferenceSession,
        graph: PatchedGraph,
        identity: str,
        sentences: SentencePool | None = None,
    ) -> None:
        self.voice = voice
        self.identity = identity
        self.facts = EngineFacts(ENGINE_NAME, "cpu", "fp32", DETERMINISM)
        self.text = text
        self._config: PiperConfig = text.config
        self._session = session
        # The session has its own copy of the model: ours (about 60 MB) would be held for
        # nothing.
        self._graph = replace(graph, model=b"")
        self._release = _releasing_run()
        self.sentence_pool = sentences or SentencePool(0)
        """Who renders a chunk's sentences: this thread alone, or helpers too while the host
        has idle cores (`engines.sentence_pool`); the bytes are the same."""
        self._outputs = ["output", *graph.noise_numels]
        if graph.durations is not None:
            self._outputs.append(graph.durations)
        # Noise elements each input needs: base + per_id x ids, measured by `_calibrate`.
        self._noise_base = [0.0] * len(graph.noise_inputs)
        self._noise_per_id = [4096.0] * len(graph.noise_inputs)

    @classmethod
    def load(
        cls, voice: VoiceInfo, threads: int | None = None, sentences: SentencePool | None = None
    ) -> PiperEngine:
        """Load `voice` with `threads` onnxruntime intra-op threads (None or 0: its default);
        `sentences` renders a chunk's sentences (default: one after another)."""
        started = time.perf_counter()
        model_path = Path(voice.path)
        config = read_config(model_path, voice.name)
        try:
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
        session = _session(graph.model, options)
        text = PiperText(PiperVoice(session=session, config=PiperConfig.from_dict(config)))
        engine = cls(voice, text, session, graph, _identity(voice, model_path), sentences)
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

    def prepare_text(self, text: str) -> str:
        return speakable(text, self.voice.language)

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
        sentences = self.text.sentences(text)
        made = self.sentence_pool.map(
            lambda s: self._infer(s.ids, scales, seed, s.index, stretch),
            sentences,
            cost=lambda s: len(s.ids),
        )
        return self.text.assemble(text, sentences, made)

    # -- inference -------------------------------------------------------------------------

    def _infer(
        self, ids: list[int], scales: np.ndarray, seed: int, sentence: int, stretch: float
    ) -> SentenceAudio:
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
        return SentenceAudio(audio, durations)

    def _calibrate(self) -> None:
        """Fit noise elements ≈ base + per_id x ids per input, and warm the session up.

        Two sentences, a short and a typical one, run with zero noise (the mean path); fixed
        leading and trailing silence is why a short sentence needs more per id.
        """
        points = [self._noise_needed(text) for text in CALIBRATION_TEXTS]
        (short_ids, short), (long_ids, long) = points
        per_id = [(b - a) / (long_ids - short_ids) for a, b in zip(short, long, strict=True)]
        self._noise_per_id = [max(0.0, slope) * BUFFER_MARGIN for slope in per_id]
        self._noise_base = [
            max(0.0, a - slope * short_ids) * BUFFER_MARGIN
            for a, slope in zip(short, per_id, strict=True)
        ]

    def release_memory(self) -> None:
        """Hand the model runs' working memory back (`_releasing_run`): for an idle worker,
        whose next run grows it again. A short run with the option set does it."""
        self._noise_needed(CALIBRATION_TEXTS[0], self._release)

    def _noise_needed(
        self, text: str, options: onnxruntime.RunOptions | None = None
    ) -> tuple[int, list[int]]:
        """Phoneme ids of `text` and the noise elements each input needs for it, from a run
        with zero noise (the mean path)."""
        ids, _ = self.text.phoneme_ids(self.text.phonemize_all(text))
        feeds: dict[str, np.ndarray] = {
            "input": np.array([ids], dtype=np.int64),
            "input_lengths": np.array([len(ids)], dtype=np.int64),
            "scales": np.array(
                [self._config.noise_scale, self._config.length_scale, self._config.noise_w_scale],
                dtype=np.float32,
            ),
        }
        if self._config.num_speakers > 1:
            feeds["sid"] = np.array([self._config.default_speaker_id], dtype=np.int64)
        for name in self._graph.noise_inputs:
            feeds[name] = np.zeros(0, dtype=np.float32)
        numels = self._session.run(list(self._graph.noise_numels), feeds, options)
        return len(ids), [int(numel.reshape(-1)[0]) for numel in numels]


def _session(model: bytes, options: onnxruntime.SessionOptions) -> onnxruntime.InferenceSession:
    """A CPU session for the rewritten model, read from a file that is gone once it is made.

    Given the bytes themselves, onnxruntime keeps a reference to them for the session's life
    (its own code calls that "bad"): 60 MB of a worker process held for nothing.
    """
    with tempfile.TemporaryDirectory(prefix="narration-voice-") as folder:
        path = Path(folder) / "model.onnx"
        path.write_bytes(model)
        return onnxruntime.InferenceSession(
            str(path), sess_options=options, providers=["CPUExecutionProvider"]
        )


def _releasing_run() -> onnxruntime.RunOptions:
    """Options for a run that hands the session's working memory back when it ends.

    onnxruntime's CPU arena keeps the most a run ever needed (the decoder's tensors for the
    longest sentence so far, about 100 MB more per process) for the process's life. Shrinking
    frees the arena's unused blocks, and the C allocator then returns them to the system
    (`adapters.allocator.release_free_memory`). Not after every run: the next run would grow
    it again, with a page fault for every 4 KB (about 10 % more CPU time per chunk, measured),
    so only an idle worker does it (`production.idle_memory`).
    """
    options = onnxruntime.RunOptions()
    options.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
    return options


def _identity(voice: VoiceInfo, model_path: Path) -> str:
    """Engine, library versions, device and the voice model's content hash."""
    digest = model_digest(model_path)
    runtime = f"piper-tts {version('piper-tts')}, onnxruntime {onnxruntime.__version__}"
    return f"{ENGINE_NAME} ({runtime}) cpu fp32 {voice.name} {digest}"
