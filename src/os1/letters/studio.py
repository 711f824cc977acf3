"""The letters studio: write, revise, render and bind a client's letters, keeping every version.

It joins the files (``LetterStore``), the composer and the renderer, so that
every front door (the CLI, a conversation) does the same thing: a draft is
stored before anything is shown, a revision is a new version, and a render
reads a stored version, so a failed render never loses a word.
"""

from __future__ import annotations

import asyncio
import difflib
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from os1.clock import Clock
from os1.errors import InputError, LetterError
from os1.letters.composer import Brief, Write, compose, revise, to_document
from os1.store.letters import Client, Letter, LetterStore, Recipient, Version

if TYPE_CHECKING:
    from os1.letters.desk import RenderResult
    from os1.letters.render import Format
    from os1.letters.style import Style

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


def long_date(day: date) -> str:
    """A date as a letter writer puts it at the top: '25 November 2026'."""
    return f"{day.day} {day.strftime('%B %Y')}"


class Studio:
    """One user's letters studio."""

    def __init__(self, store: LetterStore, write: Write, clock: Clock) -> None:
        self.store = store
        self.write = write
        self.clock = clock

    async def brief(
        self, user_id: int, client: Client, recipient: Recipient, occasion: str, notes: str
    ) -> Brief:
        """Everything on file for a letter from ``client`` to ``recipient``."""
        earlier = await asyncio.to_thread(
            self.store.letters, user_id, client_id=client.id, recipient_id=recipient.id
        )
        return Brief(
            client=client.name,
            signs_as=client.signs_as,
            recipient=recipient.name,
            relationship=recipient.relationship,
            about_client=client.about,
            history=recipient.history,
            details=recipient.details,
            occasion=occasion,
            notes=notes,
            samples=client.samples,
            earlier=tuple(letter.latest.text for letter in earlier),
            today=self.clock.now().date(),
        )

    async def write_letter(
        self,
        user_id: int,
        client_name: str,
        recipient_name: str,
        occasion: str,
        notes: str,
        progress: Progress = _quiet,
    ) -> Letter:
        """Draft a new letter and file it as version 1."""
        client = await asyncio.to_thread(self.store.client, user_id, client_name)
        recipient = await asyncio.to_thread(
            self.store.recipient, user_id, client.id, recipient_name
        )
        brief = await self.brief(user_id, client, recipient, occasion, notes)
        draft = await compose(self.write, brief, progress)
        first = Version(1, draft.text, "first draft", draft.unconfirmed, self.clock.now())
        return await asyncio.to_thread(
            self.store.new_letter, user_id, client.id, recipient.id, occasion, first
        )

    async def revise_letter(
        self, user_id: int, letter_id: int, instruction: str, progress: Progress = _quiet
    ) -> Letter:
        """Apply an instruction to the latest version and file the result as the next one."""
        if not instruction.strip():
            raise InputError("The revision asks for nothing.", 'Say what to change: "warmer".')
        letter, client, recipient = await self._parts(user_id, letter_id)
        brief = await self.brief(user_id, client, recipient, letter.occasion, "")
        brief = Brief(**{**brief.__dict__, "earlier": brief.earlier[:-1]})
        draft = await revise(self.write, brief, letter.latest.text, instruction, progress)
        version = Version(0, draft.text, instruction, draft.unconfirmed, self.clock.now())
        return await asyncio.to_thread(self.store.add_version, user_id, letter_id, version)

    async def save_text(self, user_id: int, letter_id: int, text: str, instruction: str) -> Letter:
        """File a text the person edited or proofread as the next version."""
        if not text.strip():
            raise InputError("The letter would be empty.", "Nothing was saved.")
        letter = await asyncio.to_thread(self.store.letter, user_id, letter_id)
        still = tuple(u for u in letter.latest.unconfirmed if f"[{u}]" in text)
        version = Version(0, text, instruction, still, self.clock.now())
        return await asyncio.to_thread(self.store.add_version, user_id, letter_id, version)

    async def _parts(self, user_id: int, letter_id: int) -> tuple[Letter, Client, Recipient]:
        letter = await asyncio.to_thread(self.store.letter, user_id, letter_id)
        client = await asyncio.to_thread(self.store.client, user_id, letter.client_id)
        recipient = await asyncio.to_thread(
            self.store.recipient, user_id, letter.client_id, letter.recipient_id
        )
        return letter, client, recipient

    @staticmethod
    def look(client: Client, style: Style | str | None) -> Style | str:
        """The style a client's letter is written in (see :meth:`render`)."""
        from os1.letters.style import own_style

        if style is None:
            return own_style(client.hand) if client.hand is not None else "classic"
        if style == "own":
            if client.hand is None:
                raise InputError(
                    f"{client.name} has no hand of their own on file.",
                    f"Describe it with `os1 letters client hand {client.name!r} --slant 8 ...`, "
                    "or choose a style with --style.",
                )
            return own_style(client.hand)
        return style

    async def addresses(self, user_id: int, letter_id: int) -> tuple[str, tuple[str, ...]]:
        """Who a letter is to and their postal address on file (empty if none)."""
        *_, recipient = await self._parts(user_id, letter_id)
        return recipient.name, recipient.address

    @staticmethod
    def version(letter: Letter, number: int | None) -> Version:
        """The numbered version of a letter, or its latest."""
        if number is None:
            return letter.latest
        for version in letter.versions:
            if version.number == number:
                return version
        raise InputError(
            f"Letter {letter.id} has no version {number}.",
            f"It has versions 1 to {letter.latest.number}.",
        )

    def diff(self, letter: Letter, old: int | None = None, new: int | None = None) -> str:
        """A unified diff between two versions (by default the last two), line by line."""
        after = self.version(letter, new)
        before = self.version(letter, old if old is not None else max(1, after.number - 1))
        return "".join(
            difflib.unified_diff(
                before.text.splitlines(keepends=True),
                after.text.splitlines(keepends=True),
                f"version {before.number}",
                f"version {after.number}",
            )
        )

    async def render(
        self,
        user_id: int,
        letter_id: int,
        path: Path,
        *,
        style: Style | str | None = None,
        seed: int | None = None,
        fmt: Format = "pdf",
        envelope: bool = False,
        version: int | None = None,
        as_is: bool = False,
    ) -> RenderResult:
        """Render a stored version; unconfirmed suggestions stop it unless ``as_is``.

        Without a ``style`` the letter is written in the client's own hand if they
        have one, else in ``classic``; the style named ``own`` is always their hand.
        """
        from os1.letters.render import render_letter  # the PDF machinery loads on first use

        letter, client, recipient = await self._parts(user_id, letter_id)
        chosen = self.version(letter, version)
        waiting = [u for u in chosen.unconfirmed if f"[{u}]" in chosen.text]
        if waiting and not as_is:
            raise LetterError(
                "The letter still has suggestions to confirm: "
                + ", ".join(f"[{u}]" for u in waiting)
                + ".",
                f"Revise it (`os1 letters revise {letter_id} ...`) or edit it "
                f"(`os1 letters edit {letter_id}`), or render it with --as-is.",
            )
        brief = await self.brief(user_id, client, recipient, letter.occasion, "")
        doc = to_document(
            chosen.text,
            brief,
            long_date(chosen.created_at.date()),
            client.address,
            (recipient.name, *recipient.address),
        )
        return await asyncio.to_thread(
            render_letter,
            doc,
            self.look(client, style),
            letter_id if seed is None else seed,
            path,
            fmt,
            envelope,
        )

    async def book(
        self,
        user_id: int,
        client_name: str,
        path: Path,
        *,
        title: str,
        style: Style | str | None = None,
        recipient_name: str | None = None,
        letter_ids: Sequence[int] = (),
        seed: int = 1,
    ) -> RenderResult:
        """Bind a client's letters (all, or one recipient's, or the chosen ids) into a book."""
        from os1.letters.book import render_book  # the PDF machinery loads on first use

        client = await asyncio.to_thread(self.store.client, user_id, client_name)
        recipient_id = None
        if recipient_name is not None:
            recipient = await asyncio.to_thread(
                self.store.recipient, user_id, client.id, recipient_name
            )
            recipient_id = recipient.id
        chosen = await asyncio.to_thread(
            self.store.letters,
            user_id,
            client_id=client.id,
            recipient_id=recipient_id,
            ids=list(letter_ids) or None,
        )
        if not chosen:
            raise InputError(
                f"There are no letters to bind for {client.name}.",
                "Write one first with `os1 letters write`.",
            )
        people = {
            r.id: r for r in await asyncio.to_thread(self.store.recipients, user_id, client.id)
        }
        entries = []
        for letter in chosen:
            recipient = people[letter.recipient_id]
            brief = Brief(client=client.name, signs_as=client.signs_as, recipient=recipient.name)
            day = letter.latest.created_at.date()
            heading = f"To {recipient.name}" + (f", {letter.occasion}" if letter.occasion else "")
            entries.append((to_document(letter.latest.text, brief, long_date(day)), day, heading))
        look = self.look(client, style)
        return await asyncio.to_thread(render_book, title, entries, look, seed, path)
