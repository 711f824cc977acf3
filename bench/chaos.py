"""Chaos: many os1 processes at once, killed at random, and nothing lost or doubled.

For a fixed time on SQLite, then on a fresh Postgres database it creates and
drops, several workers run `os1 say --json` back to back in one fresh home
(the scripted model, with its reply streamed slowly and the real memory
extraction after it), while another runs `os1 memory catch-up`,
`os1 memory import -` and `os1 backup`. A shooter fires SIGKILL, SIGTERM and
SIGHUP at random running processes, whatever they are doing: starting on a
fresh schema, replying, extracting, importing, backing up.

The bench keeps its own log: a message counts as accepted once its process
printed `turn_started` (os1 keeps the message from that moment). Afterwards
(one `os1 history` first, which commits what killed processes left open) it
checks that every accepted message is in the store, that no memory is active
twice for the person (same content, whatever the case or punctuation), that
the database is sound (SQLite `PRAGMA integrity_check` and
`foreign_key_check`; on both stores, no row whose parent is missing), and that
the last backup written mid-storm restores into a new home and holds the rows
its manifest lists. The baseline is the same storm's own log: what was
accepted. Last line: `accepted=<n> lost=<n> duplicated=<n> integrity=<ok|bad>
restore=<ok|bad>` (targets: lost 0, duplicated 0, integrity ok, restore ok).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError

from os1.store.memories import content_key
from os1.store.schema import metadata

POSTGRES_ADMIN = os.environ.get(
    "OS1_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)
FACTS = [
    ("My sister Ana lives in Porto.", "person", "Ana", "home", "Ana lives in Porto."),
    ("My friend Bo plays the cello.", "person", "Bo", "hobby", "Bo plays the cello."),
    ("I love green tea in the morning.", "preference", "the user", "drink", "Loves green tea."),
    ("My dog Rex is afraid of thunder.", "person", "Rex", "fear", "Rex fears thunder."),
]
"""What each message says, and the memory the scripted extraction finds in it."""
REPLY = " ".join(["That", "sounds", "lovely,", "tell", "me", "more", "about", "it."] * 3)
SIGNALS = (signal.SIGKILL, signal.SIGTERM, signal.SIGHUP)


@dataclass
class Storm:
    """What one store's storm did, as the bench itself saw it."""

    accepted: set[str] = field(default_factory=set)
    started: int = 0
    signalled: dict[str, int] = field(default_factory=dict)
    backups: list[Path] = field(default_factory=list)
    running: dict[int, tuple[subprocess.Popen[bytes], str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def scripts(folder: Path) -> list[str]:
    """One scripted-model file per fact: the reply, then the extraction's JSON."""
    models = []
    for n, (_, kind, about, aspect, content) in enumerate(FACTS):
        memory = {"kind": kind, "about": about, "aspect": aspect, "content": content}
        extraction = {"memories": [{**memory, "when": "", "importance": 4}]}
        path = folder / f"script-{n}.json"
        path.write_text(json.dumps({"replies": [REPLY, json.dumps(extraction)], "delay_s": 0.03}))
        models.append(f"scripted:{path}")
    return models


def export_file(folder: Path) -> Path:
    """A memory export holding two of the facts (as another device might have made)."""
    at = "2026-11-29T12:00:00+00:00"
    memories = [
        {
            "id": n + 1, "kind": kind, "about": about, "aspect": aspect, "content": content,
            "importance": 4, "confidence": 0.8, "happens_on": None, "source": "conversation",
            "source_turn_id": None, "derived_from": [], "created_at": at, "updated_at": at,
            "superseded_by": None, "superseded_at": None,
        }
        for n, (_, kind, about, aspect, content) in enumerate(FACTS[:2])
    ]  # fmt: skip
    path = folder / "export.json"
    export = {"format": "os1-memory-export", "version": 1, "exported_at": at, "memories": memories}
    path.write_text(json.dumps(export))
    return path


def launch(
    storm: Storm, env: dict[str, str], kind: str, *args: str, stdin: Path | None = None
) -> subprocess.Popen[bytes]:
    """Start an os1 process the shooter may hit."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "os1", *args],
        stdin=stdin.open("rb") if stdin else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    with storm.lock:
        storm.running[proc.pid] = (proc, kind)
        storm.started += 1
    return proc


def finish(storm: Storm, proc: subprocess.Popen[bytes]) -> int:
    code = proc.wait()
    with storm.lock:
        storm.running.pop(proc.pid, None)
    if proc.stdout:
        proc.stdout.close()
    if proc.stdin:
        proc.stdin.close()
    return code


def talker(storm: Storm, env: dict[str, str], models: list[str], until: float, worker: int) -> None:
    """`os1 say` back to back; a message is accepted once its `turn_started` is printed."""
    rng = random.Random(worker)
    count = 0
    while time.monotonic() < until:
        count += 1
        fact = rng.randrange(len(FACTS))
        message = f"{FACTS[fact][0]} (w{worker}-{count})"
        proc = launch(storm, {**env, "OS1_MODEL": models[fact]}, "say", "say", "--json", message)
        assert proc.stdout is not None
        for line in proc.stdout:
            if b'"turn_started"' in line:
                with storm.lock:
                    storm.accepted.add(message)
        finish(storm, proc)


def chores(storm: Storm, env: dict[str, str], folder: Path, until: float) -> None:
    """Extraction catch-up, imports of one export, and backups, in turn."""
    export = export_file(folder)
    count = 0
    while time.monotonic() < until:
        count += 1
        work = count % 3
        if work == 0:
            proc = launch(storm, env, "catch-up", "memory", "catch-up")
            finish(storm, proc)
        elif work == 1:
            proc = launch(storm, env, "import", "memory", "import", "-", stdin=export)
            finish(storm, proc)
        else:
            target = folder / f"backup-{count}.os1"
            spared = count % 9 == 2  # some backups must finish for the restore check
            proc = launch(storm, env, "spared" if spared else "backup", "backup", str(target))
            if finish(storm, proc) == 0:
                storm.backups.append(target)
        time.sleep(0.5)


def shooter(storm: Storm, until: float, seed: int) -> None:
    """Fire a random ending signal at a random running process, every two seconds or so."""
    rng = random.Random(seed)
    while time.monotonic() < until:
        time.sleep(rng.uniform(1.0, 3.0))
        with storm.lock:
            if not storm.running:
                continue
            targets = [(p, k) for p, k in storm.running.values() if k != "spared"]
            if not targets:
                continue
            proc, kind = rng.choice(targets)
        number = rng.choice(SIGNALS)
        try:
            proc.send_signal(number)
        except ProcessLookupError:
            continue
        name = f"{signal.Signals(number).name} {kind}"
        with storm.lock:
            storm.signalled[name] = storm.signalled.get(name, 0) + 1


def orphans(conn: object) -> int:
    """Rows whose parent row is missing, over every foreign key of the schema."""
    missing = 0
    for table in metadata.sorted_tables:
        for fk in table.foreign_keys:
            child, parent = fk.parent, fk.column
            missing += int(
                conn.execute(  # type: ignore[attr-defined]
                    text(
                        f"SELECT count(*) FROM {table.name} c LEFT JOIN {parent.table.name} p "
                        f"ON c.{child.name} = p.{parent.name} "
                        f"WHERE c.{child.name} IS NOT NULL AND p.{parent.name} IS NULL"
                    )
                ).scalar_one()
            )
    return missing


def check(url: str, storm: Storm) -> tuple[int, int, bool]:
    """Lost messages, duplicated memories, and whether the database is sound."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            said = {r[0] for r in conn.execute(text("SELECT user_text FROM turns"))}
            left_open = conn.execute(text("SELECT count(*) FROM open_turns")).scalar_one()
            active = conn.execute(
                text("SELECT user_id, content FROM memories WHERE superseded_by IS NULL")
            ).all()
            sound = orphans(conn) == 0 and left_open == 0
            if engine.dialect.name == "sqlite":
                sound = sound and conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
                sound = sound and not conn.execute(text("PRAGMA foreign_key_check")).all()
    finally:
        engine.dispose()
    keys = [(user, content_key(content)) for user, content in active]
    duplicated = len(keys) - len(set(keys))
    return len(storm.accepted - said), duplicated, sound


def restores(storm: Storm, env: dict[str, str], folder: Path, url: str | None) -> bool:
    """Whether the last backup made mid-storm restores into a new home with all its rows."""
    if not storm.backups:
        print("  no backup finished mid-storm", flush=True)
        return False
    last = storm.backups[-1]
    home = folder / "restored"
    restored_env = {**env, "OS1_HOME": str(home), "OS1_DATABASE_URL": url or ""}
    done = subprocess.run(
        [sys.executable, "-m", "os1", "restore", str(last)], env=restored_env, capture_output=True
    )
    if done.returncode != 0:
        print(f"  restore failed: {done.stderr.decode()[-300:]}", flush=True)
        return False
    with zipfile.ZipFile(last) as archive:
        expected = json.loads(archive.read("manifest.json"))["tables"]
    engine = create_engine(
        url.replace("postgresql://", "postgresql+psycopg://")
        if url
        else f"sqlite:///{home}/data/os1.db"
    )
    try:
        with engine.connect() as conn:
            held = {
                name: conn.execute(text(f"SELECT count(*) FROM {name}")).scalar_one()
                for name in expected
            }
    finally:
        engine.dispose()
    return held == expected


@contextmanager
def database(kind: str) -> Iterator[str | None]:
    """'' for SQLite in the home, or a fresh Postgres database dropped afterwards."""
    if kind == "sqlite":
        yield None
        return
    name = f"os1_chaos_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{POSTGRES_ADMIN.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def storm_on(
    kind: str, seconds: float, workers: int, seed: int
) -> tuple[int, int, int, bool, bool]:
    """One store's storm and its checks: (accepted, lost, duplicated, sound, restored)."""
    with tempfile.TemporaryDirectory(prefix=f"os1-chaos-{kind}-") as scratch, database(kind) as url:
        folder = Path(scratch)
        models = scripts(folder)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("OS1_")},
            "OS1_HOME": str(folder / "home"),
            "OS1_MODELS_DIR": str(folder / "models"),
            "OS1_EMBEDDER": "hashing",
            "OS1_INTERVIEW": "false",
            "OS1_DATABASE_URL": url or "",
        }
        storm = Storm()
        until = time.monotonic() + seconds
        threads = [
            threading.Thread(target=talker, args=(storm, env, models, until, n))
            for n in range(workers)
        ]
        threads.append(threading.Thread(target=chores, args=(storm, env, folder, until)))
        threads.append(threading.Thread(target=shooter, args=(storm, until, seed)))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        settle = subprocess.run(
            [sys.executable, "-m", "os1", "history", "--list"], env=env, capture_output=True
        )
        if settle.returncode != 0:
            print(f"  os1 history failed after the storm: {settle.stderr.decode()[-300:]}")
        store_url = (url or f"sqlite:///{folder}/home/data/os1.db").replace(
            "postgresql://", "postgresql+psycopg://"
        )
        try:
            lost, duplicated, sound = check(store_url, storm)
        except SQLAlchemyError as exc:
            print(f"  the store cannot be read after the storm: {exc}", flush=True)
            lost, duplicated, sound = len(storm.accepted), 0, False
        with database(kind) as fresh:
            restored = restores(storm, env, folder, fresh)
        shots = ", ".join(f"{n} {name}" for name, n in sorted(storm.signalled.items()))
        print(
            f"{kind}: {storm.started} processes, {len(storm.accepted)} messages accepted, "
            f"{len(storm.backups)} backups finished; signals: {shots or 'none'}",
            flush=True,
        )
        print(
            f"{kind}: lost={lost} duplicated={duplicated} "
            f"integrity={'ok' if sound else 'bad'} restore={'ok' if restored else 'bad'}",
            flush=True,
        )
        return len(storm.accepted), lost, duplicated, sound, restored


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--minutes", type=float, default=2.0, help="how long each store's storm lasts"
    )
    parser.add_argument("--workers", type=int, default=3, help="`os1 say` processes at once")
    parser.add_argument("--stores", default="sqlite,postgres", help="which stores, in order")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    totals = [0, 0, 0]
    sound = restored = True
    for kind in args.stores.split(","):
        accepted, lost, duplicated, ok, back = storm_on(
            kind, args.minutes * 60, args.workers, args.seed
        )
        totals = [totals[0] + accepted, totals[1] + lost, totals[2] + duplicated]
        sound, restored = sound and ok, restored and back
    print(
        f"accepted={totals[0]} lost={totals[1]} duplicated={totals[2]} "
        f"integrity={'ok' if sound else 'bad'} restore={'ok' if restored else 'bad'}"
    )


if __name__ == "__main__":
    main()
