"""The text an espeak-phonemized voice is given: `normalise.spoken_text` for its language.

The rules themselves, one module per family, are in `narration.pipeline.normalise`; each
answers a case measured with `PiperVoice.phonemize` (docs/PRONUNCIATION.md,
tests/pipeline/test_speech_text.py). Applied only to the text handed to the engine; captions
keep the original. All patterns are compiled once; a megabyte takes about a second.
"""

from __future__ import annotations

from narration.pipeline.normalise import spoken_text


def speakable(text: str, language: str = "en") -> str:
    """The text as the voice should be given it (numbers, symbols, abbreviations expanded)."""
    return spoken_text(text, language)
