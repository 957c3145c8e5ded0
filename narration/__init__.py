"""narration: long documents in, podcast- and audiobook-length audio out."""

__version__ = "0.1.0"
