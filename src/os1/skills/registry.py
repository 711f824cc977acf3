"""Find skills among the registered ``os1.skills`` entry points.

Each entry point is a factory ``create(parts) -> Skill | None``; ``parts`` is
whatever the composition root hands every skill (the mind's stores and
helpers), and a factory returns None when what its skill needs is not
configured (no memory, no persona). Built-in skills register exactly as
third-party ones do.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any

from os1.errors import ConfigError
from os1.skills.base import Skill

GROUP = "os1.skills"

SkillFactory = Callable[[Any], Skill | None]


def skill_names() -> list[str]:
    """Names of every installed skill, in the order they are tried."""
    return sorted(ep.name for ep in entry_points(group=GROUP))


def load_skills(parts: Any) -> list[Skill]:
    """Create every installed skill from ``parts``, in name order; a broken one is named."""
    skills: list[Skill] = []
    for ep in sorted(entry_points(group=GROUP), key=lambda e: e.name):
        try:
            factory: SkillFactory = ep.load()
        except (ImportError, AttributeError) as exc:
            raise ConfigError(
                f"The skill {ep.name!r} ({ep.value}) cannot be loaded: {exc}.",
                "Reinstall or remove the package that provides it.",
            ) from exc
        made = factory(parts)
        if made is not None:
            skills.append(made)
    return skills
