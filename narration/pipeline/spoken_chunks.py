"""What the engine is given for each chunk of a document, without rendering it.

The same steps a job takes between its plan and its engine: SSML's spoken forms
(`markup.chunk_speech`), the job's lexicons, then the engine's text preparation
(`render.engine_text`: normalisation, phoneme blocks untouched). `narrate inspect --spoken`
shows it; a chunk's metadata stores the same text as `spoken_text`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from narration.pipeline.chunker import TextChunk
from narration.pipeline.lexicon import Lexicon
from narration.pipeline.markup import chunk_speech
from narration.pipeline.plan import PlannedChunk
from narration.pipeline.render import engine_text
from narration.pipeline.speech_text import speakable


def spoken_chunk_texts(
    chunks: Sequence[TextChunk],
    lexicon: Lexicon | None = None,
    prepare: Callable[[str], str] = speakable,
) -> list[str]:
    """Each chunk's text as its engine is given it, in order."""
    texts = []
    for chunk in chunks:
        said = chunk_speech(chunk).spoken
        if lexicon is not None:
            said = lexicon.apply(said)
        planned = PlannedChunk(0, 0, 0, chunk.chapter, chunk.text, chunk.boundary_after, said)
        texts.append(engine_text(planned, prepare))
    return texts
