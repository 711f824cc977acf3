"""Several os1 processes at once: the schema is made once, no message is lost, no fact doubled."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import text
from tests.conftest import write_script

from os1.clock import FixedClock
from os1.errors import InputError
from os1.memory import HashingEmbedder, Memory
from os1.store import Journal
from os1.store.database import alembic_config, create_store_engine, engine_url, migrate
from os1.store.memories import CLAIM_LEASE, MemoryChanges, MemoryRecord, MemoryStore, NewMemory

FACT = {
    "kind": "person",
    "about": "Ana",
    "aspect": "home",
    "content": "The user's sister Ana lives in Porto.",
    "when": "",
    "importance": 4,
}
PARALLEL = 8


def _active_duplicates(journal: Journal) -> list[tuple[str, int]]:
    with journal.engine.connect() as conn:
        return [
            (str(row[0]), int(row[1]))
            for row in conn.execute(
                text(
                    "SELECT content, count(*) FROM memories WHERE superseded_by IS NULL "
                    "GROUP BY user_id, content_key, content HAVING count(*) > 1"
                )
            )
        ]


def test_parallel_first_runs_keep_every_message_and_store_a_fact_once(
    tmp_path: Path, home: Path, database_url: str
) -> None:
    model = write_script(tmp_path / "s.json", ["Nice.", json.dumps({"memories": [FACT]})])
    env = {**os.environ, "OS1_MODEL": model, "OS1_DATABASE_URL": database_url}
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "os1", "say", f"My sister Ana lives in Porto. ({n})"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        for n in range(PARALLEL)
    ]
    errors = [p.communicate(timeout=120)[1].decode() for p in runs]
    assert [e for p, e in zip(runs, errors, strict=True) if p.returncode] == []
    journal = Journal.open(database_url, home / "data" / "os1.db")
    try:
        with journal.engine.connect() as conn:
            said = {r[0] for r in conn.execute(text("SELECT user_text FROM turns"))}
            talks = conn.execute(text("SELECT count(*) FROM conversations")).scalar_one()
            facts = conn.execute(
                text("SELECT count(*) FROM memories WHERE content LIKE '%Ana lives in Porto.'")
            ).scalar_one()
        assert said == {f"My sister Ana lives in Porto. ({n})" for n in range(PARALLEL)}
        assert facts == 1
        assert talks == 1  # all in the person's first conversation
        assert _active_duplicates(journal) == []
    finally:
        journal.close()


def test_concurrent_writers_in_one_process_store_one_memory(
    tmp_path: Path, database_url: str
) -> None:
    journal = Journal.open(database_url, tmp_path / "os1.db")
    try:
        now = datetime.now(UTC)
        user = journal.user_id("me", now)
        store = MemoryStore(journal.engine)
        new = NewMemory("preference", "the user", "drink", "The user likes green tea.")
        barrier = threading.Barrier(6)
        stored: list[list[int]] = []

        def write(spelling: str) -> None:
            barrier.wait()
            changes = MemoryChanges(add=[(NewMemory(**{**new.__dict__, "content": spelling}), b"")])
            stored.append(store.apply(user, changes, "e", now))

        spellings = [
            "The user likes green tea.",
            "the user likes green tea",
            "The user  likes GREEN tea!",
        ]
        threads = [threading.Thread(target=write, args=(spellings[n % 3],)) for n in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(len(ids) for ids in stored) == [0, 0, 0, 0, 0, 1]
        assert store.count(user) == 1
        [kept] = store.records(user)
        assert kept.confidence > new.confidence  # the others reinforced it
    finally:
        journal.close()


def test_migrating_keeps_one_of_each_duplicate_as_the_active_memory(tmp_path: Path) -> None:
    url = engine_url("", tmp_path / "os1.db")
    engine = create_store_engine(url)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0009")
    now = datetime.now(UTC).isoformat()
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO users (id, name, created_at) VALUES (1, 'me', :t)"), {"t": now}
        )
        for content in ("Ana lives in Porto.", "ana lives in porto", "Ana lives in Lisbon."):
            conn.execute(
                text(
                    "INSERT INTO memories (user_id, kind, about, aspect, content, importance, "
                    "confidence, source, derived_from, created_at, updated_at) VALUES "
                    "(1, 'fact', 'Ana', 'home', :c, 3, 0.8, 'conversation', '[]', :t, :t)"
                ),
                {"c": content, "t": now},
            )
    migrate(engine)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT id, content, superseded_by FROM memories ORDER BY id")
        ).all()
    engine.dispose()
    assert [(r[1], r[2]) for r in rows] == [
        ("Ana lives in Porto.", None),
        ("ana lives in porto", 1),
        ("Ana lives in Lisbon.", None),
    ]


def test_a_turn_is_read_for_memories_by_one_process_at_a_time(tmp_path: Path) -> None:
    journal = Journal.open("", tmp_path / "os1.db")
    try:
        now = datetime.now(UTC)
        user = journal.user_id("me", now)
        conversation = journal.new_conversation(user, now)
        turn = journal.commit_turn(
            user, conversation, user_text="I moved to Porto.", reply="Oh!", interrupted=False,
            model="m", started_at=now, committed_at=now, timings={}, remember=True,
        )  # fmt: skip
        store = MemoryStore(journal.engine)
        assert store.claim_job(user, turn.id, now)
        assert not store.claim_job(user, turn.id, now)  # another process meanwhile
        assert store.claim_job(user, turn.id, now + CLAIM_LEASE * 2)  # the first one ended
        store.apply(user, MemoryChanges(), "e", now, finish_job=turn.id)
        assert not store.claim_job(user, turn.id, now + CLAIM_LEASE * 4)  # done
    finally:
        journal.close()


def test_no_content_is_active_twice_after_an_edit_or_a_removal(tmp_path: Path) -> None:
    journal = Journal.open("", tmp_path / "os1.db")
    try:
        now = datetime.now(UTC)
        user = journal.user_id("me", now)
        store = MemoryStore(journal.engine)
        tea, coffee = (
            NewMemory("preference", "the user", "drink", "The user drinks tea."),
            NewMemory("preference", "the user", "drink", "The user drinks coffee."),
        )
        [tea_id, coffee_id] = store.apply(
            user, MemoryChanges(add=[(tea, b""), (coffee, b"")]), "e", now
        )
        with pytest.raises(InputError, match="already remembers"):
            store.edit(
                user, coffee_id, content="the user drinks TEA", about="the user", importance=3,
                happens_on=None, vector=b"", embedder="e", at=now,
            )  # fmt: skip
        # tea is replaced by "tea again"; removing that reinstates tea, and a second copy of
        # tea stored meanwhile by the same words becomes its earlier version instead
        again = NewMemory("preference", "the user", "drink", "The user drinks green tea.")
        [again_id] = store.apply(
            user, MemoryChanges(add=[(again, b"")], supersede=[(tea_id, 0)]), "e", now
        )
        [copy_id] = store.apply(user, MemoryChanges(add=[(tea, b"")]), "e", now)
        store.apply(user, MemoryChanges(remove=[again_id]), "e", now)
        active = [r.content for r in store.records(user)]
        assert sorted(active) == ["The user drinks coffee.", "The user drinks tea."]
        assert [r.id for r in store.earlier_versions(user, copy_id)] == [tea_id]
    finally:
        journal.close()


def test_a_migration_cut_short_leaves_no_half_made_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = create_store_engine(engine_url("", tmp_path / "os1.db"))
    whole = command.upgrade

    def cut_short(config: object, _revision: str) -> None:
        whole(config, "0002")  # type: ignore[arg-type]
        raise KeyboardInterrupt  # as a process killed half-way would stop

    monkeypatch.setattr(command, "upgrade", cut_short)
    with pytest.raises(KeyboardInterrupt):
        migrate(engine)
    with engine.connect() as conn:
        made = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'")).all()
    assert made == []
    monkeypatch.setattr(command, "upgrade", whole)
    migrate(engine)  # the next start makes the schema
    engine.dispose()


async def test_extraction_cut_short_hands_the_turn_to_the_next_process(tmp_path: Path) -> None:
    journal = Journal.open("", tmp_path / "os1.db")
    try:
        now = datetime.now(UTC)
        user = journal.user_id("me", now)
        conversation = journal.new_conversation(user, now)
        turn = journal.commit_turn(
            user, conversation, user_text="My sister Ana lives in Porto.", reply="Oh!",
            interrupted=False, model="m", started_at=now, committed_at=now, timings={},
            remember=True,
        )  # fmt: skip
        asked = asyncio.Event()

        async def never_answers(system: str, user_text: str, schema: dict[str, Any]) -> Any:
            asked.set()
            await asyncio.Event().wait()

        store = MemoryStore(journal.engine)
        memory = Memory(store, HashingEmbedder(), never_answers, FixedClock(now))
        work = asyncio.ensure_future(memory.extract_pending(user))
        await asyncio.wait_for(asked.wait(), 30)
        work.cancel()
        with pytest.raises(asyncio.CancelledError):
            await work
        assert store.claim_job(user, turn.id, now)  # not held for the lease
    finally:
        journal.close()


def test_one_export_imported_twice_at_once_is_stored_once(
    tmp_path: Path, database_url: str
) -> None:
    journal = Journal.open(database_url, tmp_path / "os1.db")
    try:
        now = datetime.now(UTC)
        user = journal.user_id("me", now)
        store = MemoryStore(journal.engine)
        old = MemoryRecord(
            1, "person", "Ana", "home", "Ana lives in Porto.", 4, 0.8, None, "conversation",
            None, (), now, now, superseded_by=2, superseded_at=now,
        )  # fmt: skip
        new = MemoryRecord(
            2, "person", "Ana", "home", "Ana lives in Lisbon.", 4, 0.8, None, "conversation",
            None, (), now, now,
        )  # fmt: skip
        barrier = threading.Barrier(4)

        def bring_in() -> None:
            barrier.wait()
            store.add_all(user, [(old, b""), (new, b"")], "e")

        threads = [threading.Thread(target=bring_in) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        stored = store.records(user, include_superseded=True)
        assert sorted(r.content for r in stored) == ["Ana lives in Lisbon.", "Ana lives in Porto."]
    finally:
        journal.close()
