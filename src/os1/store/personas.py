"""Persona versions and os1's journal, per user: who it is now and how it got there.

Versions are append-only: growing, resetting or renaming adds one, so
``os1 persona history`` can show every step and a bad step can be undone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, insert, select

from os1.store.database import aware, translate_errors
from os1.store.schema import journal_entries, personas


@dataclass(frozen=True)
class PersonaVersion:
    """One version of the persona card, with where it came from and why."""

    version: int
    card: dict[str, Any]
    source: str
    reason: str
    created_at: datetime


@dataclass(frozen=True)
class JournalEntry:
    """A dated note os1 wrote about how it changed."""

    persona_version: int
    text: str
    written_at: datetime


class PersonaStore:
    """Reads and writes one user's persona versions and journal."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._where = engine.url.render_as_string(hide_password=True)

    def current(self, user_id: int) -> PersonaVersion | None:
        """The newest version, or None before the setup interview."""
        found = self.history(user_id, newest_first=True, limit=1)
        return found[0] if found else None

    def history(
        self, user_id: int, *, newest_first: bool = False, limit: int | None = None
    ) -> list[PersonaVersion]:
        """Every version, oldest first unless asked otherwise."""
        order = personas.c.version.desc() if newest_first else personas.c.version
        query = select(personas).where(personas.c.user_id == user_id).order_by(order)
        if limit is not None:
            query = query.limit(limit)
        with translate_errors(self._where), self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            PersonaVersion(r.version, dict(r.card), r.source, r.reason, aware(r.created_at))
            for r in rows
        ]

    def add(
        self,
        user_id: int,
        card: dict[str, Any],
        source: str,
        reason: str,
        at: datetime,
        journal: str = "",
    ) -> int:
        """Store the next version (and its journal entry) in one transaction; returns it."""
        with translate_errors(self._where), self.engine.begin() as conn:
            latest = conn.execute(
                select(func.coalesce(func.max(personas.c.version), 0)).where(
                    personas.c.user_id == user_id
                )
            ).scalar_one()
            version = int(latest) + 1
            conn.execute(
                insert(personas).values(
                    user_id=user_id,
                    version=version,
                    card=card,
                    source=source,
                    reason=reason,
                    created_at=at,
                )
            )
            if journal:
                conn.execute(
                    insert(journal_entries).values(
                        user_id=user_id, persona_version=version, text=journal, written_at=at
                    )
                )
        return version

    def journal(self, user_id: int) -> list[JournalEntry]:
        """os1's journal, oldest first."""
        with translate_errors(self._where), self.engine.connect() as conn:
            rows = conn.execute(
                select(journal_entries)
                .where(journal_entries.c.user_id == user_id)
                .order_by(journal_entries.c.written_at, journal_entries.c.id)
            ).all()
        return [JournalEntry(r.persona_version, r.text, aware(r.written_at)) for r in rows]
