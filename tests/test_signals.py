"""SIGTERM and SIGHUP end a reply like Ctrl-C; after SIGKILL the next start keeps the turn."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests.conftest import run_os1, write_script

from os1.llm.sockets import clear_stale_socket_dirs, make_socket_dir
from os1.store import Journal

REPLY = " ".join(f"w{n}" for n in range(60))


def _start_reply(model: str, message: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """Start `os1 say --json` and return once the first words of the reply are shown."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "os1", "say", "--json", message],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **env, "OS1_MODEL": model},
    )
    assert proc.stdout is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        if json.loads(line).get("type") == "token_delta":
            return proc
    proc.kill()
    pytest.fail(f"no reply started: {proc.communicate()[1].decode()}")


def _last_turn(env: dict[str, str]) -> dict[str, object]:
    shown = run_os1("history", "--json", env=env)
    assert shown.code == 0, shown.stderr
    turns: list[dict[str, object]] = json.loads(shown.stdout)["turns"]
    return turns[-1]


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_keep_the_partial_reply_as_interrupted(
    tmp_path: Path, number: signal.Signals
) -> None:
    model = write_script(tmp_path / "s.json", [REPLY], delay_s=0.05)
    proc = _start_reply(model, "tell me a long story", {})
    proc.send_signal(number)
    proc.communicate(timeout=60)
    assert proc.returncode == 128 + number
    turn = _last_turn({})
    assert turn["user_text"] == "tell me a long story"
    assert turn["interrupted"] is True
    assert str(turn["reply"]).startswith("w0")
    assert REPLY.startswith(str(turn["reply"]))
    assert turn["reply"] != REPLY


def test_after_sigkill_the_next_start_shows_the_message_and_the_reply_interrupted(
    tmp_path: Path, database_url: str
) -> None:
    env = {"OS1_DATABASE_URL": database_url}
    model = write_script(tmp_path / "s.json", [REPLY], delay_s=0.05)
    proc = _start_reply(model, "remember this message", env)
    time.sleep(1.5)  # the words shown are kept about once a second
    proc.kill()
    proc.communicate(timeout=60)
    turn = _last_turn(env)
    assert turn["user_text"] == "remember this message"
    assert turn["interrupted"] is True
    assert str(turn["reply"]).startswith("w0")
    assert REPLY.startswith(str(turn["reply"]))


def test_an_open_turn_of_a_living_process_is_left_alone(tmp_path: Path) -> None:
    journal = Journal.open("", tmp_path / "os1.db")
    try:
        now = datetime.now(UTC)
        user = journal.user_id("me", now)
        conversation = journal.new_conversation(user, now)
        journal.open_turn(
            user, conversation, user_text="still talking", model="m", remember=False, started_at=now
        )
        assert journal.recover_open_turns(now) == 0
        assert journal.turns(user, conversation) == []
        with journal.engine.begin() as conn:
            conn.exec_driver_sql(f"UPDATE open_turns SET owner = owner || '{10**12}'")
        assert journal.recover_open_turns(now) == 1
        [turn] = journal.turns(user, conversation)
        assert (turn.user_text, turn.interrupted) == ("still talking", True)
    finally:
        journal.close()


def test_socket_folders_of_ended_processes_are_removed(tmp_path: Path) -> None:
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, check=True
    )
    dead = tmp_path / f"os1-llm-{int(ended.stdout)}-abc"
    dead.mkdir()
    (dead / "llm.sock").write_text("")
    alive = tmp_path / f"os1-llm-{os.getppid()}-def"
    alive.mkdir()
    old_and_left = tmp_path / "os1-llm-abcd1234"
    old_and_running = tmp_path / "os1-llm-efgh5678"
    unbound = tmp_path / "os1-llm-ijkl9012"
    for folder in (old_and_left, old_and_running, unbound):
        folder.mkdir()
    with socket.socket(socket.AF_UNIX) as gone:
        gone.bind(str(old_and_left / "llm.sock"))
    with socket.socket(socket.AF_UNIX) as running:
        running.bind(str(old_and_running / "llm.sock"))
        running.listen()
        assert clear_stale_socket_dirs(tmp_path) == 2
    assert not dead.exists()
    assert not old_and_left.exists()
    assert alive.exists()
    assert old_and_running.exists()
    assert unbound.exists()  # a model may still be loading behind it
    mine = Path(make_socket_dir())
    try:
        assert mine.name.startswith(f"os1-llm-{os.getpid()}-")
        assert clear_stale_socket_dirs(mine.parent) >= 0
        assert mine.exists()
    finally:
        mine.rmdir()


def test_sigterm_in_chat_keeps_the_partial_reply_and_leaves(tmp_path: Path) -> None:
    model = write_script(tmp_path / "s.json", [REPLY], delay_s=0.05)
    proc = subprocess.Popen(
        [sys.executable, "-m", "os1", "chat"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "OS1_MODEL": model},
    )
    assert proc.stdin is not None
    assert proc.stdout is not None
    proc.stdin.write(b"tell me a long story\n")
    proc.stdin.flush()
    seen = b""
    deadline = time.monotonic() + 60
    while b"w1" not in seen and time.monotonic() < deadline:
        piece = proc.stdout.read1(1024)
        if not piece:
            break
        seen += piece
    assert b"w1" in seen, seen
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM
    turn = _last_turn({})
    assert turn["user_text"] == "tell me a long story"
    assert turn["interrupted"] is True
    assert str(turn["reply"]).startswith("w0")
    assert turn["reply"] != REPLY
