"""The conversation journal: users, conversations and committed turns.

Every query takes the ``user_id`` and filters by it, so one person's
conversations can never be read or continued by another.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Engine, Row, delete, func, insert, literal, select, text, update
from sqlalchemy.exc import IntegrityError

from os1.errors import NotFound
from os1.store.database import (
    aware,
    create_store_engine,
    engine_url,
    migrate,
    translate_errors,
)
from os1.store.schema import (
    conversations,
    memory_jobs,
    open_turns,
    pending_actions,
    turns,
    users,
)

_DIALOG_STEP = pending_actions.c.kind.not_like("confirm:%")
"""Waiting rows that are a dialog's step rather than a proposal for the gate."""
FIRST_CONVERSATION = 0x05_1C_0F
"""Advisory lock class (Postgres) held while a person's first conversation is made."""
ORPHAN_AFTER = timedelta(hours=1)
"""An open turn written on another machine is taken as abandoned after this long."""


def process_owner() -> str:
    """Who holds an open turn: this machine and process (``host:pid``)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def owner_gone(owner: str, started_at: datetime, now: datetime) -> bool:
    """Whether the process that opened a turn has ended (or, elsewhere, long gone quiet)."""
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not (pid.isascii() and pid.isdigit()):
        return now - started_at > ORPHAN_AFTER
    if int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except (ProcessLookupError, OverflowError):
        return True
    except PermissionError:
        return False
    return False


@dataclass(frozen=True)
class TurnRecord:
    """One exchange as stored: what the person said and what the companion answered."""

    id: int
    conversation_id: int
    user_text: str
    reply: str
    interrupted: bool
    model: str
    started_at: datetime
    committed_at: datetime
    timings: dict[str, Any] = field(default_factory=dict)
    parts: list[dict[str, Any]] = field(default_factory=list)
    """What the turn held, part by part with its origin (``os1.content``); empty for old turns."""


@dataclass(frozen=True)
class PendingAction:
    """Something waiting for the person's next words: a dialog's step, or a proposal."""

    id: int
    kind: str
    payload: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True)
class ConversationRecord:
    """A conversation and how much was said in it."""

    id: int
    created_at: datetime
    updated_at: datetime
    turn_count: int


def _turn(row: Row[Any]) -> TurnRecord:
    return TurnRecord(
        id=row.id,
        conversation_id=row.conversation_id,
        user_text=row.user_text,
        reply=row.reply,
        interrupted=bool(row.interrupted),
        model=row.model,
        started_at=aware(row.started_at),
        committed_at=aware(row.committed_at),
        timings=dict(row.timings or {}),
        parts=list(row.parts or []),
    )


class Journal:
    """Reads and writes conversations; the single source of truth for what was said."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._where = engine.url.render_as_string(hide_password=True)

    @classmethod
    def open(cls, database_url: str, default_file: Path) -> Journal:
        """Connect, migrate to the current schema, and return the journal."""
        engine = create_store_engine(engine_url(database_url, default_file))
        try:
            migrate(engine)
            journal = cls(engine)
            journal.recover_open_turns(datetime.now(UTC))
        except BaseException:
            engine.dispose()
            raise
        return journal

    def close(self) -> None:
        """Release pooled connections."""
        self.engine.dispose()

    def user_id(self, name: str, at: datetime) -> int:
        """The id of the named local user, creating the user on first use."""
        with translate_errors(self._where):
            with self.engine.connect() as conn:
                found = conn.execute(select(users.c.id).where(users.c.name == name)).scalar()
            if found is not None:
                return int(found)
            try:
                with self.engine.begin() as conn:
                    return int(
                        conn.execute(
                            insert(users).values(name=name, created_at=at).returning(users.c.id)
                        ).scalar_one()
                    )
            except IntegrityError:  # created by another process in the meantime
                with self.engine.connect() as conn:
                    return int(
                        conn.execute(select(users.c.id).where(users.c.name == name)).scalar_one()
                    )

    def new_conversation(self, user_id: int, at: datetime) -> int:
        """Start a conversation and return its id."""
        with translate_errors(self._where), self.engine.begin() as conn:
            return int(
                conn.execute(
                    insert(conversations)
                    .values(user_id=user_id, created_at=at, updated_at=at)
                    .returning(conversations.c.id)
                ).scalar_one()
            )

    def first_conversation(self, user_id: int, at: datetime) -> int:
        """The conversation this user spoke in last, or their first, made only once.

        Several processes starting for a new person at the same moment all
        land in one conversation: the insert happens only if the person has
        none, under the write lock (SQLite) or a per-person advisory lock
        (Postgres).
        """
        with translate_errors(self._where), self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(
                    text("SELECT pg_advisory_xact_lock(CAST(:k AS integer), CAST(:u AS integer))"),
                    {"k": FIRST_CONVERSATION, "u": user_id},
                )
            none_yet = (
                ~select(conversations.c.id).where(conversations.c.user_id == user_id).exists()
            )
            moment = literal(at, DateTime(timezone=True))
            conn.execute(
                insert(conversations).from_select(
                    ["user_id", "created_at", "updated_at"],
                    select(literal(user_id), moment, moment).where(none_yet),
                )
            )
            return int(
                conn.execute(
                    select(conversations.c.id)
                    .where(conversations.c.user_id == user_id)
                    .order_by(conversations.c.updated_at.desc(), conversations.c.id.desc())
                    .limit(1)
                ).scalar_one()
            )

    def latest_conversation(self, user_id: int) -> int | None:
        """The conversation this user spoke in last, if any."""
        with translate_errors(self._where), self.engine.connect() as conn:
            found = conn.execute(
                select(conversations.c.id)
                .where(conversations.c.user_id == user_id)
                .order_by(conversations.c.updated_at.desc(), conversations.c.id.desc())
                .limit(1)
            ).scalar()
        return None if found is None else int(found)

    def conversations(self, user_id: int) -> list[ConversationRecord]:
        """All of this user's conversations, most recent first."""
        counts = (
            select(turns.c.conversation_id, func.count().label("n"))
            .where(turns.c.user_id == user_id)
            .group_by(turns.c.conversation_id)
            .subquery()
        )
        query = (
            select(conversations, func.coalesce(counts.c.n, 0).label("n"))
            .outerjoin(counts, counts.c.conversation_id == conversations.c.id)
            .where(conversations.c.user_id == user_id)
            .order_by(conversations.c.updated_at.desc(), conversations.c.id.desc())
        )
        with translate_errors(self._where), self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            ConversationRecord(r.id, aware(r.created_at), aware(r.updated_at), int(r.n))
            for r in rows
        ]

    def require_conversation(self, user_id: int, conversation_id: int) -> None:
        """Raise ``NotFound`` unless this user owns the conversation."""
        with translate_errors(self._where), self.engine.connect() as conn:
            found = conn.execute(
                select(conversations.c.id).where(
                    conversations.c.id == conversation_id, conversations.c.user_id == user_id
                )
            ).scalar()
        if found is None:
            raise NotFound(
                f"There is no conversation {conversation_id}.",
                "See `os1 history --list` for your conversations.",
            )

    def turns(
        self, user_id: int, conversation_id: int, last: int | None = None
    ) -> list[TurnRecord]:
        """The turns of one of this user's conversations, oldest first (the last N if given)."""
        query = (
            select(turns)
            .where(turns.c.user_id == user_id, turns.c.conversation_id == conversation_id)
            .order_by(turns.c.id.desc())
        )
        if last is not None:
            query = query.limit(last)
        with translate_errors(self._where), self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [_turn(r) for r in reversed(rows)]

    def turn_count(self, user_id: int, conversation_id: int) -> int:
        """How many turns one of this user's conversations holds."""
        with translate_errors(self._where), self.engine.connect() as conn:
            return int(
                conn.execute(
                    select(func.count()).where(
                        turns.c.user_id == user_id, turns.c.conversation_id == conversation_id
                    )
                ).scalar_one()
            )

    def turn(self, user_id: int, turn_id: int) -> TurnRecord | None:
        """One of this user's turns, by id."""
        with translate_errors(self._where), self.engine.connect() as conn:
            row = conn.execute(
                select(turns).where(turns.c.id == turn_id, turns.c.user_id == user_id)
            ).first()
        return _turn(row) if row else None

    def commit_turn(
        self,
        user_id: int,
        conversation_id: int,
        *,
        user_text: str,
        reply: str,
        interrupted: bool,
        model: str,
        started_at: datetime,
        committed_at: datetime,
        timings: dict[str, Any],
        remember: bool = False,
        parts: list[dict[str, Any]] | None = None,
        opened: int | None = None,
    ) -> TurnRecord:
        """Store a finished (or interrupted) turn in one transaction and return it.

        With ``remember`` the turn is also queued, in the same transaction, for
        memory extraction, so a crash can delay extraction but never skip it.
        ``opened`` is the open turn (:meth:`open_turn`) this commit closes.
        """
        with translate_errors(self._where), self.engine.begin() as conn:
            if opened is not None:
                conn.execute(
                    delete(open_turns).where(
                        open_turns.c.id == opened, open_turns.c.user_id == user_id
                    )
                )
            owned = conn.execute(
                update(conversations)
                .where(conversations.c.id == conversation_id, conversations.c.user_id == user_id)
                .values(updated_at=committed_at)
            ).rowcount
            if owned != 1:
                raise NotFound(f"There is no conversation {conversation_id}.")
            row = conn.execute(
                insert(turns)
                .values(
                    conversation_id=conversation_id,
                    user_id=user_id,
                    user_text=user_text,
                    reply=reply,
                    interrupted=interrupted,
                    model=model,
                    started_at=started_at,
                    committed_at=committed_at,
                    timings=timings,
                    parts=parts,
                )
                .returning(*turns.c)
            ).one()
            if remember:
                conn.execute(
                    insert(memory_jobs).values(turn_id=row.id, user_id=user_id, attempts=0)
                )
        return _turn(row)

    def open_turn(
        self,
        user_id: int,
        conversation_id: int,
        *,
        user_text: str,
        model: str,
        remember: bool,
        started_at: datetime,
    ) -> int:
        """Keep the person's message from the moment it is accepted, until its turn commits.

        If the process dies before that, the next start commits it as an
        interrupted turn (:meth:`recover_open_turns`) with the reply so far.
        """
        with translate_errors(self._where), self.engine.begin() as conn:
            return int(
                conn.execute(
                    insert(open_turns)
                    .values(
                        user_id=user_id,
                        conversation_id=conversation_id,
                        user_text=user_text,
                        reply="",
                        model=model,
                        remember=remember,
                        owner=process_owner(),
                        started_at=started_at,
                    )
                    .returning(open_turns.c.id)
                ).scalar_one()
            )

    def note_reply(self, user_id: int, opened: int, reply: str) -> None:
        """Keep the words of an open turn's reply shown so far."""
        with translate_errors(self._where), self.engine.begin() as conn:
            conn.execute(
                update(open_turns)
                .where(open_turns.c.id == opened, open_turns.c.user_id == user_id)
                .values(reply=reply)
            )

    def mark_open_turn(self, user_id: int, opened: int, *, model: str, remember: bool) -> None:
        """Say who answers an open turn (care, a skill) and whether it is to be remembered."""
        with translate_errors(self._where), self.engine.begin() as conn:
            conn.execute(
                update(open_turns)
                .where(open_turns.c.id == opened, open_turns.c.user_id == user_id)
                .values(model=model, remember=remember)
            )

    def drop_open_turn(self, user_id: int, opened: int) -> None:
        """Forget an open turn that failed with an error the person was shown."""
        with translate_errors(self._where), self.engine.begin() as conn:
            conn.execute(
                delete(open_turns).where(open_turns.c.id == opened, open_turns.c.user_id == user_id)
            )

    def recover_open_turns(self, at: datetime) -> int:
        """Commit, as interrupted, the open turns of processes that ended; returns how many.

        Each is taken by deleting its open row first, so of two processes
        starting at once exactly one commits it.
        """
        with translate_errors(self._where), self.engine.connect() as conn:
            rows = conn.execute(select(open_turns)).all()
        recovered = 0
        for row in rows:
            if not owner_gone(row.owner, aware(row.started_at), at):
                continue
            with translate_errors(self._where), self.engine.begin() as conn:
                taken = conn.execute(delete(open_turns).where(open_turns.c.id == row.id)).rowcount
                if taken != 1:
                    continue
                turn_id = conn.execute(
                    insert(turns)
                    .values(
                        conversation_id=row.conversation_id,
                        user_id=row.user_id,
                        user_text=row.user_text,
                        reply=row.reply.strip(),
                        interrupted=True,
                        model=row.model,
                        started_at=row.started_at,
                        committed_at=at,
                        timings={},
                    )
                    .returning(turns.c.id)
                ).scalar_one()
                if row.remember:
                    conn.execute(
                        insert(memory_jobs).values(turn_id=turn_id, user_id=row.user_id, attempts=0)
                    )
                conn.execute(
                    update(conversations)
                    .where(conversations.c.id == row.conversation_id)
                    .values(updated_at=at)
                )
            recovered += 1
        return recovered

    def propose_action(
        self, user_id: int, conversation_id: int, kind: str, payload: dict[str, Any], at: datetime
    ) -> int:
        """Remember the step a dialog (setup, a letter) waits at; replaces any earlier step.

        Proposals waiting for a yes are the gate's (``os1.store.audit``), and are
        left to it.
        """
        with translate_errors(self._where), self.engine.begin() as conn:
            conn.execute(
                delete(pending_actions).where(
                    pending_actions.c.user_id == user_id,
                    pending_actions.c.conversation_id == conversation_id,
                    _DIALOG_STEP,
                )
            )
            return int(
                conn.execute(
                    insert(pending_actions)
                    .values(
                        user_id=user_id,
                        conversation_id=conversation_id,
                        kind=kind,
                        payload=payload,
                        created_at=at,
                    )
                    .returning(pending_actions.c.id)
                ).scalar_one()
            )

    def turns_since(self, user_id: int, since: datetime) -> int:
        """How many turns were committed after ``since``, in any conversation."""
        with translate_errors(self._where), self.engine.connect() as conn:
            return int(
                conn.execute(
                    select(func.count()).where(
                        turns.c.user_id == user_id, turns.c.committed_at > since
                    )
                ).scalar_one()
            )

    def peek_action(self, user_id: int, conversation_id: int) -> PendingAction | None:
        """The dialog step waiting in this conversation, if any, left in place."""
        return self._action(user_id, conversation_id, remove=False)

    def take_action(self, user_id: int, conversation_id: int) -> PendingAction | None:
        """Remove and return the dialog step waiting in this conversation, if any."""
        return self._action(user_id, conversation_id, remove=True)

    def _action(self, user_id: int, conversation_id: int, *, remove: bool) -> PendingAction | None:
        with translate_errors(self._where), self.engine.begin() as conn:
            row = conn.execute(
                select(pending_actions).where(
                    pending_actions.c.user_id == user_id,
                    pending_actions.c.conversation_id == conversation_id,
                    _DIALOG_STEP,
                )
            ).first()
            if row is None:
                return None
            if remove:
                conn.execute(delete(pending_actions).where(pending_actions.c.id == row.id))
        return PendingAction(row.id, row.kind, dict(row.payload), aware(row.created_at))
