"""Where calendars and address books are, and the copies of their remote items.

A source is a calendar or an address book the person added: a local file
(ICS, vCard), read where it lies, or a CalDAV / CardDAV collection, whose
items are copied here by a sync so "what's my week?" needs no network. A
password is never stored: ``secret`` names where it is (``env:VAR`` or
``keyring``). A sync replaces a source's items in one transaction, so one
that fails half-way leaves the last good copy, nothing lost or doubled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from os1.errors import InputError, NotFound
from os1.store.database import aware, translate_errors
from os1.store.schema import metadata

pim_sources = Table(
    "pim_sources",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("what", String(10), nullable=False),
    Column("name", String(100), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("location", Text, nullable=False),
    Column("username", String(320), nullable=False),
    Column("secret", String(200), nullable=False),
    Column("synced_at", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ux_pim_sources_user_name", "user_id", "what", "name", unique=True),
)

pim_items = Table(
    "pim_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("source_id", Integer, ForeignKey("pim_sources.id", ondelete="CASCADE"), nullable=False),
    Column("href", Text, nullable=False),
    Column("etag", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("synced_at", DateTime(timezone=True), nullable=False),
    Index("ux_pim_items_source_href", "source_id", "href", unique=True),
    Index("ix_pim_items_user", "user_id"),
)

CALENDAR = "calendar"
CONTACTS = "contacts"
FILE = "file"
DAV = "dav"


@dataclass(frozen=True)
class Source:
    """A calendar or address book: a local file or a DAV collection, with where its password is."""

    id: int
    what: str
    name: str
    kind: str
    location: str
    username: str
    secret: str
    synced_at: datetime | None


@dataclass(frozen=True)
class Item:
    """One copied remote item: its address on the server, its version, and its text."""

    href: str
    etag: str
    body: str


def _source(row: object) -> Source:
    synced = getattr(row, "synced_at", None)
    return Source(
        row.id,  # type: ignore[attr-defined]
        row.what,  # type: ignore[attr-defined]
        row.name,  # type: ignore[attr-defined]
        row.kind,  # type: ignore[attr-defined]
        row.location,  # type: ignore[attr-defined]
        row.username,  # type: ignore[attr-defined]
        row.secret,  # type: ignore[attr-defined]
        aware(synced) if synced is not None else None,
    )


class PimStore:
    """One person's calendars and address books; every query takes their id."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._where = engine.url.render_as_string(hide_password=True)

    def add(
        self,
        user_id: int,
        what: str,
        name: str,
        kind: str,
        location: str,
        at: datetime,
        *,
        username: str = "",
        secret: str = "",
    ) -> Source:
        """Add a source; a name already used for this person's calendars (or books) is refused."""
        name = name.strip()
        if not name or len(name) > 100 or any(not c.isprintable() for c in name):
            raise InputError(
                f"{name!r} cannot name a {what} source.", "Use a short printable name, like 'work'."
            )
        try:
            with translate_errors(self._where), self.engine.begin() as conn:
                new_id = conn.execute(
                    insert(pim_sources)
                    .values(
                        user_id=user_id,
                        what=what,
                        name=name,
                        kind=kind,
                        location=location,
                        username=username,
                        secret=secret,
                        created_at=at,
                    )
                    .returning(pim_sources.c.id)
                ).scalar_one()
        except IntegrityError as exc:
            raise InputError(
                f"There is already a {what} source named {name!r}.",
                "Choose another name, or remove that one first.",
            ) from exc
        return Source(int(new_id), what, name, kind, location, username, secret, None)

    def sources(self, user_id: int, what: str) -> list[Source]:
        """The person's calendars (or address books), in the order they were added."""
        query = (
            select(pim_sources)
            .where(pim_sources.c.user_id == user_id, pim_sources.c.what == what)
            .order_by(pim_sources.c.id)
        )
        with translate_errors(self._where), self.engine.connect() as conn:
            return [_source(r) for r in conn.execute(query).all()]

    def source(self, user_id: int, what: str, name: str) -> Source:
        """One source by name, or a clear error listing the names there are."""
        found = [s for s in self.sources(user_id, what) if s.name == name]
        if not found:
            names = ", ".join(s.name for s in self.sources(user_id, what)) or "none yet"
            raise NotFound(
                f"There is no {what} source named {name!r} (there are: {names}).",
                f"`os1 {'calendar' if what == CALENDAR else 'contacts'} list` shows them.",
            )
        return found[0]

    def remove(self, user_id: int, source_id: int) -> bool:
        """Forget a source and its copied items (the file or the server is left as it is)."""
        with translate_errors(self._where), self.engine.begin() as conn:
            gone = conn.execute(
                delete(pim_sources).where(
                    pim_sources.c.user_id == user_id, pim_sources.c.id == source_id
                )
            ).rowcount
        return bool(gone)

    def items(self, user_id: int, source_id: int) -> list[Item]:
        """The copied items of one source."""
        query = (
            select(pim_items.c.href, pim_items.c.etag, pim_items.c.body)
            .where(pim_items.c.user_id == user_id, pim_items.c.source_id == source_id)
            .order_by(pim_items.c.href)
        )
        with translate_errors(self._where), self.engine.connect() as conn:
            return [Item(r.href, r.etag, r.body) for r in conn.execute(query).all()]

    def replace_items(
        self, user_id: int, source_id: int, items: Sequence[Item], at: datetime
    ) -> None:
        """Make the copy exactly ``items`` (one transaction) and note when it was synced."""
        with translate_errors(self._where), self.engine.begin() as conn:
            owned = conn.execute(
                select(pim_sources.c.id).where(
                    pim_sources.c.user_id == user_id, pim_sources.c.id == source_id
                )
            ).first()
            if owned is None:
                raise NotFound(f"Source {source_id} is not yours.", "List them with `--help`.")
            conn.execute(delete(pim_items).where(pim_items.c.source_id == source_id))
            unique = {item.href: item for item in items}
            if unique:
                conn.execute(
                    insert(pim_items),
                    [
                        {
                            "user_id": user_id,
                            "source_id": source_id,
                            "href": i.href,
                            "etag": i.etag,
                            "body": i.body,
                            "synced_at": at,
                        }
                        for i in unique.values()
                    ],
                )
            conn.execute(
                update(pim_sources).where(pim_sources.c.id == source_id).values(synced_at=at)
            )

    def put_item(self, user_id: int, source_id: int, item: Item, at: datetime) -> None:
        """Keep one item written to the server (a new event, a moved one)."""
        with translate_errors(self._where), self.engine.begin() as conn:
            conn.execute(
                delete(pim_items).where(
                    pim_items.c.user_id == user_id,
                    pim_items.c.source_id == source_id,
                    pim_items.c.href == item.href,
                )
            )
            conn.execute(
                insert(pim_items).values(
                    user_id=user_id,
                    source_id=source_id,
                    href=item.href,
                    etag=item.etag,
                    body=item.body,
                    synced_at=at,
                )
            )

    def drop_item(self, user_id: int, source_id: int, href: str) -> None:
        """Forget one item removed from the server."""
        with translate_errors(self._where), self.engine.begin() as conn:
            conn.execute(
                delete(pim_items).where(
                    pim_items.c.user_id == user_id,
                    pim_items.c.source_id == source_id,
                    pim_items.c.href == href,
                )
            )
