"""The built-in skills, registered under ``os1.skills`` like any other."""

from os1.companion.skills.parts import Parts

__all__ = ["Parts"]
