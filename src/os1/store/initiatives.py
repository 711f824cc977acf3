"""What os1 will say first: reminders, follow-ups and check-ins, each delivered at most once.

Delivery is a conditional update from ``scheduled`` to ``delivered``: whichever
process claims an initiative first delivers it, and no restart, second device
or clock change can deliver it again. A key per initiative ("follow-up on
memory 12") makes scheduling the same thing twice a no-op.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from os1.store.database import aware, translate_errors
from os1.store.schema import initiatives


@dataclass(frozen=True)
class Initiative:
    """Something os1 means to say at ``due_at``."""

    id: int
    kind: str
    key: str
    text: str
    due_at: datetime
    status: str
    delivered_at: datetime | None


class InitiativeStore:
    """Reads and writes one user's initiatives."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._where = engine.url.render_as_string(hide_password=True)

    def schedule(
        self, user_id: int, kind: str, key: str, text: str, due_at: datetime, at: datetime
    ) -> int | None:
        """Schedule an initiative; None when one with this key already exists."""
        with (
            translate_errors(self._where),
            contextlib.suppress(IntegrityError),
            self.engine.begin() as conn,
        ):
            return int(
                conn.execute(
                    insert(initiatives)
                    .values(
                        user_id=user_id,
                        kind=kind,
                        key=key,
                        text=text,
                        due_at=due_at,
                        status="scheduled",
                        created_at=at,
                    )
                    .returning(initiatives.c.id)
                ).scalar_one()
            )
        return None  # one with this key exists already

    def listed(self, user_id: int, status: str | None = "scheduled") -> list[Initiative]:
        """Initiatives by due time (all of them when ``status`` is None)."""
        query = select(initiatives).where(initiatives.c.user_id == user_id)
        if status is not None:
            query = query.where(initiatives.c.status == status)
        with translate_errors(self._where), self.engine.connect() as conn:
            rows = conn.execute(query.order_by(initiatives.c.due_at, initiatives.c.id)).all()
        return [
            Initiative(
                r.id,
                r.kind,
                r.key,
                r.text,
                aware(r.due_at),
                r.status,
                aware(r.delivered_at) if r.delivered_at else None,
            )
            for r in rows
        ]

    def due(self, user_id: int, now: datetime) -> list[Initiative]:
        """Scheduled initiatives whose time has come."""
        return [i for i in self.listed(user_id) if i.due_at <= now]

    def people_with_due(self, now: datetime) -> set[int]:
        """Everyone with something scheduled whose time has come, in one query.

        A server with thousands of people online asks this each round instead
        of asking about each person in turn.
        """
        with translate_errors(self._where), self.engine.connect() as conn:
            rows = conn.execute(
                select(initiatives.c.user_id)
                .where(initiatives.c.status == "scheduled", initiatives.c.due_at <= now)
                .distinct()
            )
            return {int(row[0]) for row in rows}

    def claim(self, user_id: int, initiative_id: int, at: datetime) -> bool:
        """Mark one delivered; False if it was already delivered or cancelled."""
        with translate_errors(self._where), self.engine.begin() as conn:
            changed = conn.execute(
                update(initiatives)
                .where(
                    initiatives.c.id == initiative_id,
                    initiatives.c.user_id == user_id,
                    initiatives.c.status == "scheduled",
                )
                .values(status="delivered", delivered_at=at)
            ).rowcount
        return changed == 1

    def cancel(self, user_id: int, initiative_id: int) -> bool:
        """Cancel a scheduled initiative; False if there is none to cancel."""
        with translate_errors(self._where), self.engine.begin() as conn:
            changed = conn.execute(
                update(initiatives)
                .where(
                    initiatives.c.id == initiative_id,
                    initiatives.c.user_id == user_id,
                    initiatives.c.status == "scheduled",
                )
                .values(status="cancelled")
            ).rowcount
        return changed == 1

    def delivered_since(self, user_id: int, since: datetime, kinds: tuple[str, ...]) -> int:
        """How many of these kinds were delivered since ``since`` (for the daily cap)."""
        with translate_errors(self._where), self.engine.connect() as conn:
            return int(
                conn.execute(
                    select(func.count()).where(
                        initiatives.c.user_id == user_id,
                        initiatives.c.status == "delivered",
                        initiatives.c.kind.in_(kinds),
                        initiatives.c.delivered_at >= since,
                    )
                ).scalar_one()
            )
