"""The HLS playlist text: an EVENT playlist that only grows, closed once."""

from __future__ import annotations

import itertools

from narration.pipeline.hls_playlist import (
    END_TAG,
    TARGET_DURATION_S,
    closed,
    pieces,
    playlist,
    segment_name,
)


def test_a_growing_playlist_lists_segments_in_order_without_an_end() -> None:
    text = playlist([5.5, 4.25], ended=False)
    lines = text.splitlines()
    assert lines[0] == "#EXTM3U"
    assert "#EXT-X-PLAYLIST-TYPE:EVENT" in lines
    assert f"#EXT-X-TARGETDURATION:{TARGET_DURATION_S}" in lines
    assert lines[-4:] == ["#EXTINF:5.500,", "000000.ts", "#EXTINF:4.250,", "000001.ts"]
    assert END_TAG not in text


def test_the_end_tag_closes_it_once() -> None:
    ended = playlist([3.0], ended=True)
    assert ended.rstrip().endswith(END_TAG)
    assert closed(ended) == ended
    assert closed(playlist([3.0], ended=False)) == ended
    assert segment_name(7) == "000007.ts"


def test_a_segment_longer_than_the_target_raises_the_target() -> None:
    assert "#EXT-X-TARGETDURATION:41" in playlist([40.2], ended=False)


def test_the_target_is_six_seconds_even_before_the_first_segment() -> None:
    assert TARGET_DURATION_S <= 6
    assert f"#EXT-X-TARGETDURATION:{TARGET_DURATION_S}" in playlist([], ended=False)


def test_a_chunk_is_cut_into_equal_pieces_within_the_target() -> None:
    rate = 22050
    assert pieces(3 * rate, rate) == [(0, 3 * rate)]
    assert pieces(0, rate) == [(0, 0)]
    cut = pieces(round(14.2 * rate), rate)
    assert len(cut) == 3
    assert cut[0][0] == 0 and cut[-1][1] == round(14.2 * rate)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(cut))
    assert all(end - first <= TARGET_DURATION_S * rate for first, end in cut)
    assert pieces(6 * rate, rate) == [(0, 6 * rate)]
