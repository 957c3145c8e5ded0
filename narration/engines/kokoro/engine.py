"""A Kokoro voice on onnxruntime behind the engine interface (`pipeline.engine.Engine`).

Text goes through espeak-ng to Kokoro's phonemes (`g2p`), is cut into inputs the model takes
(`tokens`), and each input is spoken with the voice's style row for its length. The graph draws
no noise, so the audio is a pure function of (text, voice, speed) for one onnxruntime version,
CPU type and thread count; `SynthesisParams.seed` has nothing to fix. Rate is Kokoro's `speed`,
the inverse of Piper's length scale. Word timings come from the durations the graph computes
(`session`), matched to the text's words (`timing`, `alignment`).
"""

from __future__ import annotations

import logging
import time
from importlib.metadata import version
from pathlib import Path
from typing import Final

import numpy as np
import onnxruntime

from narration.engines.alignment import Phone, word_timings
from narration.engines.kokoro import assets
from narration.engines.kokoro.g2p import G2P_VERSION, KokoroG2P
from narration.engines.kokoro.session import SAMPLE_RATE, KokoroSession, read_style
from narration.engines.kokoro.timing import timed_phones
from narration.engines.kokoro.tokens import pieces
from narration.engines.kokoro.vocab import token_ids
from narration.engines.kokoro.voice import language_of
from narration.pipeline.engine import EngineFacts, OneAtATime, Synthesis, SynthesisParams, VoiceInfo
from narration.pipeline.speech_text import speakable

DETERMINISM: Final = (
    "byte-identical for the same onnxruntime version, CPU type and intra-op thread count"
)
WARM_UP_TEXT: Final = "Hello there."
_LOGGER = logging.getLogger(__name__)


class KokoroEngine(OneAtATime):
    """A Kokoro voice, loaded once per worker process. Use `KokoroEngine.load`."""

    name: str = assets.FAMILY

    def __init__(
        self, voice: VoiceInfo, g2p: KokoroG2P, session: KokoroSession, style: np.ndarray
    ) -> None:
        self.voice = voice
        self.g2p = g2p
        self._session = session
        self._style = style
        self.identity = identity(voice.name)
        self.facts = EngineFacts(assets.FAMILY, "cpu", "int8", DETERMINISM)

    @classmethod
    def load(cls, voice: VoiceInfo, threads: int | None = None) -> KokoroEngine:
        """Load `voice` with `threads` onnxruntime intra-op threads (None or 0: its default);
        its files are checked against their pins first."""
        started = time.perf_counter()
        model = assets.verified(assets.model_path(), assets.MODEL_SHA256)
        style_path = assets.verified(Path(voice.path), assets.VOICE_SHA256[voice.name])
        engine = cls(
            voice,
            KokoroG2P(language_of(voice.name).espeak),
            KokoroSession(model, threads),
            read_style(style_path),
        )
        engine.synthesize(WARM_UP_TEXT, SynthesisParams())
        _LOGGER.info(
            "loaded Kokoro voice %s in %.2f s (threads=%s)",
            voice.name,
            time.perf_counter() - started,
            threads or "default",
        )
        return engine

    @property
    def sample_rate(self) -> int:
        return SAMPLE_RATE

    def prepare_text(self, text: str) -> str:
        return speakable(text, self.voice.language)

    def phonemes(self, text: str) -> str:
        return self.g2p.phonemes(text)

    def release_memory(self) -> None:
        """Hand the model runs' working memory back: for an idle worker
        (`production.idle_memory`), whose next run grows it again. A short run that shrinks
        the arena as it ends does it."""
        ids = token_ids(next(iter(pieces(self.g2p.phonemes(WARM_UP_TEXT)))))
        self._session.run(ids, self._style[len(ids) - 1], 1.0, release=True)

    def synthesize(self, text: str, params: SynthesisParams) -> Synthesis:
        """Speak `text`; the same (text, params) always gives the same PCM bytes."""
        speed = 1.0 / params.length_scale if params.length_scale else 1.0
        audio: list[np.ndarray] = []
        phones: list[Phone] = []
        offset = group = 0
        for piece in pieces(self.g2p.phonemes(text)):
            ids = token_ids(piece)
            style = self._style[min(len(ids), len(self._style)) - 1]
            pcm, samples = self._session.run(ids, style, speed)
            made, group = timed_phones(piece, samples, offset, len(pcm), group)
            phones.extend(made)
            audio.append(pcm)
            offset += len(pcm)
        pcm = np.concatenate(audio) if audio else np.zeros(0, dtype=np.float32)
        words = word_timings(text, phones, len(pcm), SAMPLE_RATE, self.g2p.word)
        return Synthesis(pcm=pcm, sample_rate=SAMPLE_RATE, words=words)


def identity(voice_name: str) -> str:
    """Family, runtime and G2P versions, device, and the model's and voice's pinned sha256: what
    decides the bytes, so every chunk's cache key holds it."""
    runtime = (
        f"onnxruntime {onnxruntime.__version__}, espeak-ng of piper-tts {version('piper-tts')}, "
        f"g2p {G2P_VERSION}"
    )
    return (
        f"{assets.FAMILY} ({runtime}) cpu int8 {voice_name} "
        f"model {assets.MODEL_SHA256} voice {assets.VOICE_SHA256[voice_name]}"
    )
