"""A real Radicale CalDAV/CardDAV server for tests: a free port, a temp folder, htpasswd logins."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

USER, PASSWORD = "ana", "correct horse"
ADDRESSBOOK = (
    '<?xml version="1.0"?><D:mkcol xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">'
    "<D:set><D:prop><D:resourcetype><D:collection/><C:addressbook/></D:resourcetype>"
    "</D:prop></D:set></D:mkcol>"
)
CALENDAR = (
    '<?xml version="1.0"?><C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
    "<D:set><D:prop><D:displayname>{name}</D:displayname></D:prop></D:set></C:mkcalendar>"
)


@dataclass(frozen=True)
class Dav:
    """A running server: its root address and the login that works."""

    root: str
    user: str
    password: str

    def make_calendar(self, name: str) -> str:
        url = f"{self.root}{self.user}/{name}/"
        body = CALENDAR.format(name=name)
        self._request("MKCALENDAR", url, body)
        return url

    def make_addressbook(self, name: str) -> str:
        url = f"{self.root}{self.user}/{name}/"
        self._request("MKCOL", url, ADDRESSBOOK)
        return url

    def put(self, url: str, body: str, content_type: str) -> None:
        response = httpx.put(
            url, content=body.encode(), auth=(self.user, self.password),
            headers={"Content-Type": content_type},
        )  # fmt: skip
        assert response.status_code in (200, 201, 204), response.text

    def _request(self, method: str, url: str, body: str) -> None:
        response = httpx.request(
            method, url, content=body.encode(), auth=(self.user, self.password),
            headers={"Content-Type": "application/xml"},
        )  # fmt: skip
        assert response.status_code in (200, 201), (method, response.status_code, response.text)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def radicale(folder: Path) -> Iterator[Dav]:
    """Start Radicale on localhost with one user; stop it (by its own pid) afterwards."""
    folder.mkdir(parents=True, exist_ok=True)
    users = folder / "users"
    users.write_text(f"{USER}:{PASSWORD}\n", encoding="utf-8")
    port = _free_port()
    log = (folder / "radicale.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable, "-m", "radicale",
            "--server-hosts", f"127.0.0.1:{port}",
            "--storage-filesystem-folder", str(folder / "collections"),
            "--auth-type", "htpasswd",
            "--auth-htpasswd-filename", str(users),
            "--auth-htpasswd-encryption", "plain",
            "--auth-delay", "0",
            "--logging-level", "warning",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    root = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(root, timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        (folder / "radicale.log").read_text(errors="replace")
                    ) from None
                time.sleep(0.1)
        yield Dav(root, USER, PASSWORD)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
