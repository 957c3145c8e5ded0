"""SentencePool: a chunk's sentences shared with helper threads only while a core is free."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from narration.engines.sentence_pool import SentencePool

ITEMS = [3, 9, 1, 7, 5, 2]


def _recording() -> tuple[list[tuple[int, str]], Callable[[int], int]]:
    seen: list[tuple[int, str]] = []

    def render(item: int) -> int:
        time.sleep(0.002 * item)
        seen.append((item, threading.current_thread().name))
        return item * 10

    return seen, render


def test_results_in_input_order_whoever_made_them() -> None:
    seen, render = _recording()
    pool = SentencePool(1)
    assert pool.map(render, ITEMS, cost=lambda item: item) == [item * 10 for item in ITEMS]
    assert sorted(item for item, _ in seen) == sorted(ITEMS)


def test_helpers_take_sentences_while_a_core_is_free() -> None:
    seen, render = _recording()
    pool = SentencePool(1, spare_core=lambda: True)
    pool.map(render, ITEMS, cost=lambda item: item)
    helped = [item for item, thread in seen if thread.startswith("sentences")]
    assert helped and pool.helped == len(helped)
    assert len(helped) < len(ITEMS)


def test_no_helper_while_the_cores_are_busy() -> None:
    seen, render = _recording()
    asked = threading.Event()

    def busy() -> bool:
        asked.set()
        return False

    pool = SentencePool(1, spare_core=busy, recheck_s=0.001)
    assert pool.map(render, ITEMS, cost=lambda item: item) == [item * 10 for item in ITEMS]
    assert asked.is_set()
    assert pool.helped == 0
    assert {thread for _, thread in seen} == {threading.current_thread().name}


def test_the_costliest_sentence_goes_first_to_the_calling_thread() -> None:
    seen, render = _recording()
    SentencePool(0).map(render, ITEMS, cost=lambda item: item)
    assert [item for item, _ in seen] == ITEMS  # no helpers: in order, as before
    seen.clear()
    SentencePool(1, spare_core=lambda: False).map(render, ITEMS, cost=lambda item: item)
    assert [item for item, _ in seen] == sorted(ITEMS, reverse=True)


def test_a_helper_error_reaches_the_caller() -> None:
    def render(item: int) -> int:
        if threading.current_thread().name.startswith("sentences"):
            raise ValueError("helper failed")
        time.sleep(0.01)
        return item

    with pytest.raises(ValueError, match="helper failed"):
        SentencePool(1).map(render, ITEMS, cost=lambda item: item)
