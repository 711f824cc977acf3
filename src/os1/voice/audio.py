"""Audio clips: reading any common WAV into 16 kHz mono float32, resampling, writing.

soundfile (libsndfile) reads PCM 8/16/24/32-bit, float and double WAV, mono or
stereo; anything it cannot read, or a file with no samples, is a clear error
that says how to save the file instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile
from numpy.typing import NDArray

from os1.errors import InputError

SAMPLE_RATE = 16_000
Samples = NDArray[np.float32]


@dataclass(frozen=True)
class Clip:
    """Mono audio at ``rate`` samples per second, in [-1, 1]."""

    samples: Samples
    rate: int

    @property
    def seconds(self) -> float:
        """How long the clip lasts."""
        return len(self.samples) / self.rate


def resample(samples: Samples, rate: int, target: int) -> Samples:
    """Linear resampling: plenty for speech going to recognition or a speaker."""
    if rate == target or not len(samples):
        return samples.astype(np.float32, copy=False)
    count = round(len(samples) * target / rate)
    positions = np.arange(count, dtype=np.float64) * rate / target
    return np.interp(positions, np.arange(len(samples)), samples).astype(np.float32)


def read_wav(path: Path, rate: int = SAMPLE_RATE) -> Clip:
    """Read a sound file as mono float32 at ``rate``, whatever its format and channels."""
    if not path.is_file():
        raise InputError(f"There is no audio file {path}.")
    try:
        data, found = soundfile.read(str(path), dtype="float32", always_2d=True)
    except (RuntimeError, soundfile.LibsndfileError, ValueError) as exc:
        raise InputError(
            f"{path} is not audio os1 can read ({exc}).",
            "Save it as a WAV file (16-bit PCM is safest).",
        ) from None
    if not len(data):
        raise InputError(f"{path} holds no sound at all.", "Record something and try again.")
    mono = data.mean(axis=1).astype(np.float32)
    return Clip(np.clip(resample(mono, int(found), rate), -1.0, 1.0), rate)


def write_wav(path: Path, clip: Clip) -> None:
    """Write 16-bit PCM, the format every player opens."""
    path.parent.mkdir(parents=True, exist_ok=True)
    soundfile.write(str(path), np.clip(clip.samples, -1.0, 1.0), clip.rate, subtype="PCM_16")


def write_wav_stream(path: Path, clips: Iterable[Clip]) -> float:
    """Write clips to one WAV file as they come, and return the seconds written.

    Long speech then needs no more memory than one clip. 16-bit PCM at the
    first clip's rate; later clips at another rate are resampled to it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    rate = 0
    sound: soundfile.SoundFile | None = None
    try:
        for clip in clips:
            if sound is None:
                rate = clip.rate
                sound = soundfile.SoundFile(
                    str(path), "w", samplerate=rate, channels=1, subtype="PCM_16"
                )
            samples = resample(clip.samples, clip.rate, rate)
            sound.write(np.clip(samples, -1.0, 1.0))
            written += len(samples)
        if sound is None:
            write_wav(path, Clip(np.zeros(0, np.float32), SAMPLE_RATE))
    finally:
        if sound is not None:
            sound.close()
    return written / rate if rate else 0.0
