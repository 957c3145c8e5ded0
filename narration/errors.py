"""One closed exception tree; the branch an error belongs to decides what happens to it.

Each class carries the exit code the CLI returns and the HTTP status a service answers with, so
no caller keeps its own table. Adapters raise these where they meet a foreign error (boto3,
redis, ffmpeg); nothing else escapes to a user.

NarrationError               exit 1 / 500  the job cannot succeed
├── InputError               exit 2 / 400  the user's document, option or path is unusable
│   ├── CastRefused                        a document's cast cannot read it
│   └── NotFound             exit 2 / 404  a job id or object key names nothing
│       ├── JobNotFound                    no job record with that id
│       ├── ObjectNotFound                 no object under that key
│       └── LexiconNotFound                no stored lexicon with that name
├── ServiceError             exit 3 / 503  the broker or object storage cannot be used
│   ├── CredentialsRefused   exit 3 / 502  a service refused our credentials (S3 or Redis)
│   └── RetryableError       exit 3 / 503  transient: tasks retry it with backoff
└── PermanentError           exit 1 / 500  a job failed for a reason retrying cannot fix
"""

from __future__ import annotations

from typing import ClassVar, Final

EXIT_OK: Final = 0
EXIT_JOB_FAILED: Final = 1
EXIT_BAD_INPUT: Final = 2
EXIT_SERVICE: Final = 3


class NarrationError(Exception):
    """Base of every error this package raises on purpose."""

    exit_code: ClassVar[int] = EXIT_JOB_FAILED
    http_status: ClassVar[int] = 500


class InputError(NarrationError):
    """Raised when a document, option or path given by the user is unusable."""

    exit_code = EXIT_BAD_INPUT
    http_status = 400


class CastRefused(InputError):
    """Raised when a script's or SSML document's cast cannot read it: a speaker without a
    voice, a voice not installed, voices of two families (the console shows it by the cast)."""


class NotFound(InputError):
    """Raised when an id or key given by the user names nothing."""

    http_status = 404


class JobNotFound(NotFound):
    """Raised when a job id names no job record."""


class ObjectNotFound(NotFound):
    """Raised when a key names no object in storage."""


class LexiconNotFound(NotFound):
    """Raised when a lexicon name names no stored lexicon."""


class ServiceError(NarrationError):
    """Raised when the broker or the object store cannot be reached or used."""

    exit_code = EXIT_SERVICE
    http_status = 503


class CredentialsRefused(ServiceError):
    """Raised when the broker or the object store refuses our credentials."""

    http_status = 502


class RetryableError(ServiceError):
    """Raised for transient failures a task should retry (storage blips, timeouts)."""


class PermanentError(NarrationError):
    """Raised when a job cannot succeed whatever is retried."""
