from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from os1.errors import NotFound, SchemaTooNew
from os1.store import Journal

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def _commit(journal: Journal, user: int, conversation: int, said: str, at: datetime) -> int:
    return journal.commit_turn(
        user,
        conversation,
        user_text=said,
        reply=f"re: {said}",
        interrupted=False,
        model="m",
        started_at=at,
        committed_at=at + timedelta(seconds=1),
        timings={"total_ms": 1000.0},
    ).id


def test_turns_are_stored_and_read_back_in_order(database_url: str, home: Path) -> None:
    journal = Journal.open(database_url, home / "os1.db")
    user = journal.user_id("me", T0)
    conversation = journal.new_conversation(user, T0)
    for i in range(3):
        _commit(journal, user, conversation, f"message {i}", T0 + timedelta(minutes=i))
    turns = journal.turns(user, conversation)
    assert [t.user_text for t in turns] == ["message 0", "message 1", "message 2"]
    assert turns[0].started_at == T0
    assert [t.user_text for t in journal.turns(user, conversation, last=2)] == [
        "message 1",
        "message 2",
    ]
    journal.close()
    reopened = Journal.open(database_url, home / "os1.db")
    assert len(reopened.turns(user, conversation)) == 3
    assert reopened.latest_conversation(user) == conversation
    reopened.close()


def test_one_user_never_sees_or_writes_another_users_conversation(
    database_url: str, home: Path
) -> None:
    journal = Journal.open(database_url, home / "os1.db")
    alice = journal.user_id("alice", T0)
    bob = journal.user_id("bob", T0)
    conversation = journal.new_conversation(alice, T0)
    _commit(journal, alice, conversation, "secret", T0)
    assert journal.turns(bob, conversation) == []
    assert journal.latest_conversation(bob) is None
    assert journal.conversations(bob) == []
    with pytest.raises(NotFound):
        journal.require_conversation(bob, conversation)
    with pytest.raises(NotFound):
        _commit(journal, bob, conversation, "intrusion", T0)
    assert [t.user_text for t in journal.turns(alice, conversation)] == ["secret"]
    journal.close()


def test_latest_conversation_follows_the_last_turn(database_url: str, home: Path) -> None:
    journal = Journal.open(database_url, home / "os1.db")
    user = journal.user_id("me", T0)
    first = journal.new_conversation(user, T0)
    second = journal.new_conversation(user, T0 + timedelta(hours=1))
    assert journal.latest_conversation(user) == second
    _commit(journal, user, first, "back to the first", T0 + timedelta(hours=2))
    assert journal.latest_conversation(user) == first
    listed = journal.conversations(user)
    assert [(c.id, c.turn_count) for c in listed] == [(first, 1), (second, 0)]
    journal.close()


def test_database_from_a_newer_os1_is_refused_untouched(database_url: str, home: Path) -> None:
    journal = Journal.open(database_url, home / "os1.db")
    user = journal.user_id("me", T0)
    conversation = journal.new_conversation(user, T0)
    _commit(journal, user, conversation, "keep me", T0)
    with journal.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    journal.close()
    with pytest.raises(SchemaTooNew, match="newer os1"):
        Journal.open(database_url, home / "os1.db")
    again = Journal(journal.engine)
    assert [t.user_text for t in again.turns(user, conversation)] == ["keep me"]
    again.close()


def test_sqlite_runs_in_wal_mode(home: Path) -> None:
    journal = Journal.open("", home / "os1.db")
    with journal.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
    journal.close()
