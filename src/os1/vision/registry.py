"""Find the configured way of seeing among the ``os1.vision`` entry points.

The ``vision`` setting is ``name`` or ``name:rest`` (``offline``,
``openai:http://localhost:11434/v1``, ``gguf:/models/vlm.gguf``, or a
plugin's name); each entry point is a factory ``create(settings, paths, rest)``.
The built-in backends register exactly as third-party ones do.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points

from os1.config import Paths, Settings
from os1.errors import ConfigError
from os1.vision.base import Vision

GROUP = "os1.vision"


def vision_names() -> list[str]:
    """The installed vision backends."""
    return sorted(ep.name for ep in entry_points(group=GROUP))


def create_vision(settings: Settings, paths: Paths) -> Vision:
    """The vision backend the settings name, or a ``ConfigError`` listing the installed ones."""
    name, _, rest = settings.vision.strip().partition(":")
    found = [ep for ep in entry_points(group=GROUP) if ep.name == name]
    if not found:
        raise ConfigError(
            f"No vision backend called {name!r} is installed.",
            f"Set `vision` to one of: {', '.join(vision_names()) or 'none'}.",
        )
    factory: Callable[[Settings, Paths, str], Vision] = found[0].load()
    return factory(settings, paths, rest)
