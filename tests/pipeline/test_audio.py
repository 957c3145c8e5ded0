"""PCM helpers on synthetic signals: WAV round trip, levels, where a chunk is cut, fades."""

from __future__ import annotations

import numpy as np
import pytest

from narration.pipeline import audio

SR = 22050


def _utterance(level_db: float = -20.0) -> np.ndarray:
    """0.5 s silence, 1 s of a 220 Hz tone, an exponential tail (-2 dB per 10 ms), 0.5 s silence."""
    amplitude = audio.db_to_gain(level_db) * np.sqrt(2)
    t = np.arange(SR) / SR
    tone = amplitude * np.sin(2 * np.pi * 220 * t)
    tail_t = np.arange(int(0.3 * SR)) / SR
    tail = amplitude * np.sin(2 * np.pi * 220 * (1 + tail_t)) * 10 ** (-10 * tail_t)
    silence = np.zeros(SR // 2)
    return np.concatenate([silence, tone, tail, silence]).astype(np.float32)


def test_wav_round_trip_is_16_bit_exact() -> None:
    pcm = _utterance()
    data = audio.to_wav_bytes(pcm, SR)
    back, rate = audio.from_wav_bytes(data)
    assert rate == SR
    assert np.max(np.abs(back - pcm)) <= 0.5 / 32767 + 1e-7
    assert audio.to_wav_bytes(back, SR) == data


def test_speech_level_ignores_silence() -> None:
    pcm = _utterance(-20.0)
    assert audio.speech_level_db(pcm, SR) == pytest.approx(-20.0, abs=1.0)
    assert audio.speech_level_db(np.zeros(SR, dtype=np.float32), SR) == -120.0


def test_edges_keep_the_lead_and_the_decaying_tail() -> None:
    pcm = _utterance()
    edges = audio.speech_edges(pcm, SR)
    onset = SR // 2
    frame = int(audio.FRAME_S * SR)
    assert edges.start == pytest.approx(onset - audio.LEAD_S * SR, abs=frame)
    assert edges.lead_quiet == round(audio.LEAD_S * SR)
    # The tail is kept down to TRIM_BELOW_SPEECH_DB (40 dB at 2 dB per 10 ms: 200 ms) plus the
    # margin; what falls below QUIET_BELOW_SPEECH_DB (after 150 ms) counts as quiet.
    kept_tail_s = (edges.end - (onset + SR)) / SR
    assert kept_tail_s == pytest.approx(0.2 + audio.EDGE_MARGIN_S, abs=0.015)
    assert edges.tail_quiet / SR == pytest.approx(kept_tail_s - 0.15, abs=0.015)
    assert edges.tail_quiet / SR >= audio.TAIL_MIN_S


def test_edges_cap_the_tail() -> None:
    pcm = _utterance()
    edges = audio.speech_edges(pcm, SR, max_tail_s=0.05)
    assert edges.tail_quiet == round(0.05 * SR)


def test_silence_has_no_edges() -> None:
    silence = np.zeros(SR, dtype=np.float32)
    assert audio.speech_edges(silence, SR) == audio.SpeechEdges(0, 0, 0, 0)


def test_fades_start_and_end_at_zero_without_steps() -> None:
    pcm = np.full(SR // 10, 0.5, dtype=np.float32)
    faded = audio.fade_edges(pcm, SR)
    size = int(audio.FADE_S * SR)
    assert faded[0] == 0.0 and faded[-1] == 0.0
    assert np.max(np.abs(np.diff(faded))) < 0.5 * np.pi / size
    assert np.array_equal(faded[size:-size], pcm[size:-size])


def test_a_longer_fade_out_leaves_the_fade_in_alone() -> None:
    pcm = np.full(SR // 2, 0.5, dtype=np.float32)
    faded = audio.fade_edges(pcm, SR, fade_out_s=audio.TAIL_FADE_S)
    short = audio.fade_edges(pcm, SR)
    size, tail = int(audio.FADE_S * SR), int(audio.TAIL_FADE_S * SR)
    assert np.array_equal(faded[: size + 1], short[: size + 1])
    assert faded[-1] == 0.0 and faded[-tail - 1] == 0.5
    assert 0.0 < faded[-tail // 2] < 0.5 * 0.5 + 1e-3  # half way down the raised cosine
    assert np.max(np.abs(np.diff(faded[-tail:]))) < 0.5 * np.pi / tail


def _hiss(seconds: float, dbfs: float, seed: int = 1) -> np.ndarray:
    """White noise at `dbfs` RMS: a fricative's decay as the pipeline keeps it."""
    noise = np.random.default_rng(seed).standard_normal(round(seconds * SR))
    return (noise * 10 ** (dbfs / 20)).astype(np.float32)


def test_hiss_is_no_click_though_its_steps_are_large() -> None:
    """A fricative's hiss at -44 dBFS has sample steps over 0.02 (what the seams bench once
    counted as clicks); faded into silence, it has no click."""
    hiss = audio.fade_edges(_hiss(0.2, -44.0), SR, fade_out_s=0.06)
    assert np.abs(np.diff(hiss)).max() > 0.02
    joined = np.concatenate([hiss, np.zeros(SR // 10, np.float32), hiss])
    assert audio.clicks(joined, SR).size == 0
    assert audio.clicks(np.zeros(SR, np.float32), SR).size == 0


@pytest.mark.parametrize("cut_s", [0.1013, 0.1040])
def test_a_cut_off_the_zero_line_is_a_click(cut_s: float) -> None:
    """Speech cut mid-wave (near a crest, no fade) and followed by silence steps to zero: a
    click, found where the cut is."""
    t = np.arange(round(cut_s * SR)) / SR
    tone = (0.05 * np.sin(2 * np.pi * 180 * t)).astype(np.float32)
    joined = np.concatenate([tone, np.zeros(SR // 10, np.float32), audio.fade_edges(tone, SR)])
    found = audio.clicks(joined, SR)
    assert found.tolist() == [len(tone) - 1]


def test_a_dc_step_and_a_spike_in_the_quiet_are_clicks() -> None:
    hiss = _hiss(0.2, -60.0)
    stepped = hiss.copy()
    stepped[len(hiss) // 2 :] += 0.02
    assert audio.clicks(stepped, SR).tolist() == [len(hiss) // 2 - 1]
    spiked = hiss.copy()
    spiked[1000] += 0.03
    assert set(audio.clicks(spiked, SR).tolist()) <= {999, 1000}
    assert audio.clicks(spiked, SR).size >= 1


def test_a_span_is_judged_with_the_samples_around_it() -> None:
    """A speech onset just inside a span's end is judged by what follows it too: seen from
    the span alone (all quiet before it) it would stand out."""
    t = np.arange(SR // 10) / SR
    onset = (0.05 * np.sin(2 * np.pi * 2000 * t)).astype(np.float32)
    pcm = np.concatenate([_hiss(0.1, -70.0), onset])
    edge = round(0.1 * SR) + 2
    assert audio.clicks(pcm[:edge], SR).size > 0
    assert audio.clicks(pcm, SR, 0, edge).size == 0
