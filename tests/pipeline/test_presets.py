"""Mastering presets: defaults, explicit overrides, and the combinations a preset refuses."""

from __future__ import annotations

import pytest

from narration.errors import InputError
from narration.pipeline.presets import bitrate_kbps, encoded_in_parts, get_preset, resolve


def test_acx_defaults_are_192k_mp3_at_minus_20_db_rms() -> None:
    chosen = resolve("acx")
    assert (chosen.format, chosen.bitrate, chosen.target_db) == ("mp3", "192k", -20.0)
    assert chosen.preset.sample_rate == 44100
    assert chosen.preset.per_chapter


def test_explicit_options_override_a_preset() -> None:
    chosen = resolve("acx", "mp3", -19.0, "320k")
    assert (chosen.bitrate, chosen.target_db) == ("320k", -19.0)
    assert resolve("podcast", "opus").format == "opus"
    assert resolve("podcast", "opus").bitrate == ""  # the format's own, not the preset's MP3 rate
    assert resolve("ebu", loudness=-24.0).target_db == -24.0


@pytest.mark.parametrize(
    ("name", "fmt", "loudness", "bitrate", "message"),
    [
        ("acx", "opus", None, "", "mp3 only"),
        ("acx", "wav", None, "", "mp3 only"),
        ("acx", "", None, "128k", "at least 192"),
        ("acx", "", -16.0, "", "within -23..-18"),
        ("none", "", -16.0, "", "sets no loudness"),
        ("loud", "", None, "", "unknown --master"),
        ("acx", "", None, "fast", "not a number"),
    ],
)
def test_forbidden_combinations_are_refused(
    name: str, fmt: str, loudness: float | None, bitrate: str, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        resolve(name, fmt, loudness, bitrate)


def test_loudness_windows_follow_the_target_or_the_preset() -> None:
    assert get_preset("podcast").loudness_window(-14.0) == (-15.0, -13.0)
    assert get_preset("ebu").loudness_window(-23.0) == (-23.5, -22.5)
    assert get_preset("acx").loudness_window(-20.0) == (-23.0, -18.0)
    assert get_preset("none").loudness_window(None) is None


def test_only_presets_at_the_voice_rate_and_whole_books_use_parts() -> None:
    assert encoded_in_parts("mp3", "podcast")
    assert not encoded_in_parts("mp3", "acx")
    assert not encoded_in_parts("wav", "ebu")
    assert not encoded_in_parts("opus", "podcast")


def test_bitrates_read_as_kbit_per_second() -> None:
    assert bitrate_kbps("192k") == 192
    assert bitrate_kbps("192000") == 192
