"""A CalDAV calendar collection through the ``caldav`` 1.x client, its failures made clear.

A refused login, a server that cannot be reached or drops the connection, an
address that is not a calendar: each becomes one :class:`CalendarError`
saying which and what to do. Nothing here keeps state; the copy of the
items lives in the store (``os1.store.pim``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import caldav
import requests
from caldav.lib import error as dav_error

from os1.errors import CalendarError

TIMEOUT_S = 30


@dataclass(frozen=True)
class RemoteItem:
    """One calendar object on the server: where it is, its version, and its text."""

    href: str
    etag: str
    body: str


@contextlib.contextmanager
def _clear(url: str) -> Iterator[None]:
    """Turn the client's and the network's failures into one clear error about ``url``."""
    try:
        yield
    except dav_error.AuthorizationError as exc:
        raise CalendarError(
            f"The CalDAV server at {url} refused the login ({_short(exc)}).",
            "Check the user name and the password (`os1 calendar add` again to change them).",
        ) from exc
    except dav_error.NotFoundError as exc:
        raise CalendarError(
            f"There is no calendar at {url}.",
            "Use the calendar collection's address, as the calendar app shows it.",
        ) from exc
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise CalendarError(
            f"The CalDAV server at {url} cannot be reached or dropped the connection "
            f"({type(exc).__name__}).",
            "Check the address and the network, then `os1 calendar sync` again; "
            "the last copy is kept.",
        ) from exc
    except (dav_error.DAVError, requests.RequestException) as exc:
        raise CalendarError(
            f"The CalDAV server at {url} answered with an error ({_short(exc)}).",
            "Try again later; the last copy is kept.",
        ) from exc


def _short(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__


class CalDavCalendar:
    """One calendar collection on a CalDAV server."""

    def __init__(self, url: str, username: str = "", password: str | None = None) -> None:
        self.url = url
        self._client = caldav.DAVClient(
            url, username=username or None, password=password, timeout=TIMEOUT_S
        )
        self._calendar: Any = None

    def _collection(self) -> Any:
        if self._calendar is None:
            self._calendar = self._client.calendar(url=self.url)  # type: ignore[no-untyped-call]
        return self._calendar

    def fetch(self) -> list[RemoteItem]:
        """Every event in the collection, as the server holds it."""
        with _clear(self.url):
            found = self._collection().events()
            return [
                RemoteItem(str(e.url), str(getattr(e, "props", {}).get("etag", "")), str(e.data))
                for e in found
            ]

    def put(self, body: str, href: str = "") -> RemoteItem:
        """Write an event (a new one when ``href`` is empty); the item as now on the server."""
        with _clear(self.url):
            if href:
                event = self._collection().event_by_url(href)
                event.load()
                event.data = body
                event.save()
            else:
                event = self._collection().save_event(body)
            return RemoteItem(str(event.url), "", body)

    def current(self, href: str) -> str | None:
        """The event at ``href`` as the server has it now, or None if it is gone."""
        with _clear(self.url):
            try:
                event = self._collection().event_by_url(href)
                event.load()
            except dav_error.NotFoundError:
                return None
            return str(event.data)

    def delete(self, href: str) -> None:
        """Remove the event at ``href`` (already gone is fine)."""
        with _clear(self.url):
            try:
                self._collection().event_by_url(href).delete()
            except dav_error.NotFoundError:
                return
