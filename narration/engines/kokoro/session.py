"""Kokoro's onnxruntime session, with the per-token durations the graph already computes.

The graph has no random op, so one input gives one output. Its encoder rounds each token's
predicted duration to whole frames (`/encoder/Clip_output_0`) before the decoder expands the
tokens to audio; at load time the `onnx` package makes that tensor a graph output, which gives
word timings for free. One frame is `SAMPLES_PER_FRAME` samples: measured, the audio is exactly
the frames' sum times 600 at every speed (24 kHz, 25 ms).
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import numpy as np
import onnx
import onnxruntime

from narration.engines.kokoro.vocab import PAD_ID
from narration.errors import InputError

SAMPLE_RATE: Final = 24_000
SAMPLES_PER_FRAME: Final = 600
DURATIONS: Final = "/encoder/Clip_output_0"


class KokoroSession:
    """One loaded model; `run` is safe from several threads (onnxruntime sessions are)."""

    def __init__(self, model_path: Path, threads: int | None) -> None:
        try:
            model = onnx.load(str(model_path))
        except (OSError, ValueError) as error:
            raise InputError(f"cannot load the Kokoro model {model_path}: {error}") from None
        produced = {name for node in model.graph.node for name in node.output}
        if DURATIONS not in produced:
            raise InputError(f"the Kokoro model {model_path} has no {DURATIONS} tensor")
        model.graph.output.append(
            onnx.helper.make_tensor_value_info(DURATIONS, onnx.TensorProto.FLOAT, None)
        )
        options = onnxruntime.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
            # As for Piper: one process per core, so idle threads must not spin.
            options.inter_op_num_threads = 1
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = onnxruntime.InferenceSession(
            model.SerializeToString(), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self._release = onnxruntime.RunOptions()
        self._release.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")

    def run(
        self, ids: list[int], style: np.ndarray, speed: float, release: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """Audio in [-1, 1] for `ids`, and the samples each token lasts (the two pads included,
        so `len(ids) + 2` of them). A `release` run shrinks the session's CPU arena as it ends:
        onnxruntime keeps the most any run needed (the decoder's tensors for the longest input
        so far) for the process's life, and an idle worker hands it back
        (`production.idle_memory`; not after every run, which would only grow it again, as
        for Piper: `engines.piper._releasing_run`)."""
        feeds = {
            "tokens": np.array([[PAD_ID, *ids, PAD_ID]], dtype=np.int64),
            "style": style.reshape(1, -1).astype(np.float32, copy=False),
            "speed": np.array([speed], dtype=np.float32),
        }
        options = self._release if release else None
        audio, frames = self._session.run(["audio", DURATIONS], feeds, options)
        audio = np.clip(audio.reshape(-1), -1.0, 1.0).astype(np.float32, copy=False)
        samples = np.rint(frames.reshape(-1)).astype(np.int64) * SAMPLES_PER_FRAME
        return audio, samples


def read_style(voice_path: Path) -> np.ndarray:
    """A voice's style table: one 256-float row per input length, 1 to `MAX_TOKENS` tokens."""
    try:
        table = np.fromfile(voice_path, dtype="<f4")
    except OSError as error:
        raise InputError(f"cannot read the Kokoro voice {voice_path}: {error}") from None
    return table.reshape(-1, 256)
