"""I/O behind small interfaces: object storage and the chunk store, ffmpeg, tags, job records.

Each adapter maps the errors of the library it wraps onto `narration.errors` where it meets them.
"""

from narration.adapters.redis_package import defer_redis_asyncio

defer_redis_asyncio()
