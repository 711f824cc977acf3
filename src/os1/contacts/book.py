"""The person's address books as one: who is who, and whose birthday is coming.

Address books are vCard files (read where they lie) or CardDAV collections
(copied into the store by :meth:`AddressBook.sync`). Birthdays feed what os1
says first: :meth:`AddressBook.schedule_birthdays` puts each coming birthday
in the initiatives (once per person and year, however often it runs), with
the offer to write a card together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from os1.clock import Clock
from os1.contacts.carddav import fetch_cards
from os1.contacts.cards import Card, Dropped, read_cards
from os1.credentials import password_for
from os1.errors import ContactsError, InputError
from os1.store.initiatives import InitiativeStore
from os1.store.pim import CONTACTS, DAV, FILE, Item, PimStore, Source

_WORD = re.compile(r"[^\W_]+")
BIRTHDAY_AT = time(9)
NAME_CHARS = 60


@dataclass(frozen=True)
class Upcoming:
    """A birthday to come: whose, on which day, and the age they turn when known."""

    card: Card
    on: date
    turns: int | None


def _clean_name(name: str) -> str:
    """A name as os1 says it: printable, one line, not too long (it is the card's text)."""
    kept = "".join(c for c in name if c.isprintable())
    return " ".join(kept.split())[:NAME_CHARS]


class AddressBook:
    """One store's address books for whoever asks by user id."""

    def __init__(self, store: PimStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def books(self, user_id: int) -> list[Source]:
        """The person's address books, in the order added."""
        return self.store.sources(user_id, CONTACTS)

    def add_file(self, user_id: int, name: str, path: Path) -> tuple[Source, int]:
        """Add a vCard file (it must exist and hold cards); how many cards it holds."""
        path = path.expanduser().resolve()
        cards, _ = read_cards(_read(path), str(path))
        source = self.store.add(user_id, CONTACTS, name, FILE, str(path), self.clock.now())
        return source, len(cards)

    def add_carddav(
        self, user_id: int, name: str, url: str, username: str = "", secret: str = ""
    ) -> tuple[Source, int]:
        """Add a CardDAV address book after signing in and copying it once."""
        if not re.match(r"^https?://", url):
            raise InputError(
                f"{url!r} is not a CardDAV address.", "Give the address book's https:// address."
            )
        found = fetch_cards(url, username, password_for(secret, f"contacts:{name}"))
        source = self.store.add(
            user_id, CONTACTS, name, DAV, url, self.clock.now(), username=username,
            secret=secret,
        )  # fmt: skip
        self.store.replace_items(
            user_id, source.id, [Item(c.href, c.etag, c.body) for c in found], self.clock.now()
        )
        return source, len(found)

    def remove(self, user_id: int, name: str) -> Source:
        """Forget an address book (its file or server is left untouched)."""
        source = self.store.source(user_id, CONTACTS, name)
        self.store.remove(user_id, source.id)
        return source

    def sync(self, user_id: int) -> list[tuple[Source, int]]:
        """Copy each CardDAV address book afresh (a failure keeps the last copy and says why)."""
        done: list[tuple[Source, int]] = []
        for source in self.books(user_id):
            if source.kind != DAV:
                continue
            password = password_for(source.secret, f"contacts:{source.name}")
            found = fetch_cards(source.location, source.username, password)
            self.store.replace_items(
                user_id, source.id, [Item(c.href, c.etag, c.body) for c in found], self.clock.now()
            )
            done.append((source, len(found)))
        return done

    def cards(self, user_id: int) -> tuple[list[Card], list[Dropped]]:
        """Every card in every address book, by name; what could not be read, and why."""
        cards: list[Card] = []
        dropped: list[Dropped] = []
        for source in self.books(user_id):
            try:
                if source.kind == FILE:
                    found, bad = read_cards(_read(Path(source.location)), source.name)
                else:
                    found, bad = [], []
                    for item in self.store.items(user_id, source.id):
                        some, worse = read_cards(item.body.encode("utf-8"), source.name)
                        found.extend(replace(c, href=item.href) for c in some)
                        bad.extend(worse)
            except ContactsError as exc:
                dropped.append(Dropped(source.name, "", str(exc)))
                continue
            cards.extend(replace(c, book=source.name) for c in found)
            dropped.extend(bad)
        cards.sort(key=lambda c: c.name.lower())
        return cards, dropped

    def find(self, user_id: int, words: str) -> list[Card]:
        """The cards whose name, nickname or address hold every word the person used."""
        wanted = {w.lower() for w in _WORD.findall(words)}
        if not wanted:
            return []
        found: list[Card] = []
        for card in self.cards(user_id)[0]:
            said = " ".join([card.name, card.nickname, *card.emails])
            if wanted <= {w.lower() for w in _WORD.findall(said)}:
                found.append(card)
        return found

    def birthdays(self, user_id: int, days: int = 30) -> list[Upcoming]:
        """Birthdays from today to ``days`` ahead, soonest first."""
        today = self.clock.now().astimezone().date()
        coming: list[Upcoming] = []
        for card in self.cards(user_id)[0]:
            if card.birthday is None:
                continue
            on = card.birthday.next_on(today)
            if (on - today).days <= days:
                coming.append(Upcoming(card, on, card.birthday.age_on(on)))
        coming.sort(key=lambda u: (u.on, u.card.name.lower()))
        return coming

    def schedule_birthdays(self, user_id: int, initiatives: InitiativeStore, days: int = 30) -> int:
        """Put each coming birthday in what os1 says first (once a year); how many were new."""
        now = self.clock.now()
        made = 0
        for upcoming in self.birthdays(user_id, days):
            name = _clean_name(upcoming.card.name)
            due = datetime.combine(upcoming.on, BIRTHDAY_AT).astimezone().astimezone(UTC)
            if due <= now:
                due = now
            turns = f" (turning {upcoming.turns})" if upcoming.turns else ""
            text = (
                f"It's {name}'s birthday today{turns}. Shall we write a card? "
                f'Say "help me write a card to {name} for their birthday".'
            )
            key = f"birthday:{upcoming.card.uid}:{upcoming.on.year}"
            made += initiatives.schedule(user_id, "birthday", key, text, due, now) is not None
        return made


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise ContactsError(
            f"The address book file {path} does not exist.", "Check the path, or export it again."
        ) from exc
    except OSError as exc:
        raise ContactsError(
            f"The address book file {path} cannot be read ({exc.strerror}).",
            "Check its permissions.",
        ) from exc


def days_until(on: date, today: date) -> str:
    """How a person says when a day is: "today", "tomorrow", "on Friday 4 December"."""
    if on == today:
        return "today"
    if on == today + timedelta(days=1):
        return "tomorrow"
    return f"on {on:%A} {on.day} {on:%B}"
