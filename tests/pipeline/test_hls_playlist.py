"""The HLS playlist text: an EVENT playlist that only grows, closed once."""

from __future__ import annotations

from narration.pipeline.hls_playlist import (
    END_TAG,
    TARGET_DURATION_S,
    closed,
    playlist,
    segment_name,
)


def test_a_growing_playlist_lists_segments_in_order_without_an_end() -> None:
    text = playlist([12.5, 8.25], ended=False)
    lines = text.splitlines()
    assert lines[0] == "#EXTM3U"
    assert "#EXT-X-PLAYLIST-TYPE:EVENT" in lines
    assert f"#EXT-X-TARGETDURATION:{TARGET_DURATION_S}" in lines
    assert lines[-4:] == ["#EXTINF:12.500,", "000000.ts", "#EXTINF:8.250,", "000001.ts"]
    assert END_TAG not in text


def test_the_end_tag_closes_it_once() -> None:
    ended = playlist([3.0], ended=True)
    assert ended.rstrip().endswith(END_TAG)
    assert closed(ended) == ended
    assert closed(playlist([3.0], ended=False)) == ended
    assert segment_name(7) == "000007.ts"


def test_a_segment_longer_than_the_target_raises_the_target() -> None:
    assert "#EXT-X-TARGETDURATION:41" in playlist([40.2], ended=False)
