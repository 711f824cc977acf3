"""vCards read one by one: a broken card is set aside with the reason, the rest are kept.

Cards are other people's text (a shared address book, a card someone sent),
so each ``BEGIN:VCARD`` … ``END:VCARD`` block is parsed on its own with
``vobject``: one that cannot be read, or has no name, is skipped with why; a
birthday that is not a date is dropped from its card with a note, and the
card is kept. Birthdays may have no year (``--04-12``).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import vobject

from os1.errors import ContactsError

MOST_BYTES = 20_000_000
_BEGIN = re.compile(r"^BEGIN:VCARD\s*$", re.IGNORECASE)
_END = re.compile(r"^END:VCARD\s*$", re.IGNORECASE)
_FULL_DATE = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})(?:T.*)?$")
_NO_YEAR = re.compile(r"^--(\d{2})-?(\d{2})$")


@dataclass(frozen=True)
class Birthday:
    """A birthday: the day of the year, and the year when the card gives one."""

    month: int
    day: int
    year: int | None = None

    def next_on(self, today: date) -> date:
        """The next birthday on or after ``today`` (29 February falls on 1 March in other years)."""
        for year in (today.year, today.year + 1):
            try:
                found = date(year, self.month, self.day)
            except ValueError:
                found = date(year, 3, 1)
            if found >= today:
                return found
        raise AssertionError("a birthday comes within a year")

    def age_on(self, day: date) -> int | None:
        """How old they turn on ``day``, when the year is known."""
        return None if self.year is None else day.year - self.year


@dataclass(frozen=True)
class Card:
    """One person: who they are and how to reach them; every field is the card's own text."""

    uid: str
    name: str
    nickname: str = ""
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    birthday: Birthday | None = None
    organization: str = ""
    title: str = ""
    note: str = ""
    related: tuple[str, ...] = ()
    book: str = ""
    href: str = ""


@dataclass(frozen=True)
class Dropped:
    """A card (or part of one) that could not be used, where, and why."""

    where: str
    name: str
    reason: str


def birthday_of(text: str) -> Birthday | None:
    """A vCard BDAY value as a birthday, or None if it is not a date."""
    value = text.strip()
    full = _FULL_DATE.match(value)
    if full:
        year, month, day = (int(g) for g in full.groups())
    else:
        partial = _NO_YEAR.match(value)
        if not partial:
            return None
        year, (month, day) = 0, (int(g) for g in partial.groups())
    try:
        date(2000, month, day)  # a leap year, so 29 February is a real day
    except ValueError:
        return None
    return Birthday(month, day, year if 1800 <= year <= 2200 else None)


def _blocks(text: str) -> tuple[list[str], bool]:
    """The text of each card, and whether a card was left open at the end."""
    blocks: list[str] = []
    current: list[str] | None = None
    for line in text.splitlines():
        if _BEGIN.match(line) and current is None:
            current = [line]
        elif current is not None:
            current.append(line)
            if _END.match(line):
                blocks.append("\r\n".join(current) + "\r\n")
                current = None
    return blocks, current is not None


def _values(card: Any, name: str) -> list[str]:
    found: list[str] = []
    for line in card.contents.get(name, []):
        value = line.value
        if isinstance(value, list):
            value = " ".join(str(v) for v in value if v)
        text = " ".join(str(value).split())
        if text:
            found.append(text)
    return found


def _name(card: Any) -> str:
    full = _values(card, "fn")
    if full:
        return full[0]
    for line in card.contents.get("n", []):
        parts = [line.value.prefix, line.value.given, line.value.additional, line.value.family]
        joined = " ".join(" ".join(p) if isinstance(p, list) else str(p) for p in parts if p)
        if joined.strip():
            return " ".join(joined.split())
    return ""


def read_cards(data: bytes, where: str) -> tuple[list[Card], list[Dropped]]:
    """Every usable card in a vCard file, and what was dropped and why."""
    if len(data) > MOST_BYTES:
        raise ContactsError(
            f"{where} is over {MOST_BYTES // 1_000_000} MB, more than an address book os1 reads.",
            "Export fewer contacts at a time.",
        )
    text = data.decode("utf-8", "replace")
    blocks, unclosed = _blocks(text)
    if not blocks and not unclosed:
        raise ContactsError(f"{where} holds no vCard.", "Export the contacts again as .vcf.")
    cards: list[Card] = []
    dropped: list[Dropped] = []
    if unclosed:
        dropped.append(Dropped(where, "", "the last card was never closed (no END:VCARD)"))
    for block in blocks:
        try:
            parsed = vobject.readOne(block)
        except Exception as exc:  # vobject raises several kinds on someone else's text
            dropped.append(Dropped(where, "", f"a card cannot be read ({_short(exc)})"))
            continue
        name = _name(parsed)
        if not name:
            dropped.append(Dropped(where, "", "a card has no name (FN or N)"))
            continue
        birthday = None
        for raw in _values(parsed, "bday")[:1]:
            birthday = birthday_of(raw)
            if birthday is None:
                dropped.append(
                    Dropped(where, name, f"its birthday {raw!r} is not a date (the card is kept)")
                )
        uid = (_values(parsed, "uid") or [_made_uid(block)])[0]
        cards.append(
            Card(
                uid=uid,
                name=name,
                nickname=(_values(parsed, "nickname") or [""])[0],
                emails=tuple(_values(parsed, "email")),
                phones=tuple(_values(parsed, "tel")),
                birthday=birthday,
                organization=(_values(parsed, "org") or [""])[0],
                title=(_values(parsed, "title") or [""])[0],
                note=(_values(parsed, "note") or [""])[0],
                related=tuple(_related(parsed)),
                book=where,
            )
        )
    return cards, dropped


def _related(card: Any) -> list[str]:
    found: list[str] = []
    for line in card.contents.get("related", []):
        kind = " ".join(line.params.get("TYPE", [])).lower()
        found.append(f"{kind}: {line.value}" if kind else str(line.value))
    return found


def _made_uid(block: str) -> str:
    return "sha1:" + hashlib.sha1(block.encode(), usedforsecurity=False).hexdigest()[:16]


def _short(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:120] or type(exc).__name__
