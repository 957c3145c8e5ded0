"""Stored JSON records keep their keys in a fixed order, so that the same job stores the same
bytes; an optional key goes in its place, not at the end."""

from __future__ import annotations

from collections.abc import Mapping


def inserted_after(
    record: Mapping[str, object], after: str, key: str, value: object
) -> dict[str, object]:
    """`record` with `key: value` placed right after the key `after`."""
    placed: dict[str, object] = {}
    for name, existing in record.items():
        placed[name] = existing
        if name == after:
            placed[key] = value
    return placed
