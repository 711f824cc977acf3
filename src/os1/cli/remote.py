"""``os1 chat --server URL``: the terminal as one more device of a person on an os1 server.

The first time, the terminal is paired with a one-time code (``--pair CODE``
or asked for), and the device key it gets is kept in ``servers.json`` in the
data directory (0600), one per server. Then it speaks ``os1.v1`` over the
server's WebSocket: what is typed here streams on the person's other devices,
and what they type there streams here.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import sys
import threading
from pathlib import Path
from typing import Any

import httpx

from os1.cli.conversation import _render
from os1.cli.runtime import err, out
from os1.config import resolve_paths
from os1.errors import ConfigError, InputError
from os1.events import parse_event
from os1.files import write_file
from os1.private import private_dir
from os1.terminal import TerminalStream, escaped


def _keys_file() -> Path:
    return resolve_paths().data_dir / "servers.json"


def _saved_keys() -> dict[str, str]:
    path = _keys_file()
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"Cannot read {path} ({exc}).", "Delete it and pair again.") from exc
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _save_key(url: str, key: str) -> None:
    """Keep the device key, readable by this user only, written whole or not at all."""
    keys = {**_saved_keys(), url: key}
    path = _keys_file()
    private_dir(path.parent)
    write_file(path, json.dumps(keys).encode("utf-8"), named=False)


def device_key(url: str, code: str | None) -> str:
    """The saved key for this server, or a new one from pairing with a one-time code."""
    if code is None:
        saved = _saved_keys().get(url)
        if saved:
            return saved
        if not sys.stdin.isatty():
            raise InputError(
                f"This terminal is not paired with {url} yet.",
                "Pass --pair CODE with a code from `os1 device pair` or the web app.",
            )
        code = out.input("Pairing code (from `os1 device pair` or the web app): ")
    try:
        answer = httpx.post(
            f"{url}/api/devices",
            json={"code": code.strip(), "name": f"os1 chat on {socket.gethostname()}"[:200]},
            timeout=30,
        )
    except httpx.HTTPError as exc:
        raise ConfigError(f"Cannot reach {url} ({exc}).", "Check the address.") from exc
    if answer.status_code != 200:
        detail = answer.json().get("detail", answer.text) if answer.content else answer.text
        raise InputError(f"Pairing failed: {detail}", "Ask for a new code and try again.")
    key = str(answer.json()["key"])
    _save_key(url, key)
    return key


class RemoteChat:
    """Lines typed here go to the server; every event of the person's is shown here."""

    def __init__(self, url: str, key: str, conversation: int | None, new: bool) -> None:
        self.url = url
        self.key = key
        self.conversation = conversation
        self.new = new
        self.mine = False
        self.done = asyncio.Event()
        self.screen = TerminalStream()

    def _show(self, frame: dict[str, Any]) -> None:
        if frame.get("type") == "error":
            err.print(f"[bold red]error:[/] {escaped(str(frame.get('message')))}")
            self.done.set()
            return
        if frame.get("type") != "event":
            return
        event = parse_event(json.dumps(frame["event"]))
        if event.type == "turn_started":
            self.conversation = frame.get("conversation") or self.conversation
            if not self.mine:
                out.print(f"\n[bold cyan]you (another device)[/] > {escaped(event.user_text)}")
            out.print("[bold magenta]os1[/] > ", end="")
            self.screen = TerminalStream()
            return
        _render(event, False, self.screen)
        if event.type == "turn_committed":
            self.mine = False
            self.done.set()

    async def _listen(self, ws: Any) -> None:
        async for message in ws:
            self._show(json.loads(message))

    async def _line(self) -> str | None:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[str | None] = loop.create_future()

        def reader() -> None:
            try:
                line: str | None = out.input("[bold cyan]you[/] > ")
            except (EOFError, KeyboardInterrupt, OSError):
                line = None
            loop.call_soon_threadsafe(lambda: None if future.done() else future.set_result(line))

        threading.Thread(target=reader, daemon=True).start()
        return await future

    async def talk(self) -> None:
        """Connect, then send each line and wait for its turn to be committed."""
        from websockets.asyncio.client import connect
        from websockets.exceptions import InvalidStatus

        address = "ws" + self.url.removeprefix("http") + "/ws"
        try:
            ws = await connect(
                address,
                subprotocols=["os1.v1"],  # type: ignore[list-item]
                additional_headers={"Authorization": f"Bearer {self.key}"},
            )
        except InvalidStatus as exc:
            raise InputError(
                f"{self.url} refused this terminal ({exc.response.status_code}).",
                "It may have been revoked: pair again with --pair CODE.",
            ) from None
        except OSError as exc:
            raise ConfigError(f"Cannot reach {self.url} ({exc}).", "Check the address.") from None
        async with ws:
            hello = json.loads(await ws.recv())
            self.conversation = self.conversation or hello.get("conversation")
            out.print(
                f"[dim]{escaped(self.url)} · signed in as {escaped(hello['user'])} · /quit[/]"
            )
            listener = asyncio.create_task(self._listen(ws))
            try:
                while (line := await self._line()) is not None:
                    text = line.strip()
                    if text.lower() in {"/quit", "/exit", "/q"}:
                        break
                    if text.lower() == "/new":
                        self.new = True
                        continue
                    if not text:
                        continue
                    self.done.clear()
                    self.mine = True
                    await ws.send(
                        json.dumps(
                            {
                                "type": "message",
                                "text": text,
                                "conversation": None if self.new else self.conversation,
                                "new": self.new,
                            }
                        )
                    )
                    self.new = False
                    await self.done.wait()
            finally:
                listener.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await listener


def remote_chat(url: str, code: str | None, conversation: int | None, new: bool) -> None:
    """Pair if needed, then talk with the server at ``url`` until /quit or end of input."""
    url = url.rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise ConfigError(f"{url} is not an http(s) address.", "Use http://HOST:PORT.")
    key = device_key(url, code)
    asyncio.run(RemoteChat(url, key, conversation, new).talk())
