"""Find the configured speech parts among the ``os1.stt``, ``os1.tts`` and ``os1.vad`` entry points.

A setting is ``name`` or ``name:rest`` (``whisper``, ``piper``, ``silero``,
or a plugin's name); each entry point is a factory
``create(settings, paths, rest)``. Built-in parts register exactly as
third-party ones do.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any, TypeVar

from os1.config import Paths, Settings
from os1.errors import ConfigError
from os1.voice.base import STT, TTS, VAD

T = TypeVar("T")

GROUPS = {"stt": "os1.stt", "tts": "os1.tts", "vad": "os1.vad"}


def part_names(kind: str) -> list[str]:
    """Installed implementations of one kind of part (``stt``, ``tts`` or ``vad``)."""
    return sorted(ep.name for ep in entry_points(group=GROUPS[kind]))


def _create(kind: str, setting: str, settings: Settings, paths: Paths) -> Any:
    name, _, rest = setting.partition(":")
    found = [ep for ep in entry_points(group=GROUPS[kind]) if ep.name == name]
    if not found:
        raise ConfigError(
            f"No {kind} called {name!r} is installed.",
            f"Set `{kind}` to one of: {', '.join(part_names(kind)) or 'none'}.",
        )
    factory: Callable[[Settings, Paths, str], Any] = found[0].load()
    return factory(settings, paths, rest)


def create_stt(settings: Settings, paths: Paths) -> STT:
    """The speech recogniser the settings name."""
    made: STT = _create("stt", settings.stt, settings, paths)
    return made


def create_tts(settings: Settings, paths: Paths) -> TTS:
    """The voice the settings name."""
    made: TTS = _create("tts", settings.tts, settings, paths)
    return made


def create_vad(settings: Settings, paths: Paths) -> VAD:
    """The voice activity detector the settings name."""
    made: VAD = _create("vad", settings.vad, settings, paths)
    return made
