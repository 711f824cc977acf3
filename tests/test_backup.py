"""`os1 backup` writes a whole home into one file; `os1 restore` brings it back, on either store."""

from __future__ import annotations

import json
import stat
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests.conftest import run_os1

from os1.backup import MANIFEST, restore_backup, write_backup
from os1.config import Paths, Settings, load_settings, resolve_paths
from os1.errors import InputError
from os1.store import Journal
from os1.store.memories import MemoryChanges, MemoryStore, NewMemory

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def _at(monkeypatch: pytest.MonkeyPatch, home: Path, url: str) -> tuple[Settings, Paths]:
    monkeypatch.setenv("OS1_HOME", str(home))
    monkeypatch.setenv("OS1_DATABASE_URL", url)
    return load_settings(), resolve_paths()


def _fill(settings: Settings, paths: Paths) -> None:
    """A home with a conversation, a changed memory, a message in flight, a letter, settings."""
    journal = Journal.open(settings.database_url, paths.database_file)
    try:
        user = journal.user_id("me", NOW)
        conversation = journal.new_conversation(user, NOW)
        turn = journal.commit_turn(
            user, conversation, user_text="My sister Ana lives in Porto.", reply="Lovely.",
            interrupted=False, model="m", started_at=NOW, committed_at=NOW,
            timings={"total_ms": 5.0}, remember=True,
        )  # fmt: skip
        store = MemoryStore(journal.engine)
        porto = NewMemory("person", "Ana", "home", "Ana lives in Porto.", source_turn_id=turn.id)
        [old] = store.apply(user, MemoryChanges(add=[(porto, b"\x00\x01")]), "e", NOW)
        lisbon = NewMemory("person", "Ana", "home", "Ana lives in Lisbon.")
        store.apply(user, MemoryChanges(add=[(lisbon, b"\x02")], supersede=[(old, 0)]), "e", NOW)
    finally:
        journal.close()
    (paths.data_dir / "letters").mkdir()
    (paths.data_dir / "letters" / "letter-1.pdf").write_bytes(b"%PDF-1.4 letter")
    paths.config_file.write_text('temperature = 0.5\nopenai_api_key = "sk-secret"\n')


def _contents(settings: Settings, paths: Paths) -> tuple[list[tuple[object, ...]], ...]:
    journal = Journal.open(settings.database_url, paths.database_file)
    try:
        with journal.engine.connect() as conn:
            return (
                [tuple(r) for r in conn.exec_driver_sql("SELECT user_text, reply FROM turns")],
                [
                    tuple(r)
                    for r in conn.exec_driver_sql(
                        "SELECT id, content, superseded_by FROM memories ORDER BY id"
                    )
                ],
                [tuple(r) for r in conn.exec_driver_sql("SELECT memory_id FROM memory_vectors")],
            )
    finally:
        journal.close()


def _ignore(table: str, rows: int) -> None:
    """Progress is not looked at here."""


@pytest.mark.postgres
def test_a_backup_moves_from_sqlite_to_postgres_and_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres_url: str
) -> None:
    source = _at(monkeypatch, tmp_path / "sqlite-home", "")
    _fill(*source)
    first = tmp_path / "first.os1"
    write_backup(*source, first, _ignore)
    assert stat.S_IMODE(first.stat().st_mode) == 0o600
    postgres = _at(monkeypatch, tmp_path / "pg-home", postgres_url)
    restore_backup(*postgres, first, _ignore)
    assert _contents(*postgres) == _contents(*source)
    second = tmp_path / "second.os1"
    write_backup(*postgres, second, _ignore)
    back = _at(monkeypatch, tmp_path / "back-home", "")
    summary = restore_backup(*back, second, _ignore)
    assert _contents(*back) == _contents(*source)
    assert summary.rows["memories"] == 2  # the fact and its earlier version
    assert (back[1].data_dir / "letters" / "letter-1.pdf").read_bytes() == b"%PDF-1.4 letter"
    restored_settings = back[1].config_file.read_text()
    assert "temperature = 0.5" in restored_settings
    assert "sk-secret" not in restored_settings


def test_restore_refuses_a_home_with_data_and_damaged_or_newer_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _at(monkeypatch, tmp_path / "home", "")
    _fill(*source)
    made = tmp_path / "b.os1"
    write_backup(*source, made, _ignore)
    with pytest.raises(InputError, match="already holds"):
        restore_backup(*source, made, _ignore)

    damaged = tmp_path / "damaged.os1"
    with zipfile.ZipFile(made) as good, zipfile.ZipFile(damaged, "w") as bad:
        for item in good.infolist():
            data = good.read(item)
            bad.writestr(item, data.replace(b"Porto", b"Paris"))
    newer = tmp_path / "newer.os1"
    with zipfile.ZipFile(made) as good, zipfile.ZipFile(newer, "w") as future:
        for item in good.infolist():
            data = good.read(item)
            if item.filename == MANIFEST:
                data = json.dumps({**json.loads(data), "version": 99}).encode()
            future.writestr(item, data)
    junk = tmp_path / "junk.os1"
    junk.write_bytes(b"not a backup")
    other_zip = tmp_path / "photos.zip"
    with zipfile.ZipFile(other_zip, "w") as photos:
        photos.writestr("cat.jpg", b"meow")
    empty = _at(monkeypatch, tmp_path / "empty", "")
    for bad_file, reason in [
        (damaged, "damaged"),
        (newer, "newer os1"),
        (junk, "not an os1 backup"),
        (other_zip, "not an os1 backup"),
    ]:
        with pytest.raises(InputError, match=reason):
            restore_backup(*empty, bad_file, _ignore)
    assert not empty[1].database_file.exists() or _contents(*empty) == ([], [], [])


def test_the_commands_back_up_and_restore_a_home(tmp_path: Path, home: Path) -> None:
    assert run_os1("say", "hello there", env={"OS1_MODEL": "scripted"}).code == 0
    target = tmp_path / "all.os1"
    made = run_os1("backup", str(target))
    assert made.code == 0, made.stderr
    assert "1 turn," in made.stdout
    elsewhere = {"OS1_HOME": str(tmp_path / "new-home")}
    assert run_os1("history", env=elsewhere).code == 0  # a first look makes the person's name
    restored = run_os1("restore", str(target), env=elsewhere)
    assert restored.code == 0, restored.stderr
    shown = json.loads(run_os1("history", "--json", env=elsewhere).stdout)
    assert [t["user_text"] for t in shown["turns"]] == ["hello there"]
    again = run_os1("restore", str(target), env=elsewhere)
    assert again.code != 0
    assert "already holds" in again.stderr
