"""Find the backend for a model spec among the registered ``os1.llm`` entry points.

Built-in backends register exactly as third-party ones do, in the package's
``os1.llm`` entry-point group; each entry point is a factory
``create(settings, paths, spec) -> LLM``.
"""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Protocol

from os1.config import Paths, Settings
from os1.errors import ConfigError
from os1.llm.base import LLM

GROUP = "os1.llm"


class BackendFactory(Protocol):
    """Builds a model backend from the settings and the part of the spec after ``name:``."""

    def __call__(self, settings: Settings, paths: Paths, spec: str) -> LLM:
        """Create the backend."""
        ...


def backend_names() -> list[str]:
    """Names of every installed backend."""
    return sorted(ep.name for ep in entry_points(group=GROUP))


def split_spec(model: str) -> tuple[str, str]:
    """Say which backend a model setting means, and what it passes on.

    ``http(s)://…`` is an OpenAI-compatible server; ``name:rest`` picks a
    registered backend by name; anything else is an embedded model (a name
    from ``os1 models list`` or a path to a GGUF file).
    """
    if "://" in model:
        return "openai", model
    head, sep, rest = model.partition(":")
    if sep and head in backend_names():
        return head, rest
    if model in backend_names():
        return model, ""
    return "embedded", model


def create_llm(settings: Settings, paths: Paths) -> LLM:
    """Instantiate the configured backend."""
    name, spec = split_spec(settings.model)
    found = [ep for ep in entry_points(group=GROUP) if ep.name == name]
    if not found:
        raise ConfigError(
            f"No model backend called {name!r} is installed.",
            f"Installed backends: {', '.join(backend_names()) or 'none'}.",
        )
    factory: BackendFactory = found[0].load()
    return factory(settings, paths, spec)
