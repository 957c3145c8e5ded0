"""The one voice catalogue: both families listed alike, facts for every pinned Kokoro voice."""

from __future__ import annotations

from pathlib import Path

import pytest

from narration.engines import catalogue
from narration.engines.kokoro import assets, voice_facts
from narration.pipeline.defaults import DEFAULT_VOICE_NAME

ENGLISH = [name for name in assets.VOICE_SHA256 if name[0] in "ab"]


def fake_install(data: Path, names: list[str], model: bool = True) -> None:
    """Kokoro files where the installer puts them; listing only looks for them."""
    (data / "kokoro" / "voices").mkdir(parents=True)
    if model:
        (data / "kokoro" / assets.MODEL_FILE).write_bytes(b"model")
    for name in names:
        (data / "kokoro" / "voices" / f"{name}.bin").write_bytes(b"voice")


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NARRATION_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


@pytest.mark.parametrize(
    ("code", "tag"),
    [
        ("en_US", "en-US"),
        ("en-us", "en-US"),
        ("pt_br", "pt-BR"),
        ("es", "es"),
        ("zh_Hans", "zh-Hans"),
    ],
)
def test_language_codes_become_bcp47(code: str, tag: str) -> None:
    assert catalogue.bcp47(code) == tag


def test_every_pinned_voice_has_its_facts() -> None:
    assert len(ENGLISH) == 28
    languages = {voice_facts.language(name) for name in assets.VOICE_SHA256}
    assert languages == {"en-US", "en-GB", "es", "fr", "hi", "it", "ja", "pt-BR", "zh"}
    assert {voice_facts.gender(name) for name in assets.VOICE_SHA256} == {"female", "male"}
    assert set(voice_facts.GRADES) <= set(assets.VOICE_SHA256)
    assert all(voice_facts.grade(name) for name in ENGLISH)
    assert voice_facts.grade("ef_dora") is None
    assert (voice_facts.grade("af_heart"), voice_facts.grade("am_michael")) == ("A", "C+")
    assert (voice_facts.language("bm_fable"), voice_facts.gender("bm_fable")) == ("en-GB", "male")


def test_the_default_voice_comes_first_and_says_it_is_male(data_dir: Path) -> None:
    fake_install(data_dir, ["af_heart", "ff_siwis"])
    voices = catalogue.catalogue()
    assert [v.name for v in voices] == [DEFAULT_VOICE_NAME, "af_heart", "ff_siwis"]
    joe = voices[0].row()
    assert joe["family"] == "piper" and joe["engine"] == "piper"
    assert (joe["language"], joe["gender"], joe["grade"]) == ("en-US", "male", None)
    assert (joe["sample_rate"], joe["runtimes"]) == (22050, ["onnx", "torch"])


def test_installed_kokoro_voices_are_listed_with_their_facts(data_dir: Path) -> None:
    fake_install(data_dir, ["af_heart", "pf_dora"])
    heart = catalogue.by_name()["af_heart"].row()
    assert heart == {
        "name": "af_heart",
        "family": "kokoro",
        "language": "en-US",
        "gender": "female",
        "grade": "A",
        "sample_rate": 24000,
        "runtimes": ["onnx", "torch"],
        "engine": "kokoro",
        "path": str(data_dir / "kokoro" / "voices" / "af_heart.bin"),
    }
    assert catalogue.by_name()["pf_dora"].language == "pt-BR"


def test_no_kokoro_voice_without_the_model(data_dir: Path) -> None:
    fake_install(data_dir, ["af_heart"], model=False)
    assert [v.name for v in catalogue.catalogue()] == [DEFAULT_VOICE_NAME]


def test_a_piper_voice_keeps_its_name_against_kokoro(data_dir: Path, tmp_path: Path) -> None:
    fake_install(data_dir, ["af_heart"])
    piper_dir = tmp_path / "piper"
    piper_dir.mkdir()
    joe = Path(catalogue.by_name()[DEFAULT_VOICE_NAME].voice.path)
    (piper_dir / "af_heart.onnx").write_bytes(joe.read_bytes())
    (piper_dir / "af_heart.onnx.json").write_bytes(Path(f"{joe}.json").read_bytes())
    voices = catalogue.catalogue([piper_dir])
    assert [(v.name, v.family) for v in voices].count(("af_heart", "piper")) == 1
    assert [v.name for v in voices].count("af_heart") == 1


def test_a_voice_without_g2p_here_is_listed_with_no_runtime(data_dir: Path) -> None:
    fake_install(data_dir, ["af_heart", "jf_alpha", "zf_xiaobei"])
    voices = catalogue.by_name()
    assert voices["jf_alpha"].row()["runtimes"] == []
    assert voices["zf_xiaobei"].runtimes == ()
    assert voices["af_heart"].runtimes == ("onnx", "torch")
