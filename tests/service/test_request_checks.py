"""The request checks' rules as plain values: allowed hosts and origins, who a caller is, and the
token bucket on a clock of the test's own. (Against the running service:
tests/integration/test_service_safety.py and test_service_limits.py.)"""

from __future__ import annotations

import pytest

from narration.errors import InputError
from narration.service.console.session import issue
from narration.service.origin_guard import AllowedHosts, foreign_origin
from narration.service.request_limits import CallerBook, Limits, caller_of

KEYS = {"alice": "alice-secret", "bob": "bob-secret"}


def test_hosts_the_service_answers_to() -> None:
    hosts = AllowedHosts.from_setting("127.0.0.1", "narration.example, .corp.example")
    for host in (
        "127.0.0.1:8080",
        "localhost:8080",
        "[::1]:8080",
        "LOCALHOST",
        "narration.example",
        "corp.example:443",
        "tts.corp.example",
    ):
        assert hosts.answers_to(host), host
    for host in (
        "evil.example",
        "narration.example.evil",
        "127.0.0.1.evil.example",
        "xcorp.example",
    ):
        assert not hosts.answers_to(host), host
    assert AllowedHosts.from_setting("127.0.0.1", "*").answers_to("anything.example")
    with pytest.raises(InputError):
        AllowedHosts.from_setting("127.0.0.1", "http://evil.example/")


def test_origins_and_referers_from_other_pages_are_foreign() -> None:
    hosts = AllowedHosts.from_setting("127.0.0.1", "narration.example")
    own = "127.0.0.1:8080"
    assert not foreign_origin(None, None, own, hosts)
    assert not foreign_origin("http://127.0.0.1:8080", None, own, hosts)
    assert not foreign_origin(None, "http://127.0.0.1:8080/console/submit", own, hosts)
    assert not foreign_origin("https://narration.example", None, own, hosts)
    assert foreign_origin("http://evil.example", None, own, hosts)
    assert foreign_origin("http://localhost:3000", None, own, hosts)
    assert foreign_origin("null", None, own, hosts)
    assert foreign_origin(None, "http://evil.example/x", own, hosts)
    assert foreign_origin("http://evil.example", "http://127.0.0.1:8080/", own, hosts)
    anywhere = AllowedHosts("", ("*",))
    assert foreign_origin("https://anything.example", None, own, anywhere), "never by wildcard"
    assert not foreign_origin("https://proxy.example", None, "proxy.example", anywhere)


def _scope(headers: dict[str, str], client: str = "10.0.0.7") -> dict[str, object]:
    raw = [(name.lower().encode(), value.encode()) for name, value in headers.items()]
    return {"headers": raw, "client": (client, 5000)}


def test_a_caller_is_a_key_when_its_secret_or_session_says_so() -> None:
    assert caller_of(_scope({"Authorization": "Bearer bob-secret"}), KEYS) == ("key:bob", False)
    assert caller_of(_scope({"Authorization": "Bearer guess"}), KEYS) == ("client:10.0.0.7", False)
    session = issue(KEYS, "alice")
    cookie = {"Cookie": f"theme=dark; narration_console={session}"}
    assert caller_of(_scope(cookie), KEYS) == ("key:alice", False)
    signed = "AWS4-HMAC-SHA256 Credential=bob/20260101/eu-west-1/polly/aws4_request, Sig..."
    assert caller_of(_scope({"Authorization": signed}), KEYS) == ("key:bob", True)
    unknown = signed.replace("Credential=bob", "Credential=mallory")
    assert caller_of(_scope({"Authorization": unknown}), KEYS) == ("client:10.0.0.7", False)
    assert caller_of(_scope({"Authorization": "Bearer bob-secret"}), {}) == (
        "client:10.0.0.7",
        False,
    )


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_rate_refills_and_the_slots_come_back() -> None:
    clock = Clock()
    book = CallerBook(Limits(per_minute=6, concurrent=2), clock)
    assert book.admit("a") is None and book.admit("a") is None
    busy = book.admit("a")
    assert busy is not None and busy[0] == 1.0 and "in progress" in busy[1]
    book.release("a")
    book.release("a")
    for _ in range(4):
        assert book.admit("a") is None
        book.release("a")
    empty = book.admit("a")
    assert empty is not None and empty[0] == pytest.approx(10.0)
    assert book.admit("b") is None
    clock.now += 10.0
    assert book.admit("a") is None
    book.release("a", refund=True)
    assert book.admit("a") is None


def test_limits_are_off_on_a_local_service_without_keys_unless_asked() -> None:
    assert not Limits.from_settings("auto", 120, 8, open_service=True).active
    assert Limits.from_settings("auto", 120, 8, open_service=False) == Limits(120, 8)
    assert Limits.from_settings("on", 120, 8, open_service=True).active
    assert not Limits.from_settings("off", 120, 8, open_service=False).active
    with pytest.raises(InputError):
        Limits.from_settings("sometimes", 120, 8, open_service=False)
