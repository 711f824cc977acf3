"""The real microphone and speaker, through PortAudio (sounddevice).

The speaker plays clips from a queue in 20 ms blocks, so ``stop()`` silences
it within a block (barge-in); the microphone hands 32 ms frames to the
pipeline. Without PortAudio or a device, the error says so and points to the
file mode, which needs neither.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator
from typing import Any

import numpy as np

from os1.errors import ModelError
from os1.voice.audio import SAMPLE_RATE, Clip, Samples, resample
from os1.voice.vad import FRAME

OUTPUT_RATE = 22_050
BLOCK = 441  # 20 ms at 22.05 kHz
MICROPHONE_STALL_S = 2.0
"""A microphone silent this long (no frames at all, not quiet ones) has gone away.

Timed from the device's own thread: a process busy for a moment (loading a
model while a loaded machine lags) must not take its own pause for the device's."""
MICROPHONE_START_S = 10.0
"""How long a microphone may take to send its first sound: a sound server may fill
a large first buffer before it delivers anything, slower on a loaded machine."""


def _sounddevice() -> Any:
    try:
        import sounddevice
    except OSError as exc:  # PortAudio itself is missing
        raise ModelError(
            f"Audio devices are unavailable ({exc}).",
            "Install PortAudio (scripts/system-deps.sh installs libportaudio2), or use "
            "`os1 talk --input question.wav --output reply.wav`.",
        ) from None
    return sounddevice


def _device(name: str) -> str | int | None:
    if not name:
        return None
    return int(name) if name.isascii() and name.isdigit() else name


def _no_device(what: str, exc: Exception) -> ModelError:
    return ModelError(
        f"No {what} could be opened ({exc}).",
        "Connect one or pick another with input_device / output_device, or use "
        "`os1 talk --input question.wav --output reply.wav`.",
    )


class Speaker:
    """Plays reply clips one after another; can be stopped at once."""

    def __init__(self, device: str = "") -> None:
        sd = _sounddevice()
        self._lock = threading.Lock()
        self._queue: list[tuple[Samples, str]] = []
        self._current: tuple[Samples, str] | None = None
        self._position = 0
        self._heard: list[str] = []
        self._gone = False
        try:
            self._stream = sd.OutputStream(
                samplerate=OUTPUT_RATE,
                channels=1,
                dtype="float32",
                blocksize=BLOCK,
                device=_device(device),
                callback=self._fill,
                finished_callback=self._finished,
            )
            self._stream.start()
        except Exception as exc:  # PortAudioError, or no such device
            raise _no_device("speaker", exc) from None

    def _fill(self, out: Any, frames: int, _time: Any, _status: Any) -> None:
        out[:] = 0
        written = 0
        with self._lock:
            while written < frames:
                if self._current is None:
                    if not self._queue:
                        return
                    self._current, self._position = self._queue.pop(0), 0
                    self._heard.append(self._current[1])
                samples = self._current[0]
                take = min(frames - written, len(samples) - self._position)
                out[written : written + take, 0] = samples[self._position : self._position + take]
                written += take
                self._position += take
                if self._position >= len(samples):
                    self._current = None

    def _finished(self) -> None:
        """The stream ended under us (the device or its sound server went away).

        Nothing queued is heard from then on, and nothing waits for it to play.
        """
        with self._lock:
            self._gone = True
            self._queue.clear()
            self._current = None

    def play(self, clip: Clip, text: str) -> None:
        """Queue a clip (dropped, unheard, if the speaker has gone)."""
        with self._lock:
            if not self._gone:
                self._queue.append((resample(clip.samples, clip.rate, OUTPUT_RATE), text))

    def stop(self) -> None:
        """Silence now and drop the queue."""
        with self._lock:
            self._queue.clear()
            self._current = None

    def heard(self) -> str:
        """Text of the clips of this reply that began playing."""
        with self._lock:
            return " ".join(self._heard)

    def busy(self) -> bool:
        """Whether anything is playing or queued."""
        with self._lock:
            return self._current is not None or bool(self._queue)

    def new_reply(self) -> None:
        """Count what is heard from here on."""
        with self._lock:
            self._heard = []


async def microphone_frames(device: str = "") -> AsyncIterator[Samples]:
    """32 ms frames from the microphone, at 16 kHz mono; a clear error if it goes away.

    The stream ends only under us (the device was unplugged, or its sound
    server stopped), so an end, like two seconds without sound, is an error
    that says so; whatever was said before it has been kept.
    """
    sd = _sounddevice()
    loop = asyncio.get_running_loop()
    frames: asyncio.Queue[Samples | None] = asyncio.Queue()

    opened = time.monotonic()
    heard: list[float | None] = [None]  # when the device last delivered sound, from its thread

    def captured(data: Any, _frames: int, _time: Any, status: Any) -> None:
        heard[0] = time.monotonic()
        loop.call_soon_threadsafe(frames.put_nowait, np.array(data[:, 0], dtype=np.float32))

    def finished() -> None:
        loop.call_soon_threadsafe(frames.put_nowait, None)

    try:
        stream = sd.InputStream(
            samplerate=SAMPLE_RATE,
            channels=1,
            dtype="float32",
            blocksize=FRAME,
            device=_device(device),
            callback=captured,
            finished_callback=finished,
        )
        stream.start()
    except Exception as exc:
        raise _no_device("microphone", exc) from None
    try:
        while True:
            try:
                frame = await asyncio.wait_for(frames.get(), timeout=MICROPHONE_STALL_S)
            except TimeoutError:
                last = heard[0]
                waited = time.monotonic() - (opened if last is None else last)
                if waited < (MICROPHONE_START_S if last is None else MICROPHONE_STALL_S):
                    continue  # the device is starting, or sends and this process was busy
                raise ModelError(
                    "The microphone stopped sending sound (unplugged?).",
                    "Reconnect it and run `os1 talk` again; the conversation so far is kept.",
                ) from None
            if frame is None:
                raise ModelError(
                    "The microphone went away (unplugged, or its sound server stopped).",
                    "Reconnect it and run `os1 talk` again; the conversation so far is kept.",
                )
            yield frame
    finally:
        stream.close()
