"""SIGKILL at any moment never loses a turn reported committed, nor corrupts the database."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests.conftest import write_script

ROUNDS = 24


def _kill_during_say(model: str, after_s: float, env: dict[str, str]) -> set[int]:
    """Run `os1 say --json`, SIGKILL it after a while, return the turn ids it reported."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "os1", "say", "--json", f"message at {after_s:.3f}"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **env, "OS1_MODEL": model},
    )
    time.sleep(after_s)
    proc.send_signal(signal.SIGKILL)
    out, _ = proc.communicate(timeout=30)
    committed = set()
    for line in out.decode("utf-8", "replace").splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue  # the kill may cut the last line
        if event.get("type") == "turn_committed":
            committed.add(int(event["turn_id"]))
    return committed


@pytest.mark.parametrize("seed", [7])
def test_sigkill_never_loses_a_committed_turn(tmp_path: Path, home: Path, seed: int) -> None:
    rng = random.Random(seed)
    model = write_script(tmp_path / "s.json", ["a b c d e f g h"], delay_s=0.01)
    started = time.perf_counter()  # one whole run sets the window, however loaded the machine
    subprocess.run(
        [sys.executable, "-m", "os1", "say", "--json", "--no-remember", "first"],
        capture_output=True,
        env={**os.environ, "OS1_MODEL": model},
        check=True,
    )
    whole = time.perf_counter() - started
    reported: set[int] = set()
    for _ in range(ROUNDS):
        reported |= _kill_during_say(model, rng.uniform(0.1 * whole, 1.3 * whole), {})
    database = home / "data" / "os1.db"
    with sqlite3.connect(database) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        stored = {row[0] for row in conn.execute("SELECT id FROM turns")}
        replies = set(conn.execute("SELECT reply, interrupted FROM turns"))
        (left_open,) = conn.execute("SELECT count(*) FROM open_turns").fetchone()
    assert reported, "no run got far enough to commit; the kill window is too short"
    assert reported <= stored
    # a run killed mid-reply is kept by the next start, as interrupted, with the words so far
    assert {reply for reply, interrupted in replies if not interrupted} <= {"a b c d e f g h"}
    assert all("a b c d e f g h".startswith(reply) for reply, _ in replies)
    after = subprocess.run(
        [sys.executable, "-m", "os1", "history", "--json"],
        capture_output=True,
        env={**os.environ, "OS1_MODEL": model},
        check=True,
    )
    assert len(json.loads(after.stdout)["turns"]) == len(stored) + left_open
