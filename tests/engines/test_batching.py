"""The micro-batcher in front of the real torch engine: concurrent task threads share batches and
each gets exactly what the engine alone gives it; a failed batch fails each of its requests."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from narration.engines.batching import BatchedEngine, MicroBatcher
from narration.engines.torch_vits import TorchVitsEngine
from narration.engines.voices import default_voice
from narration.errors import PermanentError
from narration.pipeline.engine import EngineFacts, OneAtATime, Synthesis, SynthesisParams

TEXTS = [
    "The gulls rose from the pier.",
    "A boat passed close to the point.",
    "The keeper lit the lamp at dusk.",
    "Rain fell on the roof all night.",
]


@pytest.fixture(scope="module")
def engine() -> TorchVitsEngine:
    return TorchVitsEngine.load(default_voice(), threads=1, max_batch=4)


def test_concurrent_threads_share_batches_and_get_their_own_audio(
    engine: TorchVitsEngine,
) -> None:
    sizes: list[int] = []
    batcher = MicroBatcher(engine, max_requests=4, max_wait_s=2.0, on_batch=sizes.append)
    batched = BatchedEngine(engine, batcher)
    assert (batched.identity, batched.facts) == (engine.identity, engine.facts)
    params = [SynthesisParams(seed=n) for n in range(len(TEXTS))]
    start = threading.Barrier(len(TEXTS))

    def task(n: int) -> Synthesis:
        start.wait()
        return batched.synthesize(TEXTS[n], params[n])

    with ThreadPoolExecutor(len(TEXTS)) as pool:
        made = list(pool.map(task, range(len(TEXTS))))
    assert batched.batcher.largest > 1
    assert sum(sizes) == len(TEXTS), "each batch is reported with its size"
    assert max(sizes) == batched.batcher.largest
    for n, synthesis in enumerate(made):
        assert synthesis.pcm.tobytes() == engine.synthesize(TEXTS[n], params[n]).pcm.tobytes()


class _Failing(OneAtATime):
    """An engine whose model fails on one text: the batch that holds it fails as a whole."""

    name = "failing"
    identity = "failing"
    facts = EngineFacts("failing", "cpu", "fp32", "")

    def __init__(self, real: TorchVitsEngine) -> None:
        self.voice = real.voice
        self._real = real

    @property
    def sample_rate(self) -> int:
        return self._real.sample_rate

    def prepare_text(self, text: str) -> str:
        return text

    def synthesize(self, text: str, params: SynthesisParams) -> Synthesis:
        if "fail" in text:
            raise PermanentError("the model failed")
        return self._real.synthesize(text, params)


def test_a_failed_batch_fails_each_request_and_the_next_batch_runs(
    engine: TorchVitsEngine,
) -> None:
    failing = _Failing(engine)
    batcher = MicroBatcher(failing, max_requests=2, max_wait_s=2.0)
    start = threading.Barrier(2)

    def task(text: str) -> Synthesis:
        start.wait()
        return batcher.synthesize(text, SynthesisParams())

    with ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(task, text) for text in ("This will fail.", "Yes.")]
        errors = [future.exception(timeout=120) for future in futures]
    assert all(isinstance(error, PermanentError) for error in errors)
    assert len(batcher.synthesize("Yes.", SynthesisParams()).pcm) > 0
