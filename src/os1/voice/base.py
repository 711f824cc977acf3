"""The replaceable parts of the voice: speech to text, text to speech, voice activity.

Each is a Protocol with one method; implementations register by name in the
entry-point groups ``os1.stt``, ``os1.tts`` and ``os1.vad`` (see
``os1.voice.registry``) and the settings pick them, as with the chat model.
The methods are blocking (ONNX and CTranslate2 work); the pipeline runs them
in worker threads. Fakes for tests and plugin authors ship in ``os1.testing``.
"""

from __future__ import annotations

from typing import Protocol

from os1.voice.audio import Clip, Samples


class STT(Protocol):
    """Speech to text."""

    def transcribe(self, samples: Samples) -> str:
        """The words in 16 kHz mono ``samples`` ('' for silence or noise)."""
        ...


class TTS(Protocol):
    """Text to speech."""

    def synthesize(self, text: str) -> Clip:
        """Speech for ``text``, at the voice's own sample rate."""
        ...


class VAD(Protocol):
    """Voice activity: how likely each 32 ms frame is speech."""

    def probability(self, frame: Samples) -> float:
        """A probability from 0 to 1 for one 512-sample frame at 16 kHz."""
        ...
