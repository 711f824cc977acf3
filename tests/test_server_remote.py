"""``os1 chat --server URL``: the terminal as a paired device of a person on an os1 server."""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path

from conftest import run_os1
from os1.server.auth import Auth
from serving import listening, serving


def test_the_terminal_pairs_once_then_talks_through_the_server(home: Path) -> None:
    with serving(home, lifespan=False) as served, listening(served.app) as url:
        unpaired = run_os1("chat", "--server", url, stdin="hello\n")
        assert unpaired.code != 0
        assert "--pair" in unpaired.stderr
        auth: Auth = served.app.state.auth
        user_id = served.accounts.password_hash("ana")
        assert user_id is not None
        code, _ = asyncio.run(auth.pairing_code(user_id[0]))

        first = run_os1("chat", "--server", url, "--pair", code, stdin="My boat is called Wren.\n")
        assert first.code == 0, first.stderr
        assert "signed in as ana" in first.stdout
        assert "You said: My boat is called Wren." in first.stdout
        keys = home / "data" / "servers.json"
        assert stat.S_IMODE(keys.stat().st_mode) == 0o600
        assert code not in keys.read_text()

        again = run_os1("chat", "--server", url, stdin="And she is green.\n/quit\n")
        assert again.code == 0, again.stderr
        assert "You said: And she is green." in again.stdout

        ana = served.sign_in("ana")
        conversation = served.http.get("/api/conversations", headers=ana).json()[0]["id"]
        turns = served.http.get(f"/api/conversations/{conversation}", headers=ana).json()
        assert [t["user_text"] for t in turns] == ["My boat is called Wren.", "And she is green."]
        device = served.http.get("/api/devices", headers=ana).json()[0]
        assert device["name"].startswith("os1 chat on ")

        served.http.delete(f"/api/devices/{device['id']}", headers=ana)
        revoked = run_os1("chat", "--server", url, stdin="Still there?\n")
        assert revoked.code != 0
        assert "pair again" in revoked.stderr
