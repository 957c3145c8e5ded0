"""Where outputs may go: the allow list's entries and the service's own places, whatever the
prefix setting. (Against the running service and the CLI: tests/integration/
test_service_safety.py.)"""

from __future__ import annotations

import pytest

from narration.adapters.object_store import parse_s3_uri
from narration.errors import InputError
from narration.output_places import OutputPlaces
from narration.settings import Settings


def _refused(settings: Settings, uri: str) -> str | None:
    refusal = OutputPlaces.from_settings(settings).refusal(parse_s3_uri(uri))
    return None if refusal is None else refusal.part


def test_by_default_only_the_configured_bucket_outside_its_own_places() -> None:
    settings = Settings(s3_bucket="narration", s3_prefix="jobs")
    assert _refused(settings, "s3://narration/books/one.mp3") is None
    assert _refused(settings, "s3://narration/jobsite/one.mp3") is None
    assert _refused(settings, "s3://other-bucket/one.mp3") == "bucket"
    for own in (
        "s3://narration/jobs/lexicons/x.mp3",
        "s3://narration/jobs/0123456789abcdef0123456789abcdef/output.mp3",
        "s3://narration/chunk-cache/ab/x.wav",
        "s3://narration/lexicons/x.pls",
    ):
        assert _refused(settings, own) == "key", own


def test_with_an_empty_prefix_the_root_folders_are_the_service_s() -> None:
    settings = Settings(s3_bucket="narration", s3_prefix="")
    for own in (
        "s3://narration/lexicons/x.mp3",
        "s3://narration/0123456789abcdef0123456789abcdef/hls/1.ts",
        "s3://narration/covers/x.jpg",
        "s3://narration/chunk-cache/x.wav",
    ):
        assert _refused(settings, own) == "key", own
    assert _refused(settings, "s3://narration/0123456789abcdef.mp3") is None
    assert _refused(settings, "s3://narration/books/x.mp3") is None


def test_the_allow_list_names_buckets_and_prefixes() -> None:
    settings = Settings(output_allow="deliveries/books, archive", s3_prefix="tenant/a")
    assert _refused(settings, "s3://deliveries/books/one.mp3") is None
    assert _refused(settings, "s3://deliveries/booksellers/one.mp3") == "key"
    assert _refused(settings, "s3://archive/any/where.mp3") is None
    assert _refused(settings, "s3://narration/books/one.mp3") == "bucket"
    listed = Settings(output_allow="narration", s3_prefix="tenant/a")
    assert _refused(listed, "s3://narration/tenant/a/x.mp3") == "key"
    assert _refused(listed, "s3://narration/tenant/b/x.mp3") is None


@pytest.mark.parametrize("entry", ["Not_A_Bucket", "ok-bucket/../x", "ok-bucket/a//b"])
def test_a_malformed_entry_is_bad_input(entry: str) -> None:
    with pytest.raises(InputError):
        OutputPlaces.from_settings(Settings(output_allow=entry))
