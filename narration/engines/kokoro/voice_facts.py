"""What each Kokoro voice is: its language, gender and Kokoro's own grade, without loading it.

A voice's name says its language and gender (`af_heart`: American English, female). The grades
are Kokoro's: for the English voices as kokoro-js 1.2.1 ships them (`overallGrade` in
dist/kokoro.js), for the others as hexgrad/Kokoro-82M's VOICES.md gives them. VOICES.md grades
no Spanish or Brazilian Portuguese voice, so those have none.
"""

from __future__ import annotations

from typing import Final

SAMPLE_RATE: Final = 24000

LANGUAGES: Final = {
    "a": "en-US",
    "b": "en-GB",
    "e": "es",
    "f": "fr",
    "h": "hi",
    "i": "it",
    "j": "ja",
    "p": "pt-BR",
    "z": "zh",
}
"""The name's first letter → the voice's language, as a BCP-47 tag."""
GENDERS: Final = {"f": "female", "m": "male"}
"""The name's second letter → the voice's gender."""

GRADES: Final[dict[str, str]] = {
    "af_heart": "A",
    "af_alloy": "C",
    "af_aoede": "C+",
    "af_bella": "A-",
    "af_jessica": "D",
    "af_kore": "C+",
    "af_nicole": "B-",
    "af_nova": "C",
    "af_river": "D",
    "af_sarah": "C+",
    "af_sky": "C-",
    "am_adam": "F+",
    "am_echo": "D",
    "am_eric": "D",
    "am_fenrir": "C+",
    "am_liam": "D",
    "am_michael": "C+",
    "am_onyx": "D",
    "am_puck": "C+",
    "am_santa": "D-",
    "bf_alice": "D",
    "bf_emma": "B-",
    "bf_isabella": "C",
    "bf_lily": "D",
    "bm_daniel": "D",
    "bm_fable": "C",
    "bm_george": "C",
    "bm_lewis": "D+",
    "ff_siwis": "B-",
    "hf_alpha": "C",
    "hf_beta": "C",
    "hm_omega": "C",
    "hm_psi": "C",
    "if_sara": "C",
    "im_nicola": "C",
    "jf_alpha": "C+",
    "jf_gongitsune": "C",
    "jf_nezumi": "C-",
    "jf_tebukuro": "C",
    "jm_kumo": "C-",
    "zf_xiaobei": "D",
    "zf_xiaoni": "D",
    "zf_xiaoxiao": "D",
    "zf_xiaoyi": "D",
    "zm_yunjian": "D",
    "zm_yunxi": "D",
    "zm_yunxia": "D",
    "zm_yunyang": "D",
}
"""Kokoro's overall grade of each voice (A best, F worst); absent where Kokoro gives none."""


def language(name: str) -> str:
    return LANGUAGES[name[0]]


def gender(name: str) -> str:
    return GENDERS[name[1]]


def grade(name: str) -> str | None:
    return GRADES.get(name)
