"""A server over a scripted companion with a fixed clock, for the server and browser tests."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from os1.app import build
from os1.clock import FixedClock
from os1.companion import Companion
from os1.companion.persona import PersonaCard
from os1.config import load_settings
from os1.server import create_app
from os1.server.auth import hash_password
from os1.store.accounts import AccountStore
from os1.store.letters import LetterStore, Version
from os1.store.personas import PersonaStore

NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
PASSWORDS = {"ana": "ana-secret-1", "ben": "ben-secret-2"}


@dataclass
class Served:
    """The running app (through one client), the companion under it, its clock and accounts."""

    app: FastAPI
    companion: Companion
    clock: FixedClock
    accounts: AccountStore
    http: TestClient

    def sign_in(self, name: str) -> dict[str, str]:
        """Sign ``name`` in; the headers that carry their session cookie on later requests."""
        answer = self.http.post("/api/session", json={"user": name, "password": PASSWORDS[name]})
        assert answer.status_code == 200, answer.text
        token = answer.cookies["os1_session"]
        self.http.cookies.clear()
        return {"cookie": f"os1_session={token}"}

    def call(self, work: Any) -> Any:
        """Run a coroutine function on the app's own loop (where the hub and sockets live)."""
        assert self.http.portal is not None
        return self.http.portal.call(work)

    def settle(self) -> None:
        """Wait until the turns in flight are committed."""
        self.call(self.app.state.hub.drain)


@contextmanager
def serving(
    home: Path,
    *,
    database_url: str = "",
    delay_s: float = 0.0,
    model: str | None = None,
    every_s: float = 3600.0,
    lifespan: bool = True,
    **settings: Any,
) -> Iterator[Served]:
    """Run a server for ana and ben; replies echo the message unless ``model`` says otherwise.

    With ``lifespan`` off the test client does not start the app (its hub, scheduler and
    sockets), so ``listening`` can run it over real HTTP instead; requests still work.
    """
    home.mkdir(parents=True, exist_ok=True)
    if model is None:
        script = home / "script.json"
        script.write_text(json.dumps({"replies": [], "delay_s": delay_s}), encoding="utf-8")
        model = f"scripted:{script}"
    config = load_settings(model=model, database_url=database_url, **settings)
    clock = FixedClock(NOON)
    companion = build(config, clock=clock)
    app = create_app(config, companion, clock=clock, scheduler_every_s=every_s, owns_companion=True)
    accounts = AccountStore(companion.journal.engine)
    for name, password in PASSWORDS.items():
        accounts.set_password(name, hash_password(password), NOON)
    if lifespan:
        with TestClient(app) as http:
            yield Served(app, companion, clock, accounts, http)
        return
    http = TestClient(app)
    try:
        yield Served(app, companion, clock, accounts, http)
    finally:
        http.close()
        companion.journal.close()


def frames_until(ws: Any, kind: str, limit: int = 500) -> list[dict[str, Any]]:
    """Read frames until an event of ``kind`` (or a frame of that type) arrives."""
    seen: list[dict[str, Any]] = []
    for _ in range(limit):
        frame = ws.receive_json()
        seen.append(frame)
        if frame["type"] == kind or (frame["type"] == "event" and frame["event"]["type"] == kind):
            return seen
    raise AssertionError(f"no {kind} in {seen}")


@contextmanager
def listening(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` over real HTTP on a free loopback port (uvicorn in a thread); yield its URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the server did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)


def write_letter(engine: Any, user_id: int, text: str) -> int:
    """File a letter from Harold to Ruth with one version, for the pages that show letters."""
    store = LetterStore(engine)
    client = store.add_client(user_id, "Harold", NOON, signs_as="Hal")
    ruth = store.add_recipient(user_id, client.id, "Ruth", NOON, relationship="wife")
    first = Version(1, text, "", ("[the lake house]",), NOON)
    return store.new_letter(user_id, client.id, ruth.id, "fiftieth anniversary", first).id


def give_persona(engine: Any, user_id: int) -> None:
    """A persona as the setup interview would leave it, without asking a model."""
    card = PersonaCard(
        name="Juniper",
        name_reason="it sounded like a walk in the hills",
        temperament="warm and curious",
        voice="plainly, with a little humour",
        interests=("gardening", "old maps"),
    )
    PersonaStore(engine).add(
        user_id, card.model_dump(mode="json"), "setup", "the setup interview", NOON, "We met."
    )
