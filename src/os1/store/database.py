"""Opening the database: engine options for durability, migrations, and clear errors.

SQLite runs in WAL mode with ``synchronous=FULL``, so a turn reported
committed survives a killed process or a power cut; Postgres is used when a
``postgresql://`` URL is configured.

Several os1 processes may start at once on a fresh database; the schema is
created and migrated by one of them at a time (a file lock beside the SQLite
file, a transaction-scoped advisory lock on Postgres), and the others find it
done.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from os1.errors import DatabaseLocked, SchemaTooNew, StoreError

MIGRATIONS = Path(__file__).parent / "migrations"
SCHEMA_LOCK = 0x05_1_5C_4E_4D
# How long a process waits for another's SQLite write before giving up: each
# commit waits for the disk, and a busy disk can hold several in a row for
# seconds, so this is generous; a person would rather wait than lose a turn.
SQLITE_WAIT_S = 30
"""The Postgres advisory lock key held while one process creates or migrates the schema."""


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything os1 stores is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def engine_url(database_url: str, default_file: Path) -> str:
    """The SQLAlchemy URL to use, picking the psycopg 3 driver for plain Postgres URLs."""
    if not database_url:
        default_file.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{default_file}"
    for plain in ("postgresql://", "postgres://"):
        if database_url.startswith(plain):
            return "postgresql+psycopg://" + database_url[len(plain) :]
    return database_url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def create_store_engine(url: str) -> Engine:
    """Create an engine with durable settings for the backend it names."""
    try:
        if url.startswith("sqlite"):
            engine = create_engine(url, connect_args={"timeout": SQLITE_WAIT_S})
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine = create_engine(url, pool_pre_ping=True)
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise StoreError(
            f"Cannot use the database URL {url!r} ({exc}).",
            "Fix database_url (OS1_DATABASE_URL).",
        ) from exc
    return engine


def alembic_config() -> Config:
    """Alembic's configuration for os1's migrations (the connection is passed in per use)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision, refusing a database from a newer os1.

    Only one process migrates at a time; the others wait, then find the
    schema current. A database already at the newest revision takes no lock.
    """
    config = alembic_config()
    scripts = ScriptDirectory.from_config(config)
    head = scripts.get_current_head()
    with translate_errors(str(engine.url)):
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
        if current == head:
            return
        with schema_transaction(engine) as connection:
            _upgrade(connection, config, scripts)


@contextlib.contextmanager
def schema_transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction that may change the schema, held by one process at a time.

    Everything in it, DDL included, happens or not at all, so a process
    killed while it creates or migrates the schema leaves the database as it
    was. On SQLite that needs a connection of its own: the driver's default
    transaction handling commits each ``CREATE TABLE`` at once, so this one
    sends ``BEGIN IMMEDIATE`` itself.
    """
    if engine.dialect.name != "sqlite":
        with engine.begin() as connection:
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": SCHEMA_LOCK})
            yield connection
        return
    changing = create_engine(
        engine.url, connect_args={"timeout": SQLITE_WAIT_S}, poolclass=NullPool
    )
    event.listen(changing, "connect", _sqlite_whole_transactions)
    event.listen(changing, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
    try:
        with schema_lock(engine), changing.begin() as connection:
            yield connection
    finally:
        changing.dispose()


def _sqlite_whole_transactions(dbapi_connection: Any, _record: Any) -> None:
    """Let SQLAlchemy's BEGIN and COMMIT alone bound transactions (DDL included)."""
    _sqlite_pragmas(dbapi_connection, _record)
    dbapi_connection.isolation_level = None


def schema_revision(connection: Connection) -> str | None:
    """The schema revision a database is at (None when it has no os1 schema)."""
    return MigrationContext.configure(connection).get_current_revision()


def _upgrade(connection: Connection, config: Config, scripts: ScriptDirectory) -> None:
    """Upgrade to the head under the lock, after reading the revision again."""
    current = schema_revision(connection)
    if current is not None:
        try:
            known = scripts.get_revision(current)
        except CommandError:
            known = None
        if known is None:
            raise SchemaTooNew(
                f"The database was written by a newer os1 (schema revision {current}).",
                "Upgrade os1 (`pip install -U os1`); the data was left untouched.",
            )
    if current != scripts.get_current_head():
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@contextlib.contextmanager
def schema_lock(engine: Engine) -> Iterator[None]:
    """Hold ``<database>.lock`` beside a SQLite file while its schema changes.

    SQLite runs each DDL statement in its own transaction, so two processes
    creating a fresh schema at once would each find a table the other made.
    """
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    descriptor = os.open(f"{database}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


@contextlib.contextmanager
def translate_errors(where: str) -> Iterator[None]:
    """Turn driver errors into os1 errors that say what to do."""
    try:
        yield
    except OperationalError as exc:
        text = str(exc.orig).lower()
        if "locked" in text or "busy" in text:
            raise DatabaseLocked(
                f"The database {where} is locked by another program.",
                "Close other os1 processes using it and try again.",
            ) from exc
        if "disk" in text and ("full" in text or "space" in text):
            raise StoreError(f"The disk holding {where} is full.", "Free some space.") from exc
        raise StoreError(
            f"Cannot use the database {where} ({exc.orig}).",
            "Check that it is running and reachable, and that database_url is right.",
        ) from exc
    except DBAPIError as exc:
        raise StoreError(f"The database {where} refused an operation ({exc.orig}).") from exc
