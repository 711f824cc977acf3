"""The mind: the turn loop and the prompt it builds."""

from os1.companion.companion import Companion

__all__ = ["Companion"]
