"""One small exception tree; the branch an error belongs to decides what happens to it.

NarrationError
├── InputError        the user's input or options are wrong: clear message, exit code 2
├── ServiceError      a service (broker, object storage) cannot be reached: exit code 3
│   └── RetryableError   transient: the task retries with backoff
└── PermanentError    the job cannot succeed: it fails with this reason
    └── JobNotFound      no such job id
"""

from __future__ import annotations


class NarrationError(Exception):
    """Base of every error this package raises on purpose."""


class InputError(NarrationError):
    """Raised when a document, option or path given by the user is unusable."""


class ServiceError(NarrationError):
    """Raised when the broker or the object store cannot be reached."""


class RetryableError(ServiceError):
    """Raised for transient failures a task should retry (storage blips, timeouts)."""


class PermanentError(NarrationError):
    """Raised when a job cannot succeed whatever is retried."""


class JobNotFound(PermanentError):
    """Raised when a job id names no job record."""
