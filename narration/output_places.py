"""Where a job's audio may be written at a caller's request (`--output`, `output=`, Polly's
OutputS3BucketName/OutputS3KeyPrefix): only into the places the `output_allow` setting lists,
and never over what the service keeps for itself.

The service's own places are its job prefix (`<s3_prefix>/`: jobs, lexicons, HLS, covers),
the shared chunk cache (`chunk-cache/`) and the lexicon store (`lexicons/`, where it lives
when the prefix is empty, beside the job folders named by their ids). An object written there
would be read back as the service's own: an MP3 in the lexicon store breaks ListLexicons.
Buckets are never created: one that does not exist is refused, so a typo cannot make one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from narration.adapters.chunk_store import CACHE_PREFIX
from narration.adapters.object_store import S3Location, parse_s3_uri
from narration.settings import Settings

LEXICON_STORE: Final = "lexicons/"
ROOT_PLACES: Final = (CACHE_PREFIX, LEXICON_STORE, "covers/", "intros/", "outros/")
"""Kept at the bucket's root: always the cache and, with an empty prefix, the rest too."""
_JOB_FOLDER: Final = re.compile(r"^[0-9a-f]{32}/")


@dataclass(frozen=True)
class Refusal:
    """Why an output location is refused; `part` is the `bucket` or the `key` at fault."""

    part: str
    message: str


@dataclass(frozen=True)
class OutputPlaces:
    """The allowed (bucket, key prefix) pairs, and the configured bucket's own places."""

    allowed: tuple[tuple[str, str], ...]
    bucket: str
    prefix: str

    @classmethod
    def from_settings(cls, settings: Settings) -> OutputPlaces:
        """`output_allow` is comma-separated `bucket` or `bucket/prefix/` entries; empty means
        the configured bucket. A malformed entry is refused (InputError)."""
        bucket = settings.s3_bucket
        entries = [part.strip() for part in settings.output_allow.split(",") if part.strip()]
        allowed = []
        for entry in entries or [bucket]:
            name, _, key_prefix = entry.partition("/")
            key_prefix = key_prefix.strip("/")
            parse_s3_uri(f"s3://{name}/{key_prefix or 'x'}")
            allowed.append((name, f"{key_prefix}/" if key_prefix else ""))
        return cls(tuple(allowed), bucket, settings.s3_prefix.strip("/"))

    def refusal(self, location: S3Location) -> Refusal | None:
        """None if `location` may be written; else what is wrong, in one line."""
        buckets = {bucket for bucket, _ in self.allowed}
        if location.bucket not in buckets:
            return Refusal(
                "bucket",
                f"output bucket {location.bucket} is not allowed here "
                f"(setting output_allow: {', '.join(sorted(buckets))})",
            )
        if location.bucket == self.bucket:
            own = self.own_place(location.key)
            if own is not None:
                return Refusal(
                    "key",
                    f"s3://{location.bucket}/{own} is where this service keeps its own "
                    "objects; choose another output key",
                )
        if not any(
            bucket == location.bucket and location.key.startswith(key_prefix)
            for bucket, key_prefix in self.allowed
        ):
            prefixes = [f"s3://{b}/{p}" for b, p in self.allowed if b == location.bucket]
            return Refusal(
                "key",
                f"{location.uri} is outside the allowed output places ({', '.join(prefixes)})",
            )
        return None

    def own_place(self, key: str) -> str | None:
        """The service's own place that `key` falls in, if any."""
        if self.prefix and key.startswith(self.prefix + "/"):
            return self.prefix + "/"
        for place in ROOT_PLACES if not self.prefix else (CACHE_PREFIX, LEXICON_STORE):
            if key.startswith(place):
                return place
        if not self.prefix and _JOB_FOLDER.match(key):
            return key[:33]
        return None
