"""A whole backup of one os1 home in one file, and bringing it back.

The file is a zip archive: ``manifest.json`` (format and version, the schema
revision, and for every member its size and SHA-256), ``tables/<name>.jsonl``
(one JSON object per row, from one consistent snapshot of the database, see
``os1.store.snapshot``), ``files/…`` (what the person keeps in the data
folder: rendered letters and books, added voices) and ``settings.toml`` (the
config file without keys, passwords or the database URL). It is written to a
private temporary file and renamed, 0600, so a backup interrupted at any
moment leaves no partial file under the name asked for.

A restore checks the whole file first (format, version, every checksum) and
goes only into an empty home: an empty database and no files of the person's.
Rows keep their ids, so every link between them holds; the schema is made at
the backup's revision, filled, then migrated to this os1's.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any

import tomli_w
from alembic import command
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Engine

from os1 import __version__
from os1.config import Paths, Settings, read_config_file
from os1.errors import InputError, Os1Error
from os1.files import atomic_path, write_file
from os1.private import private_dir
from os1.store.database import (
    alembic_config,
    create_store_engine,
    engine_url,
    migrate,
    schema_revision,
    schema_transaction,
    translate_errors,
)
from os1.store.snapshot import (
    Progress,
    after_restore,
    backed_up_tables,
    make_room,
    put_rows,
    rows,
    snapshot,
    target_tables,
)

FORMAT = "os1-backup"
VERSION = 1
MANIFEST = "manifest.json"
SETTINGS = "settings.toml"
KEPT_OUT = ("os1.db", "os1.log", "cache", "kv-cache")
"""Names in the data folder that are not the person's files: the database (it is in the
tables), the log, and caches os1 rebuilds."""
PRIVATE_SETTINGS = ("database_url",)
CHUNK = 1 << 20


class BackupError(Os1Error):
    """A backup cannot be written, or a file cannot be restored."""


@dataclass(frozen=True)
class Summary:
    """What a backup holds or a restore brought back."""

    rows: dict[str, int]
    files: int

    def __str__(self) -> str:
        total = sum(self.rows.values())
        turns = self.rows.get("turns", 0)
        memories = self.rows.get("memories", 0)
        return (
            f"{_count(total, 'row')} ({_count(turns, 'turn')}, {_count(memories, 'memory')}) "
            f"in {_count(len(self.rows), 'table')}, {_count(self.files, 'file')}"
        )


def _count(number: int, noun: str) -> str:
    plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return f"{number} {noun if number == 1 else plural}"


def _open_engine(settings: Settings, paths: Paths) -> Engine:
    return create_store_engine(engine_url(settings.database_url, paths.database_file))


class _Hashing(io.RawIOBase):
    """Counts and hashes what goes through to an archive member."""

    def __init__(self, sink: IO[bytes]) -> None:
        self.sink = sink
        self.digest = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self.digest.update(chunk)
        self.size += len(chunk)
        self.sink.write(chunk)
        return len(chunk)


def _settings_without_secrets(paths: Paths) -> dict[str, Any]:
    """The config file's settings, less keys, passwords, tokens and the database URL."""
    secret = ("key", "password", "secret", "token")
    return {
        name: value
        for name, value in read_config_file(paths.config_file).items()
        if name not in PRIVATE_SETTINGS and not any(word in name.lower() for word in secret)
    }


def _person_files(data_dir: Path) -> Iterator[tuple[Path, str]]:
    """The person's files in the data folder, with their names in the archive."""
    if not data_dir.is_dir():
        return
    for path in sorted(data_dir.rglob("*")):
        relative = path.relative_to(data_dir)
        top = relative.parts[0]
        if any(top == name or top.startswith((f"{name}.", f"{name}-")) for name in KEPT_OUT):
            continue
        if path.is_file() and not path.is_symlink() and not path.name.startswith("."):
            yield path, "files/" + relative.as_posix()


def write_backup(
    settings: Settings, paths: Paths, target: Path, report: Progress, *, named: bool = True
) -> Summary:
    """Write everything in this home to ``target``, atomically and privately."""
    engine = _open_engine(settings, paths)
    counts: dict[str, int] = {}
    members: dict[str, dict[str, Any]] = {}
    try:
        migrate(engine)
        with (
            tempfile.TemporaryDirectory(prefix="os1-backup-") as scratch,
            atomic_path(target, named=named) as partial,
            zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive,
        ):
            with translate_errors(str(engine.url)), snapshot(engine, Path(scratch)) as conn:
                revision = schema_revision(conn)
                for table in backed_up_tables():
                    name = f"tables/{table.name}.jsonl"
                    with archive.open(name, "w", force_zip64=True) as member:
                        sink = _Hashing(member)
                        count = 0
                        for row in rows(conn, table):
                            sink.write(json.dumps(row, ensure_ascii=False).encode() + b"\n")
                            count += 1
                            if count % 500 == 0:
                                report(table.name, count)
                    report(table.name, count)
                    counts[table.name] = count
                    members[name] = {"sha256": sink.digest.hexdigest(), "size": sink.size}
            files = 0
            for path, name in _person_files(paths.data_dir):
                members[name] = _add_file(archive, path, name)
                files += 1
            settings_text = tomli_w.dumps(_settings_without_secrets(paths)).encode()
            archive.writestr(SETTINGS, settings_text)
            members[SETTINGS] = {
                "sha256": hashlib.sha256(settings_text).hexdigest(),
                "size": len(settings_text),
            }
            manifest = {
                "format": FORMAT,
                "version": VERSION,
                "os1": __version__,
                "schema": revision,
                "source": engine.dialect.name,
                "created_at": datetime.now(UTC).isoformat(),
                "tables": counts,
                "members": members,
            }
            archive.writestr(MANIFEST, json.dumps(manifest, indent=2))
    finally:
        engine.dispose()
    return Summary(counts, files)


def _add_file(archive: zipfile.ZipFile, path: Path, name: str) -> dict[str, Any]:
    with path.open("rb") as source, archive.open(name, "w", force_zip64=True) as member:
        sink = _Hashing(member)
        shutil.copyfileobj(source, sink, CHUNK)
    return {"sha256": sink.digest.hexdigest(), "size": sink.size}


def read_manifest(source: Path) -> tuple[zipfile.ZipFile, dict[str, Any]]:
    """Open a backup and check it whole: its format, its version, every member's checksum."""
    try:
        archive = zipfile.ZipFile(source)
    except FileNotFoundError:
        raise InputError(f"There is no file {source}.", "Check the path.") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(
            f"{source} is not an os1 backup ({exc}).", "Give a file made by `os1 backup`."
        ) from None
    if MANIFEST not in archive.namelist():
        archive.close()
        raise InputError(
            f"{source} is a zip file but not an os1 backup (it has no {MANIFEST}).",
            "Give a file made by `os1 backup`.",
        )
    try:
        manifest = json.loads(archive.read(MANIFEST))
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise ValueError("no os1 manifest")
        if int(manifest.get("version", 0)) > VERSION:
            raise InputError(
                f"{source} was made by a newer os1 (backup format {manifest['version']}).",
                "Upgrade os1 (`pip install -U os1`) to restore it.",
            )
        for name, expected in dict(manifest["members"]).items():
            _check_member(archive, source, name, expected)
    except InputError:
        archive.close()
        raise
    except (KeyError, ValueError, TypeError, zipfile.BadZipFile, OSError) as exc:
        archive.close()
        raise InputError(
            f"{source} is not a readable os1 backup ({exc}).",
            "It may be damaged; nothing was restored.",
        ) from None
    return archive, manifest


def _check_member(
    archive: zipfile.ZipFile, source: Path, name: str, expected: dict[str, Any]
) -> None:
    digest = hashlib.sha256()
    with archive.open(name) as member:
        while chunk := member.read(CHUNK):
            digest.update(chunk)
    if digest.hexdigest() != expected["sha256"]:
        raise InputError(
            f"{source} is damaged: {name} does not match its checksum.",
            "Restore from another copy; nothing was restored.",
        )


def _safe_name(name: str) -> PurePosixPath:
    """A file's place under the data folder; a name reaching outside it is refused."""
    relative = PurePosixPath(name.removeprefix("files/"))
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise InputError(f"The backup names a file outside the data folder: {name}.")
    return relative


def restore_backup(settings: Settings, paths: Paths, source: Path, report: Progress) -> Summary:
    """Bring a backup back into this home, which must be empty.

    The whole file is checked before anything is written; the database is
    filled in one transaction (all of it or nothing), then the files and the
    settings (only if this home has no config file of its own) are written.
    """
    archive, manifest = read_manifest(source)
    with archive:
        revision = manifest.get("schema")
        scripts = ScriptDirectory.from_config(alembic_config())
        try:
            known = revision is None or scripts.get_revision(revision) is not None
        except CommandError:
            known = False
        if not known:
            raise InputError(
                f"{source} was made by a newer os1 (schema revision {revision}).",
                "Upgrade os1 (`pip install -U os1`) to restore it.",
            )
        files = [name for name in manifest["members"] if name.startswith("files/")]
        for name in files:
            _safe_name(name)
        _refuse_if_not_empty(paths)
        engine = _open_engine(settings, paths)
        try:
            counts = _restore_rows(engine, archive, manifest, revision, report)
            migrate(engine)
        finally:
            engine.dispose()
        private_dir(paths.data_dir)
        for name in files:
            place = paths.data_dir / _safe_name(name)
            private_dir(place.parent)
            write_file(place, archive.read(name), named=False)
        if SETTINGS in manifest["members"] and not paths.config_file.exists():
            private_dir(paths.config_file.parent)
            write_file(paths.config_file, archive.read(SETTINGS), named=False)
    return Summary(counts, len(files))


def _refuse_if_not_empty(paths: Paths) -> None:
    """A home whose data folder holds the person's files is not restored over."""
    found = next(_person_files(paths.data_dir), None)
    if found is not None:
        raise InputError(
            f"This os1 home already holds files ({found[0]}); a restore only goes into an "
            "empty one.",
            "Restore into a new home (set OS1_HOME to an empty folder) or an empty database.",
        )


def _restore_rows(
    engine: Engine,
    archive: zipfile.ZipFile,
    manifest: dict[str, Any],
    revision: str | None,
    report: Callable[[str, int], None],
) -> dict[str, int]:
    """Make the schema at the backup's revision and fill it, in one transaction."""
    counts: dict[str, int] = {}
    config = alembic_config()
    with translate_errors(str(engine.url)), schema_transaction(engine) as conn:
        current = schema_revision(conn)
        if current is not None and not make_room(conn):
            raise InputError(
                "This os1 home's database already holds conversations or memories; a restore "
                "only goes into an empty one.",
                "Restore into a new home (set OS1_HOME to an empty folder) or an empty database.",
            )
        config.attributes["connection"] = conn
        command.upgrade(config, revision if current is None and revision else "head")
        names = [str(n) for n in manifest["tables"]]
        tables = target_tables(conn, names)
        for table in tables:
            member = f"tables/{table.name}.jsonl"
            if member not in manifest["members"]:
                continue
            with archive.open(member) as lines:
                counts[table.name] = put_rows(
                    conn, table, (json.loads(line) for line in lines if line.strip()), report
                )
        after_restore(conn, tables)
    return counts
