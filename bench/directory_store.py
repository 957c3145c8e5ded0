"""Storage for a benchmark that runs without the services: objects as files in one directory
(shared by forked worker processes, as S3 is by workers) and job records that go nowhere."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Final, cast
from urllib.parse import quote, unquote

import checkout  # noqa: F401  (this checkout's narration)

from narration.adapters.job_records import JobRecords
from narration.adapters.object_store import MemoryStore, ObjectNotFound


class NoJobRecords:
    """The stitch benchmark runs without Redis: every job-record call is a no-op."""

    def __getattr__(self, name: str) -> Callable[..., None]:
        return lambda *args, **kwargs: None


NO_RECORDS: Final = cast(JobRecords, NoJobRecords())


class DirectoryStore(MemoryStore):
    """Every object a file in one directory: the worker processes of `--processes 2` share
    what they store, as workers share S3, and the stitch finds the parts they made."""

    def __init__(self, directory: Path) -> None:
        super().__init__()
        self.directory = directory

    def _path(self, key: str) -> Path:
        return self.directory / quote(key, safe="")

    def put_bytes(self, key: str, data: bytes, content_type: str = "") -> None:
        self._path(key).write_bytes(data)

    def get_bytes(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise ObjectNotFound(key) from None

    def exists(self, key: str) -> bool:
        return self._path(key).exists()

    def upload_file(self, key: str, path: Path, content_type: str = "") -> None:
        shutil.copyfile(path, self._path(key))

    def download_file(self, key: str, path: Path) -> None:
        if not self.exists(key):
            raise ObjectNotFound(key)
        shutil.copyfile(self._path(key), path)

    def list_keys(self, prefix: str) -> list[str]:
        return sorted(k for k in map(unquote, os.listdir(self.directory)) if k.startswith(prefix))

    def delete_keys(self, keys: list[str]) -> None:
        for key in keys:
            self._path(key).unlink(missing_ok=True)
