"""The web console of `narrate serve`: sign in, submit, watch progress, listen, download.

`router` holds every console route; the API app includes it (docs/CONSOLE.md).
"""

from __future__ import annotations

from fastapi import APIRouter

from narration.service.console import cast_editor, media, pages, voice_samples

router = APIRouter()
router.include_router(pages.router)
router.include_router(media.router)
router.include_router(voice_samples.router)
router.include_router(cast_editor.router)
