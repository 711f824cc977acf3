"""Composition: the only place that chooses and wires the backends."""

from __future__ import annotations

from os1.clock import Clock, clock_from_env
from os1.companion import Companion
from os1.config import Paths, Settings, resolve_paths
from os1.llm import create_llm
from os1.store import Journal


def build(settings: Settings, paths: Paths | None = None, clock: Clock | None = None) -> Companion:
    """Open the store, create the configured model backend, and return the companion."""
    paths = paths or resolve_paths()
    journal = Journal.open(settings.database_url, paths.database_file)
    try:
        llm = create_llm(settings, paths)
    except BaseException:
        journal.close()
        raise
    return Companion(
        journal,
        llm,
        clock or clock_from_env(),
        user=settings.user,
        context_tokens=settings.context_tokens,
        max_reply_tokens=settings.max_reply_tokens,
        temperature=settings.temperature,
        history_turns=settings.history_turns,
    )
