"""Every row at one moment, and putting rows back: the database side of a backup.

A snapshot is taken with the database's own means, so os1 can go on talking
and remembering while it is read: on SQLite an online copy
(``sqlite3.Connection.backup``) read afterwards, on Postgres one read-only
REPEATABLE READ transaction (no ``pg_dump``, whose version may not match the
server's). Rows travel as plain JSON values (times in ISO 8601 UTC, bytes in
base64), so a backup from SQLite restores into Postgres and back.
"""

from __future__ import annotations

import base64
import contextlib
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Connection,
    Date,
    DateTime,
    Engine,
    LargeBinary,
    MetaData,
    Table,
    create_engine,
    delete,
    func,
    insert,
    inspect,
    select,
    text,
)

from os1.store.database import aware
from os1.store.schema import metadata

SKIPPED = frozenset({"auth_sessions", "pairing_codes"})
"""Sign-ins and unused pairing codes are not kept: after a restore, devices sign in again."""
BATCH = 500

Progress = Callable[[str, int], None]
"""``report(table, rows_so_far)``, called as rows go by."""


def backed_up_tables() -> list[Table]:
    """The tables a backup holds, parents before children."""
    return [t for t in metadata.sorted_tables if t.name not in SKIPPED]


@contextlib.contextmanager
def snapshot(engine: Engine, scratch: Path) -> Iterator[Connection]:
    """A read-only connection that sees the whole database at one moment.

    ``scratch`` is a private folder for SQLite's online copy, removed by the caller.
    """
    if engine.dialect.name != "sqlite":
        options = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        with engine.connect().execution_options(**options) as conn, conn.begin():
            yield conn
        return
    copy = scratch / "snapshot.db"
    source = sqlite3.connect(str(engine.url.database), timeout=30)
    target = sqlite3.connect(str(copy))
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    reader = create_engine(f"sqlite:///{copy}")
    try:
        with reader.connect() as conn:
            yield conn
    finally:
        reader.dispose()


def encode(value: Any) -> Any:
    """A stored value as JSON: times as ISO 8601 in UTC, bytes as base64."""
    if isinstance(value, datetime):
        return aware(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Decimal):
        return float(value)
    return value


def rows(conn: Connection, table: Table) -> Iterator[dict[str, Any]]:
    """Every row of ``table`` as JSON values, in key order."""
    query = select(table).order_by(*table.primary_key.columns)
    for row in conn.execution_options(yield_per=BATCH).execute(query):
        yield {name: encode(value) for name, value in row._mapping.items()}


def _decoder(table: Table) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Turn JSON values back into what ``table``'s columns take; unknown columns are dropped."""
    kinds: dict[str, Callable[[Any], Any]] = {}
    for column in table.columns:
        kind = column.type
        if isinstance(kind, JSON):
            kinds[column.name] = lambda v: v
        elif isinstance(kind, DateTime):
            kinds[column.name] = lambda v: None if v is None else aware(datetime.fromisoformat(v))
        elif isinstance(kind, Date):
            kinds[column.name] = lambda v: None if v is None else date.fromisoformat(v)
        elif isinstance(kind, LargeBinary):
            kinds[column.name] = lambda v: None if v is None else base64.b64decode(v)
        else:
            kinds[column.name] = lambda v: v

    def decode(row: dict[str, Any]) -> dict[str, Any]:
        return {name: kinds[name](value) for name, value in row.items() if name in kinds}

    return decode


def target_tables(conn: Connection, names: Iterable[str]) -> list[Table]:
    """The database's own tables of these names, as they are now, parents before children."""
    present = set(inspect(conn).get_table_names())
    reflected = MetaData()
    reflected.reflect(bind=conn, only=[n for n in names if n in present])
    return list(reflected.sorted_tables)


def make_room(conn: Connection) -> bool:
    """Ready an empty database for a restore; False if it holds anyone's data.

    Any command makes the person's user row on first use (`os1 history`), so
    a database with only those is still empty: they are removed, and the
    backup's own come back in their place.
    """
    tables = target_tables(conn, [t.name for t in backed_up_tables()])
    for table in tables:
        if table.name != "users" and conn.execute(select(func.count()).select_from(table)).scalar():
            return False
    for table in tables:
        if table.name == "users":
            conn.execute(delete(table))
    return True


def put_rows(
    conn: Connection, table: Table, source: Iterable[dict[str, Any]], report: Progress
) -> int:
    """Insert rows into ``table`` in batches, keeping their ids; returns how many."""
    decode = _decoder(table)
    batch: list[dict[str, Any]] = []
    count = 0
    for row in source:
        batch.append(decode(row))
        if len(batch) >= BATCH:
            conn.execute(insert(table), batch)
            count += len(batch)
            batch = []
            report(table.name, count)
    if batch:
        conn.execute(insert(table), batch)
        count += len(batch)
    report(table.name, count)
    return count


def after_restore(conn: Connection, tables: Iterable[Table]) -> None:
    """What the rows alone do not carry: Postgres id sequences, SQLite's full-text index."""
    if conn.dialect.name == "sqlite":
        conn.execute(text("DELETE FROM memories_fts"))
        conn.execute(
            text(
                "INSERT INTO memories_fts(rowid, about, content) "
                "SELECT id, about, content FROM memories"
            )
        )
        return
    for table in tables:
        if "id" in table.c and table.c.id.primary_key and table.c.id.autoincrement:
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"COALESCE(max(id), 1), max(id) IS NOT NULL) FROM {table.name}"
                )
            )
