"""The text side every engine for Piper voices shares: sentences, phoneme ids, word timings.

Piper supplies espeak phonemization, the phoneme id map and the voice config; an engine turns
each `Sentence` into audio and frames per phoneme id, and `assemble` joins the sentences into one
`Synthesis` with word timings. Sentence indices count every sentence espeak returns, so a
sentence's noise stream does not depend on whether an earlier one happened to be empty.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from piper import PiperVoice
from piper.config import PhonemeType, PiperConfig
from piper.const import BOS, EOS, PAD

from narration.engines.alignment import Phone, is_sound, word_timings
from narration.engines.voices import config_path_for
from narration.errors import InputError
from narration.pipeline.engine import Synthesis


@dataclass(frozen=True)
class Sentence:
    """One sentence of the text, ready for the model."""

    index: int
    """Its position among all the sentences espeak returned (seeds its noise)."""
    phonemes: list[str]
    ids: list[int]
    spans: list[tuple[int, int]] | None
    """Each phoneme's [first, end) id span, PAD after it included; None for pinyin voices."""


@dataclass(frozen=True)
class SentenceAudio:
    """What a model made of one sentence: clipped float32 audio, samples per phoneme id."""

    audio: np.ndarray
    durations: np.ndarray | None


def read_config(model_path: Path, voice_name: str) -> dict[str, Any]:
    try:
        config: dict[str, Any] = json.loads(config_path_for(model_path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InputError(f"cannot load Piper voice {voice_name} ({model_path}): {error}") from None
    return config


class PiperText:
    """Phonemization and word timing for one Piper voice (thread-safe: Piper locks espeak)."""

    def __init__(self, piper_voice: PiperVoice) -> None:
        self._piper = piper_voice
        self.config: PiperConfig = piper_voice.config
        self._token_phonemes = functools.lru_cache(maxsize=65536)(self._phonemize_token)

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> PiperText:
        """For engines that run the model themselves: Piper's voice without its session."""
        return cls(PiperVoice(session=None, config=PiperConfig.from_dict(config)))

    def sentences(self, text: str) -> list[Sentence]:
        found = []
        for index, phonemes in enumerate(self._piper.phonemize(text)):
            if phonemes:
                ids, spans = self.phoneme_ids(phonemes)
                found.append(Sentence(index, phonemes, ids, spans))
        return found

    def phoneme_ids(self, phonemes: list[str]) -> tuple[list[int], list[tuple[int, int]] | None]:
        """Phoneme ids as piper builds them, and each phoneme's [first, end) id span.

        The span of a phoneme includes the PAD after it, as in piper's own alignments.
        """
        if self.config.phoneme_type == PhonemeType.PINYIN:
            return self._piper.phonemes_to_ids(phonemes), None
        id_map = self.config.phoneme_id_map
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

    def phonemize_all(self, text: str) -> list[str]:
        """Every phoneme of `text`, sentences joined (calibration)."""
        return [p for sentence in self._piper.phonemize(text) for p in sentence]

    def assemble(
        self, text: str, sentences: Sequence[Sentence], made: Sequence[SentenceAudio]
    ) -> Synthesis:
        """Join the sentences' audio as Piper does and time every word of `text` in it."""
        pieces: list[np.ndarray] = []
        phones: list[Phone] = []
        offset = 0
        group = 0
        for sentence, piece in zip(sentences, made, strict=True):
            audio, durations = piece.audio, piece.durations
            if durations is not None and sentence.spans is not None:
                bounds = offset + np.concatenate([[0], np.cumsum(durations)])
                bounds = np.minimum(bounds, offset + len(audio))
                group += 1
                for phoneme, (first, end) in zip(sentence.phonemes, sentence.spans, strict=True):
                    if phoneme == " ":
                        group += 1
                    elif end > first and is_sound(phoneme):
                        phones.append(Phone(phoneme, group, int(bounds[first]), int(bounds[end])))
            pieces.append(audio)
            offset += len(audio)
        pcm = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)
        rate = self.config.sample_rate
        words = word_timings(text, phones, len(pcm), rate, self._token_phonemes)
        return Synthesis(pcm=pcm, sample_rate=self.config.sample_rate, words=words)

    def _phonemize_token(self, token: str) -> tuple[str, ...]:
        """The sounding phonemes espeak gives one word on its own."""
        return tuple(
            p for sentence in self._piper.phonemize(token) for p in sentence if is_sound(p)
        )
