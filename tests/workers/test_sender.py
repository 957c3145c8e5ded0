"""The CLI's sending app: Celery's Redis result backend, named without scanning entry points,
that follows none of the results it sends (narration/workers/sender.py). The chord it sends is
exercised end to end by the integration tests that `narrate submit --wait`."""

from __future__ import annotations

import pytest
from celery.app import backends
from celery.backends.redis import RedisBackend
from celery.result import AsyncResult

from narration.workers.sender import SendingApp, SendingBackend

UNREACHABLE = "redis://127.0.0.1:9/0"
"""Nothing listens there: any subscription would fail with a connection error."""


def app_for(url: str) -> SendingApp:
    app = SendingApp("narration-test", set_as_current=False)
    app.conf.update(broker_url=url, result_backend=url)
    return app


@pytest.mark.parametrize("url", [UNREACHABLE, "rediss://127.0.0.1:9/0?ssl_cert_reqs=required"])
def test_a_redis_url_gets_the_sending_backend_without_an_entry_point_scan(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def scanned(namespace: str) -> tuple[tuple[str, str], ...]:
        raise AssertionError(f"scanned the entry points of {namespace}")

    monkeypatch.setattr(backends, "load_extension_class_names", scanned)
    backend = app_for(url).backend
    assert isinstance(backend, SendingBackend) and isinstance(backend, RedisBackend)
    assert backend.url == url


def test_another_backend_is_celerys_own() -> None:
    backend = app_for("cache+memory://").backend
    assert not isinstance(backend, RedisBackend)


def test_sent_tasks_and_their_results_are_not_followed() -> None:
    app = app_for(UNREACHABLE)
    backend = app.backend
    backend.on_task_call(None, "a-task")
    result = AsyncResult("another-task", backend=backend, app=app)
    result.then(lambda *_: None)
    assert backend.result_consumer._pubsub is None
