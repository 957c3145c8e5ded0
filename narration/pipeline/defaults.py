"""What a job gets when neither its options nor the settings choose: voice, output format,
loudness target and engine kind.

Plain constants that import nothing, so that the settings, and through them every `narrate`
command, read them without loading numpy, scipy or an engine (`narrate --help` and `narrate
status` start in a few tenths of a second). The modules of each concept re-export their own.
"""

from __future__ import annotations

from typing import Final

DEFAULT_VOICE_NAME: Final = "en_US-joe-medium"
DEFAULT_FORMAT: Final = "mp3"
DEFAULT_TARGET_LUFS: Final = -16.0
DEFAULT_ENGINE: Final = "onnx"
