"""Kokoro-82M's phoneme vocabulary: the symbols its text encoder has embeddings for.

The ids are the model's own (its `config.json`, n_token 178; unused ids are gaps). Id 0 is the
pad the graph expects before and after every input; a symbol outside the table has no sound and
is dropped before inference. English Kokoro voices were trained on misaki's phoneme set, which
writes diphthongs and affricates as single letters (`A` = eɪ, `I` = aɪ, `O` = oʊ, `W` = aʊ,
`Y` = ɔɪ, `Q` = əʊ, `ʤ`, `ʧ`), the flap as `T` and a syllabic consonant's schwa as `ᵊ`.
"""

from __future__ import annotations

from typing import Final

PAD_ID: Final = 0
MAX_TOKENS: Final = 510
"""The most tokens one inference takes (the style table has one row per length up to it)."""
CLAUSE_ENDS: Final = frozenset(";:,.!?—…")
"""Punctuation after which a long input may be split."""

VOCAB: Final[dict[str, int]] = {
    ";": 1,
    ":": 2,
    ",": 3,
    ".": 4,
    "!": 5,
    "?": 6,
    "—": 9,
    "…": 10,
    '"': 11,
    "(": 12,
    ")": 13,
    "“": 14,
    "”": 15,
    " ": 16,
    "\u0303": 17,
    "ʣ": 18,
    "ʥ": 19,
    "ʦ": 20,
    "ʨ": 21,
    "ᵝ": 22,
    "\uab67": 23,
    "A": 24,
    "I": 25,
    "O": 31,
    "Q": 33,
    "S": 35,
    "T": 36,
    "W": 39,
    "Y": 41,
    "ᵊ": 42,
    "a": 43,
    "b": 44,
    "c": 45,
    "d": 46,
    "e": 47,
    "f": 48,
    "h": 50,
    "i": 51,
    "j": 52,
    "k": 53,
    "l": 54,
    "m": 55,
    "n": 56,
    "o": 57,
    "p": 58,
    "q": 59,
    "r": 60,
    "s": 61,
    "t": 62,
    "u": 63,
    "v": 64,
    "w": 65,
    "x": 66,
    "y": 67,
    "z": 68,
    "ɑ": 69,
    "ɐ": 70,
    "ɒ": 71,
    "æ": 72,
    "β": 75,
    "ɔ": 76,
    "ɕ": 77,
    "ç": 78,
    "ɖ": 80,
    "ð": 81,
    "ʤ": 82,
    "ə": 83,
    "ɚ": 85,
    "ɛ": 86,
    "ɜ": 87,
    "ɟ": 90,
    "ɡ": 92,
    "ɥ": 99,
    "ɨ": 101,
    "ɪ": 102,
    "ʝ": 103,
    "ɯ": 110,
    "ɰ": 111,
    "ŋ": 112,
    "ɳ": 113,
    "ɲ": 114,
    "ɴ": 115,
    "ø": 116,
    "ɸ": 118,
    "θ": 119,
    "œ": 120,
    "ɹ": 123,
    "ɾ": 125,
    "ɻ": 126,
    "ʁ": 128,
    "ɽ": 129,
    "ʂ": 130,
    "ʃ": 131,
    "ʈ": 132,
    "ʧ": 133,
    "ʊ": 135,
    "ʋ": 136,
    "ʌ": 138,
    "ɣ": 139,
    "ɤ": 140,
    "χ": 142,
    "ʎ": 143,
    "ʒ": 147,
    "ʔ": 148,
    "ˈ": 156,
    "ˌ": 157,
    "ː": 158,
    "ʰ": 162,
    "ʲ": 164,
    "↓": 169,
    "→": 171,
    "↗": 172,
    "↘": 173,
    "ᵻ": 177,
}


def token_ids(phonemes: str) -> list[int]:
    """The ids of the symbols of `phonemes` the model knows, in order."""
    return [VOCAB[symbol] for symbol in phonemes if symbol in VOCAB]


def known(phonemes: str) -> str:
    """`phonemes` without the symbols the model has no embedding for (one per token id)."""
    return "".join(symbol for symbol in phonemes if symbol in VOCAB)
