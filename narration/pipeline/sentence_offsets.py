"""Sentence boundaries from blingfire's library, called without its Python package.

The package's `__init__` imports numpy for functions the chunker never calls, and that was
0.06-0.1 s of `narrate submit`'s start-up (docs/BENCHMARKS.md, "CLI start-up"). Here the same
C function its `text_to_sentences_and_offsets` calls, `TextToSentencesWithOffsets`, is loaded
from the installed wheel's directory through ctypes, and its UTF-8 byte offsets are mapped to
character offsets as blingfire maps them, so the sentences are the same
(tests/pipeline/test_sentence_offsets.py compares the two).
"""

from __future__ import annotations

import ctypes
import functools
import importlib.util
import sys
from typing import Any

_LIBRARIES = {"win32": "blingfiretokdll.dll", "darwin": "libblingfiretokdll.dylib"}


@functools.cache
def _library() -> Any:
    spec = importlib.util.find_spec("blingfire")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("blingfire is not installed")
    folder = next(iter(spec.submodule_search_locations))
    return ctypes.cdll.LoadLibrary(
        f"{folder}/{_LIBRARIES.get(sys.platform, 'libblingfiretokdll.so')}"
    )


def sentence_offsets(text: str) -> list[tuple[int, int]]:
    """(start, end) character offsets of each sentence of `text`, as
    `blingfire.text_to_sentences_and_offsets(text)[1]` gives them; empty if the library fails
    or there is no text (where blingfire's own mapping fails an assertion)."""
    data = text.encode("utf-8")
    if not data:
        return []
    size = len(data) * 2
    out = ctypes.create_string_buffer(size)
    starts = (ctypes.c_int32 * size)()
    ends = (ctypes.c_int32 * size)()
    written = _library().TextToSentencesWithOffsets(
        ctypes.c_char_p(data),
        ctypes.c_int(len(data)),
        ctypes.byref(out),
        ctypes.byref(starts),
        ctypes.byref(ends),
        ctypes.c_int(size),
    )
    if written == -1 or written > size:
        return []
    count = out.value.count(b"\n") + 1
    byte_offsets = [o for pair in zip(starts[:count], ends[:count], strict=True) for o in pair]
    # Byte to character offsets, as blingfire maps them: each offset falls on the first byte of
    # a character; an end offset names the character's last byte, hence the `+ is_end`.
    found: list[int] = []
    position, is_end = 0, False
    for byte_offset, byte in enumerate(data):
        if byte & 0xC0 == 0x80:  # a continuation byte: inside a character
            continue
        while len(found) < len(byte_offsets) and byte_offsets[len(found)] + is_end == byte_offset:
            found.append(position)
            is_end = not is_end
        position += 1
    if len(found) < count * 2:
        found.append(len(text))
    return list(zip(found[::2], found[1::2], strict=True))
