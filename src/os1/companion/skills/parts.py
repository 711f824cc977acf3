"""What the built-in skills are given: the mind's stores and helpers, any of them absent."""

from __future__ import annotations

from dataclasses import dataclass

from os1.clock import Clock
from os1.companion.identity import Identity
from os1.companion.initiative import Initiatives
from os1.companion.letters import LetterHelper
from os1.companion.setup import Interview
from os1.llm import LLM
from os1.memory import Memory
from os1.store.journal import Journal


@dataclass(frozen=True)
class Parts:
    """Handed to every ``os1.skills`` factory by the companion; a skill takes what it needs."""

    journal: Journal
    clock: Clock
    memory: Memory | None = None
    identity: Identity | None = None
    initiatives: Initiatives | None = None
    letters: LetterHelper | None = None
    interview: Interview | None = None
    llm: LLM | None = None
    """The chat model, for skills that read or write with it on sessions of their own."""
