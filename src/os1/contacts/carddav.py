"""A CardDAV address book, read with one ``addressbook-query`` REPORT over HTTP (``httpx``).

Only reading is needed (who is who, birthdays), so the protocol is the one
request every CardDAV server answers: all cards with their ``address-data``.
A refused login, a server that cannot be reached or drops the connection, an
address that is not an address book: each is one :class:`ContactsError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin
from xml.etree import ElementTree

import httpx

from os1.errors import ContactsError

TIMEOUT_S = 30
MOST_BYTES = 50_000_000
QUERY = b"""<?xml version="1.0" encoding="utf-8"?>
<C:addressbook-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">
  <D:prop><D:getetag/><C:address-data/></D:prop>
</C:addressbook-query>"""
_DAV = "{DAV:}"
_CARD = "{urn:ietf:params:xml:ns:carddav}"


@dataclass(frozen=True)
class RemoteCard:
    """One card on the server: where it is, its version, and its text."""

    href: str
    etag: str
    body: str


def fetch_cards(url: str, username: str = "", password: str | None = None) -> list[RemoteCard]:
    """Every card in the address book at ``url``."""
    auth = (username, password or "") if username else None
    try:
        response = httpx.request(
            "REPORT", url, content=QUERY, auth=auth, timeout=TIMEOUT_S,
            headers={"Depth": "1", "Content-Type": "application/xml; charset=utf-8"},
        )  # fmt: skip
    except httpx.TransportError as exc:
        raise ContactsError(
            f"The CardDAV server at {url} cannot be reached or dropped the connection "
            f"({type(exc).__name__}).",
            "Check the address and the network, then `os1 contacts sync` again; the last copy "
            "is kept.",
        ) from exc
    if response.status_code in (401, 403):
        raise ContactsError(
            f"The CardDAV server at {url} refused the login ({response.status_code}).",
            "Check the user name and the password (`os1 contacts add` again to change them).",
        )
    if response.status_code == 404:
        raise ContactsError(
            f"There is no address book at {url}.",
            "Use the address book's address, as the contacts app shows it.",
        )
    if response.status_code != 207 or len(response.content) > MOST_BYTES:
        raise ContactsError(
            f"The CardDAV server at {url} answered {response.status_code}, not a list of cards.",
            "Check that the address is an address book (CardDAV), not a calendar or a web page.",
        )
    try:
        tree = ElementTree.fromstring(response.content)
    except ElementTree.ParseError as exc:
        raise ContactsError(
            f"The CardDAV server at {url} sent an answer that is not XML ({exc}).",
            "Try again later.",
        ) from exc
    cards: list[RemoteCard] = []
    for item in tree.iter(f"{_DAV}response"):
        href = item.findtext(f"{_DAV}href") or ""
        data = next(iter(item.iter(f"{_CARD}address-data")), None)
        if data is None or not data.text:
            continue
        etag = next((e.text or "" for e in item.iter(f"{_DAV}getetag")), "")
        cards.append(RemoteCard(urljoin(url, href), etag, data.text))
    return cards
