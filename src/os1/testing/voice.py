"""Fake speech parts: a recogniser that hears given sentences, a beeping voice, a loudness VAD.

They stand in for Whisper, Piper and Silero in fast tests (os1's own and
plugins'), and from the settings (``stt = "fake:What is the capital?"``,
``tts = "fake"``, ``vad = "fake"``) so a whole ``os1 talk`` can run on a
tone recording in a second. ``tone_speech`` makes such recordings.
"""

from __future__ import annotations

import numpy as np

from os1.config import Paths, Settings
from os1.voice.audio import SAMPLE_RATE, Clip, Samples

LOUD = 0.45
"""Speech louder than this is heard as the second sentence (a shout over os1's reply)."""


class HeardSTT:
    """Hears the first sentence in ordinary speech and the second in louder speech."""

    def __init__(self, *sentences: str) -> None:
        self.sentences = sentences or ("Hello.",)
        self.given: list[Samples] = []

    def transcribe(self, samples: Samples) -> str:
        """A sentence chosen by loudness; nothing for near silence."""
        self.given.append(samples)
        level = float(np.abs(samples).max()) if len(samples) else 0.0
        if level < 0.1:
            return ""
        return self.sentences[0] if level < LOUD or len(self.sentences) == 1 else self.sentences[1]


class ToneTTS:
    """A quarter second of tone per word, so playback takes as long as speech would."""

    def __init__(self, rate: int = 16_000) -> None:
        self.rate = rate

    def synthesize(self, text: str) -> Clip:
        """A tone as long as the words."""
        t = np.arange(int(0.25 * len(text.split()) * self.rate)) / self.rate
        return Clip((0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), self.rate)


class LoudnessVAD:
    """Loud frames are speech."""

    def probability(self, frame: Samples) -> float:
        """0.95 for a frame louder than a whisper, 0.02 otherwise."""
        return 0.95 if float(np.sqrt(np.mean(frame**2))) > 0.02 else 0.02


def tone_speech(*parts: tuple[str, float]) -> Clip:
    """A recording of ``("talk" | "shout" | "quiet", seconds)`` segments, as tones."""
    chunks = []
    for kind, seconds in parts:
        t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
        level = {"talk": 0.3, "shout": 0.6}.get(kind, 0.0)
        chunks.append((level * np.sin(2 * np.pi * 180 * t)).astype(np.float32))
    return Clip(np.concatenate(chunks), SAMPLE_RATE)


def create_stt(settings: Settings, paths: Paths, spec: str) -> HeardSTT:
    """``fake:FIRST|SECOND``: the sentences it hears."""
    return HeardSTT(*[s.strip() for s in spec.split("|") if s.strip()])


def create_tts(settings: Settings, paths: Paths, spec: str) -> ToneTTS:
    """Tones instead of words."""
    return ToneTTS()


def create_vad(settings: Settings, paths: Paths, spec: str) -> LoudnessVAD:
    """Loudness instead of a model."""
    return LoudnessVAD()
