"""An engine standing in for another: the same name, voice, identity and text preparation, and a
`synthesize` of its own (the seams bench's context engine, the worker trace's timed engine)."""

from __future__ import annotations

import checkout  # noqa: F401  (this checkout's narration)

from narration.pipeline.engine import Engine, OneAtATime


class WrappedEngine(OneAtATime):
    """Everything but `synthesize` is the wrapped engine's."""

    def __init__(self, engine: Engine) -> None:
        self.wrapped = engine
        self.name, self.voice, self.facts = engine.name, engine.voice, engine.facts
        # The wrapped engine's identity, so that chunk keys and seeds are the ones it makes.
        self.identity: str = engine.identity

    @property
    def sample_rate(self) -> int:
        return self.wrapped.sample_rate

    def prepare_text(self, text: str) -> str:
        return self.wrapped.prepare_text(text)
