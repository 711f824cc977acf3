"""Contacts in conversation: "what's Ana's number?", "whose birthday is coming up?".

Both only read the address books, so they answer at once (audited). A card's
fields are the card's own text and are quoted as such; a coming birthday
offers the letter skill ("help me write a card to Ana for her birthday").
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from os1.companion.skills.calendar_week import words_schema
from os1.companion.skills.parts import Parts
from os1.contacts import AddressBook, Card, days_until
from os1.phrases import intent
from os1.skills import Call, Outcome
from os1.store import PimStore

NO_BOOK = (
    "I don't have your contacts yet. Add an address book with `os1 contacts add NAME --file "
    "PATH.vcf` or `--url https://...` (CardDAV)."
)


def described(card: Card) -> str:
    """A card as a few lines: name, work, how to reach them, birthday; its text quoted."""
    lines = [repr(card.name) + (f" ({card.nickname!r})" if card.nickname else "")]
    if card.title or card.organization:
        lines.append("works: " + ", ".join(repr(v) for v in (card.title, card.organization) if v))
    lines.extend(f"phone: {p!r}" for p in card.phones)
    lines.extend(f"mail: {m!r}" for m in card.emails)
    if card.birthday is not None:
        b = card.birthday
        year = f" {b.year}" if b.year else ""
        lines.append(f"birthday: {b.day} {datetime(2000, b.month, 1):%B}{year}")
    return "\n  ".join(lines)


class Contacts:
    """Who someone is in the address books, and whose birthday is coming."""

    name = "contacts"
    description = (
        "Look someone up in the person's contacts (phone, mail, birthday), or list the "
        "birthdays coming up."
    )
    schema = words_schema({}, {"who": "the person to look up (empty for coming birthdays)"})
    outward = False
    cues = ("contact", "phone number", "birthday", "address book", "number for", "email of")

    def __init__(self, book: AddressBook) -> None:
        self.book = book

    def match(self, text: str, now: datetime) -> dict[str, Any] | None:
        """Who to look up, or ``{}`` for the coming birthdays."""
        found = intent("contacts_who").match(text) or intent("contacts_birthdays").match(text)
        if found is None:
            return None
        who = next((v for v in found.groupdict().values() if v), "")
        return {"who": who.strip()}

    async def plan(self, call: Call) -> Outcome:
        """The cards that match, or the birthdays of the next 30 days."""
        if not await asyncio.to_thread(self.book.books, call.user_id):
            return Outcome(NO_BOOK, done=False, result="no address book")
        who = str(call.arguments.get("who") or "").strip()
        if who:
            found = await asyncio.to_thread(self.book.find, call.user_id, who)
            if not found:
                return Outcome(
                    f"I found no one called {who!r} in your contacts.",
                    done=False,
                    result="no match",
                )
            listing = "\n".join(f"- {described(c)}" for c in found[:5])
            return Outcome(f"In your contacts:\n{listing}", result=f"{len(found)} cards")
        coming = await asyncio.to_thread(self.book.birthdays, call.user_id, 30)
        if not coming:
            return Outcome("No birthdays in the next 30 days.", result="0 birthdays")
        today = self.book.clock.now().astimezone().date()
        lines = [
            f"- {u.card.name!r} {days_until(u.on, today)}"
            + (f" (turning {u.turns})" if u.turns else "")
            for u in coming
        ]
        return Outcome(
            "Birthdays coming up:\n" + "\n".join(lines)
            + '\nSay "help me write a card to NAME for their birthday" and we\'ll write one.',
            result=f"{len(coming)} birthdays",
        )  # fmt: skip

    async def run(self, call: Call) -> Outcome:
        """Nothing waits for a yes in this skill: planning is doing."""
        return await self.plan(call)


def create(parts: Parts) -> Contacts:
    """The skill; it needs only the store."""
    return Contacts(AddressBook(PimStore(parts.journal.engine), parts.clock))
