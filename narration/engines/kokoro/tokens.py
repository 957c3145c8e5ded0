"""Kokoro phonemes cut into model inputs of at most `MAX_TOKENS` tokens.

A chunk normally fits one inference, which keeps its prosody whole. A longer one is cut at the
last clause end that fits (a comma, a full stop), failing that at a word space, failing that
anywhere; each piece is then spoken on its own with the style row for its own length.
"""

from __future__ import annotations

from narration.engines.kokoro.vocab import CLAUSE_ENDS, MAX_TOKENS, known


def pieces(phonemes: str, limit: int = MAX_TOKENS) -> list[str]:
    """`phonemes` (model symbols only) in order, as pieces of 1 to `limit` symbols."""
    rest = known(phonemes).strip()
    out = []
    while len(rest) > limit:
        cut = _cut(rest, limit)
        out.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    if rest:
        out.append(rest)
    return [piece for piece in out if piece]


def _cut(phonemes: str, limit: int) -> int:
    """Where to end the next piece: after a clause end, else at a space, else at `limit`."""
    window = phonemes[: limit + 1]
    clause = max(
        (i for i in range(1, len(window)) if window[i] == " " and window[i - 1] in CLAUSE_ENDS),
        default=0,
    )
    if clause:
        return clause
    space = window.rfind(" ")
    return space if space > 0 else limit
