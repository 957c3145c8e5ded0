"""A chunk's identity: everything that determines its audio, hashed.

The key addresses the chunk cache (an edited document reuses every chunk whose key is
unchanged); the same inputs, hashed under `SEED_VERSION` instead of `RENDER_VERSION` and with the
voice in place of the engine, seed the chunk's noise, so seeds come from content, not chance: the
same text, voice, engine, parameters and incoming state give the same bytes in any job, on any
worker. The seed names the voice (its family and name), not the runtime: a chunk draws the same
noise on onnxruntime and on torch, on the CPU and on a GPU, so its renders differ only by
floating-point error (docs/ENGINE.md, "One sound whatever the runtime").
Nothing about the document around the chunk enters it except through the incoming state, which
chains only within a segment; the user's `--seed` is in that state. The seed takes only the
state's planned part (`planned_part`), not what was measured on the audio before, so a chunk's
engine call is known as soon as the state before the chunk before it is.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Final

from narration.pipeline.prosody import SessionState

RENDER_VERSION: Final = 6
"""Bump when rendering (trim, levels, fades, pauses) or normalisation changes what a chunk
sounds like, so that cached chunks made by older code are not reused. 2: segments start at the
reference level, and the metadata carries the chunk's loudness figures. 3: the quiet tail is
faded out across `audio.TAIL_FADE_S`. 4: normalisation reads versions, options, addresses,
dates and references (`pipeline.normalise`). 5: a chunk's seed names its voice, not the runtime
that renders it. 6: the seed is drawn from the state's planned part (`SEED_VERSION` 4)."""
SEED_VERSION: Final = 4
"""The render version a chunk's noise seed is drawn under. A change to shaping (a fade, a trim)
bumps `RENDER_VERSION`, so cached chunks are made again, but draws the same noise: the speech
it shapes is the same. Bump this only when what the engine is given, or how, changes. 3: the
seed names the voice instead of the engine's identity. 4: the seed is drawn from the state's
planned part only (`planned_part`), so a chunk's engine call is known before the chunk
before it is heard (`production.render_ahead`)."""
MEASURED_FIELDS: Final = (
    "rate_cps",
    "level_db",
    "first_gain_db",
    "position_s",
    "sentence_pause_s",
    "clause_pause_s",
)
"""What a session state learns from the audio of the chunks before (`prosody.advance`,
`prosody.heard`): it sets gains and pauses after synthesis, never the engine's input."""
SEED_MASK: Final = 0x7FFF_FFFF


def chunk_key(
    text: str,
    boundary_after: str,
    state: SessionState,
    engine_identity: str,
    variant: Mapping[str, object] | None = None,
) -> str:
    """The hex key of a chunk: its text, what follows it (the pause and trim depend on it), the
    engine (name, version, voice model and device), and the state it starts from.

    `variant` holds what a lexicon or SSML changed for this chunk (what the engine is given and
    the lexicons' content hash, a break's pause, a rate); a chunk they leave alone has no
    variant and keeps the key it has without them."""
    return _digest(
        RENDER_VERSION, text, boundary_after, state, ("engine", engine_identity), variant
    )


def chunk_seed(
    text: str,
    boundary_after: str,
    state: SessionState,
    voice: str,
    variant: Mapping[str, object] | None = None,
) -> int:
    """The chunk's noise seed: drawn from the same inputs as its key under `SEED_VERSION`, with
    `voice` (`voice_for_seed`: family and name, whatever the runtime) in place of the engine."""
    material = planned_part(state)
    return _seed_bits(
        _digest(SEED_VERSION, text, boundary_after, material, ("voice", voice), variant)
    )


def planned_part(state: SessionState) -> dict[str, object]:
    """The part of a state that the plan alone decides (voice, seed, speed, pause table, the
    chunks before and their text, the speakers' turns), without `MEASURED_FIELDS`: the same
    whatever the audio before sounded like."""
    data: dict[str, object] = dict(state.to_dict())
    for name in MEASURED_FIELDS:
        del data[name]
    if state.held:
        data["held"] = [[speaker, voice, chunks] for speaker, voice, _, _, _, chunks in state.held]
    return data


def voice_for_seed(family: str, name: str) -> str:
    """What a chunk's seed knows of its engine: the voice's family and name, no runtime."""
    return f"{family} {name}"


def _digest(
    version: int,
    text: str,
    boundary_after: str,
    state: SessionState | Mapping[str, object],
    speaker: tuple[str, str],
    variant: Mapping[str, object] | None,
) -> str:
    material: dict[str, object] = {
        "render": version,
        "text": text,
        "boundary_after": boundary_after,
        speaker[0]: speaker[1],
        "state": dict(state) if isinstance(state, Mapping) else state.to_dict(),
    }
    if variant:
        material["variant"] = dict(variant)
    encoded = json.dumps(material, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.blake2b(encoded, digest_size=20).hexdigest()


def _seed_bits(digest: str) -> int:
    """The first 31 bits of a hex digest."""
    return int(digest[:8], 16) & SEED_MASK


PART_KEY_PREFIX: Final = "part-"
PART_VERSION: Final = 1
"""Bump when making a part (`production.parts`) changes what it holds for the same inputs."""


def part_key(chunk_keys: list[str], encoding: dict[str, object]) -> str:
    """The key of a segment's encoded part: its chunks' keys and how it was mastered, laid out
    and encoded (format, bitrate, gain, ceiling, framing, place in the book)."""
    material = {"part": PART_VERSION, "chunks": chunk_keys, "encoding": encoding}
    encoded = json.dumps(material, sort_keys=True).encode()
    return PART_KEY_PREFIX + hashlib.blake2b(encoded, digest_size=20).hexdigest()


def is_part_key(key: str) -> bool:
    return key.startswith(PART_KEY_PREFIX)
