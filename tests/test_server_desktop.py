"""The desktop as a device: what is due pops up on the desktop of the person at it."""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from jeepney import HeaderFields, MessageType, new_method_return
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection

from os1.server.desktop import SERVICE, DesktopNotifier
from os1.store.initiatives import InitiativeStore
from serving import NOON, serving

DBUS = shutil.which("dbus-daemon")


class NotificationService:
    """A desktop's notification service on a real session bus: it keeps what it was shown."""

    def __init__(self, address: str) -> None:
        self.shown: list[tuple[str, str]] = []
        self.connection = open_dbus_connection(bus=address)
        self.connection.send_and_get_reply(message_bus.RequestName(SERVICE))
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                message = self.connection.receive()
            except (OSError, ValueError):
                return
            if message.header.message_type != MessageType.method_call:
                continue
            if message.header.fields.get(HeaderFields.member) == "Notify":
                _, _, _, title, body, *_ = message.body
                self.shown.append((title, body))
                self.connection.send(new_method_return(message, "u", (len(self.shown),)))


@pytest.fixture
def session_bus(tmp_path: Path) -> Iterator[str]:
    if DBUS is None:
        pytest.fail("dbus-daemon is missing: run `scripts/system-deps.sh --dev`")
    daemon = subprocess.Popen(
        [DBUS, "--session", "--nofork", "--nopidfile", "--print-address=1"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    assert daemon.stdout is not None
    address = daemon.stdout.readline().strip()
    try:
        yield address
    finally:
        daemon.terminate()
        daemon.wait(10)
        daemon.stdout.close()


def test_a_reminder_pops_up_on_the_desktop_of_its_person_only(home: Path, session_bus: str) -> None:
    desktop = NotificationService(session_bus)
    with serving(home) as server:
        server.app.state.scheduler.desktop = DesktopNotifier("ana", session_bus)
        ids = {a.name: a.id for a in server.accounts.accounts()}
        store = InitiativeStore(server.companion.journal.engine)
        due = NOON + timedelta(minutes=5)
        store.schedule(ids["ana"], "reminder", "tea", "Put the kettle on.", due, NOON)
        store.schedule(ids["ben"], "reminder", "pills", "Ben's private reminder.", due, NOON)
        server.clock.set(due)
        assert server.call(server.app.state.scheduler.tick) == 1, "no browser is open"
        assert desktop.shown == [("os1", "Put the kettle on.")]
        assert server.call(server.app.state.scheduler.tick) == 0, "said once"
        assert desktop.shown == [("os1", "Put the kettle on.")]
    desktop.connection.close()


async def test_without_a_desktop_nothing_is_shown_and_nothing_fails() -> None:
    assert not DesktopNotifier("ana", "").present
    assert await DesktopNotifier("ana", "").notify("os1", "hello") is False
    gone = DesktopNotifier("ana", "unix:path=/nonexistent/bus")
    assert await gone.notify("os1", "hello") is False
