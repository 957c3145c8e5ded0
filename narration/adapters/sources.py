"""Where documents come from: a local file, standard input or s3://, within the size limit.

Reading is the adapter; parsing the bytes is the core's (`narration.pipeline.ingest`).
"""

from __future__ import annotations

import os
import stat
import sys

from narration.adapters.object_store import ObjectStore, parse_s3_uri
from narration.errors import InputError, ObjectNotFound


def read_source(path: str, limit: int, objects: ObjectStore | None = None) -> bytes:
    """The bytes of a document at `path`: a file, "-" for stdin, or s3://bucket/key read
    through `objects` (any bucket of the same store); at most `limit` bytes."""
    if path == "-":
        data = sys.stdin.buffer.read(limit + 1)
    elif path.startswith("s3://"):
        if objects is None:
            raise InputError(f"{path}: no object store configured to read it from")
        location = parse_s3_uri(path)
        store = objects.for_bucket(location.bucket)
        try:
            if store.size(location.key) > limit:
                raise InputError(f"{path} is over {limit:,} bytes (setting max_input_bytes)")
            data = store.get_bytes(location.key)
        except ObjectNotFound:
            raise InputError(f"{path} does not exist") from None
    else:
        data = _read_file(path, limit)
    if len(data) > limit:
        raise InputError(f"input is over {limit:,} bytes (setting max_input_bytes)")
    return data


def _read_file(path: str, limit: int) -> bytes:
    """At most `limit + 1` bytes of a local file, with one clear line for whatever goes wrong.

    Non-regular files are allowed (`<(cmd)`, a named pipe being written) but read bounded, and
    opened non-blocking so that a FIFO nobody writes to reads as empty instead of hanging.
    """
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise InputError(f"{path} is a directory, not a document")
        if stat.S_ISREG(info.st_mode) and info.st_size > limit:
            raise InputError(
                f"{path} is {info.st_size:,} bytes; the limit is {limit:,} "
                "(setting max_input_bytes)"
            )
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as file:
            os.set_blocking(fd, True)
            data = file.read(limit + 1)
    except (FileNotFoundError, NotADirectoryError):
        raise InputError(f"{path}: no such file") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror or error})") from None
    if not data and not stat.S_ISREG(info.st_mode):
        raise InputError(f"{path} is not a regular file and nothing was written to it")
    return data
