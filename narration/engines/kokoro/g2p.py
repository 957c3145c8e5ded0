"""Text to Kokoro phonemes: espeak-ng's IPA, rewritten in the symbols Kokoro was trained on.

espeak-ng is the one bundled in piper-tts (a base dependency already; espeak-ng is GPL-3, as the
copy in the `espeakng-loader` wheel is). We do not use `phonemizer` (GPL-3 Python code) for the
same IPA: piper's bridge gives the clauses with their punctuation, which Kokoro reads for
intonation and pauses. The rewrite follows misaki's espeak fallback, the G2P the English Kokoro
voices were trained with: diphthongs and affricates become single letters, the American flap
`T`, length marks go in American English, and so on (see `vocab`). Piper's bridge writes no
tie bars, so a diphthong is its two vowels side by side; espeak's English output puts no
syllable break between them, so the pair is the diphthong.

A `[[ … ]]` block (a lexicon's or SSML's phonemes, already in Kokoro's symbols) passes through.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from typing import Final

from piper import voice as piper_voice
from piper.phonemize_espeak import EspeakPhonemizer

from narration.engines.alignment import is_sound
from narration.engines.kokoro.vocab import known
from narration.pipeline.lexicon import PHONEME_BLOCK, PHONEME_CLOSE, PHONEME_OPEN

G2P_VERSION: Final = "1"
"""Bumped with any change to the rewrite below: it changes audio, so it is in the cache key."""

_FLAGS: Final = re.compile(r"\([^)]*\)")
"""espeak's language-switch flags around a foreign word, `(fr)…(en)`."""
_SYLLABIC: Final = re.compile(r"(\S)\u0329")

_ENGLISH: Final = (
    ("ʔˌn\u0329", "ʔn"),
    ("ʔn\u0329", "ʔn"),
    ("aɪ", "I"),
    ("aʊ", "W"),
    ("dʒ", "ʤ"),
    ("eɪ", "A"),
    ("tʃ", "ʧ"),
    ("ɔɪ", "Y"),
    ("ɚ", "əɹ"),
    ("r", "ɹ"),
    ("x", "k"),
    ("ç", "k"),
    ("ɐ", "ə"),
    ("ɬ", "l"),
    ("ʲ", ""),
    ("\u0303", ""),
)
_AMERICAN: Final = (
    ("oʊ", "O"),
    ("ɜːɹ", "ɜɹ"),
    ("ɜː", "ɜɹ"),
    ("ɪə", "iə"),
    ("ː", ""),
    ("o", "ɔ"),
    ("ɾ", "T"),
    ("ʔ", "t"),
)
_BRITISH: Final = (
    ("əʊ", "Q"),
    ("eə", "ɛː"),
    ("iə", "ɪə"),
    ("e", "ɛ"),
    ("o", "ɔ"),
    ("ɾ", "T"),
    ("ʔ", "t"),
)
_OTHER: Final = (
    ("aɪ", "I"),
    ("aʊ", "W"),
    ("dʒ", "ʤ"),
    ("eɪ", "A"),
    ("oʊ", "O"),
    ("əʊ", "Q"),
    ("tʃ", "ʧ"),
    ("ɔɪ", "Y"),
    ("-", ""),
)
REWRITES: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "en-us": _ENGLISH + _AMERICAN,
    "en": _ENGLISH + _BRITISH,
}
"""By espeak voice; every other language gets `_OTHER` (misaki's generic espeak rewrite)."""


def _espeak_lock() -> threading.Lock:
    """Piper's own lock on espeak-ng: Piper and Kokoro voices in one process share one espeak,
    whose voice and state are global, so both must take the same lock."""
    lock: threading.Lock = piper_voice._ESPEAK_PHONEMIZER_LOCK
    return lock


class KokoroG2P:
    """Graphemes to Kokoro phonemes for one espeak voice (`en-us`, `en`, `es`, …)."""

    def __init__(self, espeak_voice: str) -> None:
        self.espeak_voice = espeak_voice
        self._rewrites = REWRITES.get(espeak_voice, _OTHER)
        with _espeak_lock():
            EspeakPhonemizer()  # initialises the bridge on piper's bundled espeak-ng data
        self.word = functools.lru_cache(maxsize=65536)(self._word)

    def phonemes(self, text: str) -> str:
        """Kokoro phonemes for `text`, clause punctuation kept, `[[ … ]]` blocks as written."""
        pieces = []
        for part in PHONEME_BLOCK.split(text):
            if part.startswith(PHONEME_OPEN):
                raw = part[len(PHONEME_OPEN) : -len(PHONEME_CLOSE)]
                pieces.append(known(unicodedata.normalize("NFC", raw.strip())))
            elif part.strip():
                pieces.append(self._spoken(part))
        return " ".join(piece for piece in pieces if piece).strip()

    def rewrite(self, ipa: str) -> str:
        """espeak IPA in Kokoro's symbols (those the model lacks dropped)."""
        for old, new in self._rewrites:
            ipa = ipa.replace(old, new)
        ipa = _SYLLABIC.sub(r"ᵊ\1", ipa).replace("\u0329", "")
        return known(ipa)

    def _spoken(self, text: str) -> str:
        from piper import espeakbridge

        with _espeak_lock():
            espeakbridge.set_voice(self.espeak_voice)
            clauses = espeakbridge.get_phonemes(text)
        out = []
        for ipa, terminator, _ in clauses:
            said = self.rewrite(unicodedata.normalize("NFC", _FLAGS.sub("", ipa))).strip()
            if said or terminator:
                out.append(said + known(terminator))
        return " ".join(out)

    def _word(self, word: str) -> tuple[str, ...]:
        """The symbols one word has on its own, punctuation and stress left out (timing)."""
        return tuple(symbol for symbol in self._spoken(word) if is_sound(symbol))
