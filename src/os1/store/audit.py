"""The gate's store: proposals waiting for a yes, claimed once, and the audit log of each step.

Every step of an action is a row in ``audit_log`` (proposed, confirmed,
declined, lapsed, done, failed), appended in the same transaction as the
change to the waiting proposal it belongs to, and never updated. Confirming
is a conditional update on the waiting row (``claimed_at`` from empty to
now): when two devices answer the same proposal, exactly one claim succeeds.
A claim whose action never finished (the process died in between) can be
released back to waiting, so the action is either done and audited, or
still waiting for a yes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select, update

from os1.store.database import aware, translate_errors
from os1.store.journal import PendingAction
from os1.store.schema import audit_log, pending_actions

PROPOSED, CONFIRMED, DECLINED, LAPSED, DONE, FAILED, RELEASED = (
    "proposed",
    "confirmed",
    "declined",
    "lapsed",
    "done",
    "failed",
    "released",
)


@dataclass(frozen=True)
class AuditEntry:
    """One step of one action: what, with which arguments, how it ended, on whose word."""

    id: int
    at: datetime
    conversation_id: int | None
    action_id: int | None
    skill: str
    arguments: dict[str, Any]
    status: str
    result: str
    confirmed_by: str


@dataclass(frozen=True)
class Claimed:
    """A proposal this caller won the right to carry out."""

    action: PendingAction
    skill: str
    arguments: dict[str, Any]


class AuditLog:
    """Proposals, their claims, and the append-only log, every query scoped by ``user_id``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._where = engine.url.render_as_string(hide_password=True)

    def _log(self, conn: Connection, user_id: int, at: datetime, **values: Any) -> None:
        """Append one step of an action (the columns of ``audit_log`` but the owner and time)."""
        row = {"action_id": None, "result": "", "confirmed_by": "", **values}
        conn.execute(insert(audit_log).values(user_id=user_id, at=at, **row))

    def record(
        self,
        user_id: int,
        at: datetime,
        *,
        conversation_id: int | None,
        skill: str,
        arguments: dict[str, Any],
        status: str,
        result: str = "",
        confirmed_by: str = "",
    ) -> None:
        """Log a step that no proposal stands for (a read-only skill, a change asked for)."""
        with translate_errors(self._where), self.engine.begin() as conn:
            self._log(
                conn,
                user_id,
                at,
                conversation_id=conversation_id,
                skill=skill,
                arguments=arguments,
                status=status,
                result=result,
                confirmed_by=confirmed_by,
            )

    def propose(
        self,
        user_id: int,
        conversation_id: int,
        skill: str,
        arguments: dict[str, Any],
        summary: str,
        at: datetime,
        items: tuple[str, ...] = (),
    ) -> int:
        """Put a proposal in the conversation (replacing any waiting one, as lapsed)."""
        payload = {"skill": skill, "arguments": arguments, "summary": summary, "items": [*items]}
        with translate_errors(self._where), self.engine.begin() as conn:
            self._lapse_waiting(conn, user_id, conversation_id, at)
            action_id = int(
                conn.execute(
                    insert(pending_actions)
                    .values(
                        user_id=user_id,
                        conversation_id=conversation_id,
                        kind=f"confirm:{skill}",
                        payload=payload,
                        created_at=at,
                    )
                    .returning(pending_actions.c.id)
                ).scalar_one()
            )
            self._log(
                conn,
                user_id,
                at,
                conversation_id=conversation_id,
                action_id=action_id,
                skill=skill,
                arguments=arguments,
                status=PROPOSED,
                result=summary,
            )
        return action_id

    def _lapse_waiting(
        self, conn: Connection, user_id: int, conversation_id: int, at: datetime
    ) -> None:
        rows = conn.execute(
            delete(pending_actions)
            .where(
                pending_actions.c.user_id == user_id,
                pending_actions.c.conversation_id == conversation_id,
                pending_actions.c.claimed_at.is_(None),
            )
            .returning(pending_actions.c.id, pending_actions.c.kind, pending_actions.c.payload)
        ).all()
        for row in rows:
            if row.kind.startswith("confirm:"):
                self._log(
                    conn,
                    user_id,
                    at,
                    conversation_id=conversation_id,
                    action_id=row.id,
                    **_what(row.payload),
                    status=LAPSED,
                )

    def waiting(self, user_id: int, conversation_id: int) -> PendingAction | None:
        """The proposal waiting for a yes in this conversation, if any (claimed ones excluded)."""
        with translate_errors(self._where), self.engine.connect() as conn:
            row = conn.execute(
                select(pending_actions).where(
                    pending_actions.c.user_id == user_id,
                    pending_actions.c.conversation_id == conversation_id,
                    pending_actions.c.kind.like("confirm:%"),
                    pending_actions.c.claimed_at.is_(None),
                )
            ).first()
        return None if row is None else _pending(row)

    def claim(
        self, user_id: int, action_id: int, confirmed_by: str, at: datetime
    ) -> Claimed | None:
        """Win the right to carry out a proposal; None if it lapsed or someone else won."""
        with translate_errors(self._where), self.engine.begin() as conn:
            won = conn.execute(
                update(pending_actions)
                .where(
                    pending_actions.c.id == action_id,
                    pending_actions.c.user_id == user_id,
                    pending_actions.c.claimed_at.is_(None),
                )
                .values(claimed_at=at)
            ).rowcount
            if won != 1:
                return None
            row = conn.execute(
                select(pending_actions).where(pending_actions.c.id == action_id)
            ).one()
            action = _pending(row)
            what = _what(action.payload)
            self._log(
                conn,
                user_id,
                at,
                conversation_id=row.conversation_id,
                action_id=action_id,
                **what,
                status=CONFIRMED,
                confirmed_by=confirmed_by,
            )
        return Claimed(action, what["skill"], what["arguments"])

    def finish(
        self, user_id: int, claimed: Claimed, *, done: bool, result: str, at: datetime
    ) -> None:
        """Record how a claimed action ended and remove it from waiting, in one transaction."""
        with translate_errors(self._where), self.engine.begin() as conn:
            row = conn.execute(
                delete(pending_actions)
                .where(
                    pending_actions.c.id == claimed.action.id,
                    pending_actions.c.user_id == user_id,
                )
                .returning(pending_actions.c.conversation_id)
            ).first()
            self._log(
                conn,
                user_id,
                at,
                conversation_id=None if row is None else row.conversation_id,
                action_id=claimed.action.id,
                skill=claimed.skill,
                arguments=claimed.arguments,
                status=DONE if done else FAILED,
                result=result,
            )

    def settle(self, user_id: int, action_id: int, status: str, said: str, at: datetime) -> bool:
        """Decline or lapse a waiting proposal; False if it was no longer waiting."""
        with translate_errors(self._where), self.engine.begin() as conn:
            row = conn.execute(
                delete(pending_actions)
                .where(
                    pending_actions.c.id == action_id,
                    pending_actions.c.user_id == user_id,
                    pending_actions.c.claimed_at.is_(None),
                )
                .returning(*pending_actions.c)
            ).first()
            if row is None:
                return False
            action = _pending(row)
            self._log(
                conn,
                user_id,
                at,
                conversation_id=row.conversation_id,
                action_id=action_id,
                **_what(action.payload),
                status=status,
                confirmed_by=said if status == DECLINED else "",
            )
        return True

    def release_stale(self, user_id: int, conversation_id: int, before: datetime) -> int:
        """Put claims older than ``before`` back to waiting: their process ended mid-action.

        Asked on every turn, so it only opens a write when there is one to release.
        """
        stale = (
            pending_actions.c.user_id == user_id,
            pending_actions.c.conversation_id == conversation_id,
            pending_actions.c.claimed_at.is_not(None),
            pending_actions.c.claimed_at < before,
        )
        with translate_errors(self._where), self.engine.connect() as conn:
            if conn.execute(select(pending_actions.c.id).where(*stale)).first() is None:
                return 0
        with translate_errors(self._where), self.engine.begin() as conn:
            rows = conn.execute(
                update(pending_actions)
                .where(*stale)
                .values(claimed_at=None)
                .returning(*pending_actions.c)
            ).all()
            for row in rows:
                action = _pending(row)
                self._log(
                    conn,
                    user_id,
                    before,
                    conversation_id=conversation_id,
                    action_id=action.id,
                    **_what(action.payload),
                    status=RELEASED,
                    result="the process ended before the action finished; it waits for a yes",
                )
        return len(rows)

    def entries(self, user_id: int, limit: int | None = None) -> list[AuditEntry]:
        """The audit log of one user, oldest first (the newest ``limit`` if given)."""
        query = (
            select(audit_log).where(audit_log.c.user_id == user_id).order_by(audit_log.c.id.desc())
        )
        if limit is not None:
            query = query.limit(limit)
        with translate_errors(self._where), self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            AuditEntry(
                id=r.id,
                at=aware(r.at),
                conversation_id=r.conversation_id,
                action_id=r.action_id,
                skill=r.skill,
                arguments=dict(r.arguments or {}),
                status=r.status,
                result=r.result,
                confirmed_by=r.confirmed_by,
            )
            for r in reversed(rows)
        ]


def _pending(row: Any) -> PendingAction:
    return PendingAction(row.id, row.kind, dict(row.payload), aware(row.created_at))


def _what(payload: dict[str, Any]) -> dict[str, Any]:
    """The skill and arguments a waiting proposal stands for."""
    return {"skill": str(payload["skill"]), "arguments": dict(payload.get("arguments") or {})}
