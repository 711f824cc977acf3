"""The desktop as one of the local person's devices: what comes due pops up there.

When ``os1 serve`` runs inside a desktop session (a D-Bus session bus, as
on a Linux desktop), reminders, follow-ups and check-ins of the person at
that desktop (the ``user`` setting) are shown as desktop notifications
through the freedesktop ``org.freedesktop.Notifications`` service the moment
they are due, with no browser open. Other people's never are: the screen
belongs to one person. Elsewhere (a headless server, macOS, Windows) this
does nothing and says so once in the log; the web app's own notifications
still work there.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any

log = logging.getLogger(__name__)

SERVICE = "org.freedesktop.Notifications"
SHOWN_MS = 10_000
"""How long a notification stays up, where the desktop lets the sender choose."""


class DesktopNotifier:
    """Shows a notification on the session's desktop; quiet where there is none."""

    def __init__(self, person: str, address: str | None = None) -> None:
        self.person = person
        self._address = (
            address if address is not None else os.environ.get("DBUS_SESSION_BUS_ADDRESS", "")
        )
        self._said_missing = False

    @property
    def present(self) -> bool:
        """Whether there is a desktop session to show notifications in."""
        return bool(self._address)

    async def notify(self, title: str, body: str) -> bool:
        """Show ``title`` and ``body``; False (logged once) when no desktop can show it."""
        if not self.present:
            return False
        try:
            await asyncio.to_thread(self._send, title, body)
        except Exception as exc:  # no notification service, a bus gone: never the turn's failure
            if not self._said_missing:
                log.info("desktop notifications are not available here: %s", exc)
                self._said_missing = True
            return False
        return True

    def _send(self, title: str, body: str) -> None:
        from jeepney import DBusAddress, new_method_call
        from jeepney.io.blocking import open_dbus_connection

        target = DBusAddress("/org/freedesktop/Notifications", bus_name=SERVICE, interface=SERVICE)
        hints: dict[str, Any] = {}
        call = new_method_call(
            target,
            "Notify",
            "susssasa{sv}i",
            ("os1", 0, "", title, body, [], hints, SHOWN_MS),
        )
        with open_dbus_connection(bus=self._address) as connection:
            reply = connection.send_and_get_reply(call, timeout=5)
        if reply.header.message_type.name == "error":
            raise RuntimeError(f"the desktop refused the notification: {reply.body}")
