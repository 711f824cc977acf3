"""Voice activity: Silero VAD (the ONNX copy that ships inside faster-whisper) on onnxruntime.

The model reads 512-sample frames (32 ms at 16 kHz) with 64 samples of the
previous frame as context and keeps a recurrent state, so it is fed frame by
frame as audio arrives. ``Turns`` turns its probabilities into the start and
end of an utterance, with a short hangover so a breath is not an ending.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnxruntime

from os1.config import Paths, Settings
from os1.voice.audio import SAMPLE_RATE, Samples

FRAME = 512
CONTEXT = 64


def silero_path() -> Path:
    """The VAD model file shipped in faster-whisper's package data."""
    import faster_whisper

    return Path(faster_whisper.__file__).parent / "assets" / "silero_vad_v6.onnx"


class SileroVAD:
    """Speech probability per 32 ms frame, with the model's state carried across frames."""

    def __init__(self, path: Path | None = None) -> None:
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(
            str(path or silero_path()), options, providers=["CPUExecutionProvider"]
        )
        self.reset()

    def reset(self) -> None:
        """Forget the previous audio (a new stream)."""
        self._h = np.zeros((1, 1, 128), np.float32)
        self._c = np.zeros((1, 1, 128), np.float32)
        self._context = np.zeros(CONTEXT, np.float32)

    def probability(self, frame: Samples) -> float:
        """How likely the 512-sample ``frame`` is speech."""
        window = np.concatenate([self._context, frame])[None, :]
        probs, self._h, self._c = self._session.run(
            None, {"input": window, "h": self._h, "c": self._c}
        )
        self._context = frame[-CONTEXT:]
        return float(np.asarray(probs).reshape(-1)[0])


@dataclass
class Turns:
    """Decides when the person starts and stops speaking, frame by frame."""

    start_threshold: float = 0.5
    end_threshold: float = 0.35
    hangover_ms: int = 320
    min_speech_ms: int = 160
    speaking: bool = False
    _quiet: int = 0
    _voiced: int = 0

    @property
    def quiet_ms(self) -> int:
        """How long the person has been silent mid-utterance (0 while they speak)."""
        return self._quiet * FRAME * 1000 // SAMPLE_RATE if self.speaking else 0

    def feed(self, probability: float) -> str | None:
        """'start' or 'end' when the person starts or stops speaking, else None."""
        frame_ms = FRAME * 1000 // SAMPLE_RATE
        if not self.speaking:
            self._voiced = self._voiced + 1 if probability >= self.start_threshold else 0
            if self._voiced * frame_ms >= self.min_speech_ms:
                self.speaking, self._quiet = True, 0
                return "start"
            return None
        self._quiet = self._quiet + 1 if probability < self.end_threshold else 0
        if self._quiet * frame_ms >= self.hangover_ms:
            self.speaking, self._voiced = False, 0
            return "end"
        return None


def create(settings: Settings, paths: Paths, spec: str) -> SileroVAD:
    """The ``silero`` entry point: the copy in faster-whisper, or the file in ``silero:PATH``."""
    return SileroVAD(Path(spec).expanduser() if spec else None)
