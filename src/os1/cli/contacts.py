"""``os1 contacts``: add address books (vCard files, CardDAV), sync, find someone, birthdays."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from os1.cli.agenda import NoPasswordOpt, PasswordEnvOpt, UserOpt, account_secret
from os1.cli.runtime import err, friendly_errors, open_journal, out
from os1.companion.skills.contacts import described
from os1.contacts import AddressBook, Card, Dropped, days_until
from os1.errors import InputError
from os1.store import PimStore
from os1.store.initiatives import InitiativeStore
from os1.terminal import escaped, inert_json

contacts_app = typer.Typer(
    help="Your contacts: vCard files and CardDAV; who is who, and birthdays to come.",
    no_args_is_help=True,
)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


@dataclass
class Desk:
    """What a contacts command works with: the person's id, their address books, initiatives."""

    user_id: int
    book: AddressBook
    initiatives: InitiativeStore


@contextlib.contextmanager
def _desk() -> Iterator[Desk]:
    with friendly_errors(), open_journal() as (journal, user_id, clock):
        yield Desk(
            user_id, AddressBook(PimStore(journal.engine), clock), InitiativeStore(journal.engine)
        )


def _card(c: Card) -> dict[str, Any]:
    b = c.birthday
    return {
        "book": c.book, "uid": c.uid, "name": c.name, "nickname": c.nickname,
        "emails": list(c.emails), "phones": list(c.phones), "organization": c.organization,
        "title": c.title, "related": list(c.related),
        "birthday": {"month": b.month, "day": b.day, "year": b.year} if b else None,
    }  # fmt: skip


def _print_json(data: Any) -> None:
    sys.stdout.write(inert_json(json.dumps(data, indent=2, ensure_ascii=False)) + "\n")


def _warn(dropped: list[Dropped]) -> None:
    for d in dropped:
        who = f"{d.name!r}: " if d.name else ""
        err.print(f"[yellow]skipped[/] {escaped(d.where)}: {escaped(who)}{escaped(d.reason)}")


def _birthdays_scheduled(desk: Desk) -> None:
    made = desk.book.schedule_birthdays(desk.user_id, desk.initiatives)
    if made:
        out.print(f"{made} coming birthday{'s' if made != 1 else ''} added to what I say first.")


@contacts_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="A short name for the address book: 'family'.")],
    file: Annotated[Path | None, typer.Option("--file", help="A .vcf file.")] = None,
    url: Annotated[str | None, typer.Option("--url", help="A CardDAV address book.")] = None,
    user: UserOpt = "",
    password_env: PasswordEnvOpt = None,
    no_password: NoPasswordOpt = False,
) -> None:
    """Add an address book: a vCard file, or CardDAV (signed in and copied once).

    Without --password-env or --no-password the password is asked for once and
    kept in the OS keyring; it is never written to os1's files.
    """
    with friendly_errors():
        if (file is None) == (url is None):
            raise InputError("Give exactly one of --file PATH or --url https://….")
    with _desk() as desk:
        if file is not None:
            source, count = desk.book.add_file(desk.user_id, name, file)
        else:
            assert url is not None
            secret = account_secret(f"contacts:{name}", url, user, password_env, no_password)
            source, count = desk.book.add_carddav(desk.user_id, name, url, user, secret)
        out.print(f"Added {escaped(source.name)} ({count} cards): {escaped(source.location)}")
        _birthdays_scheduled(desk)


@contacts_app.command("list")
def listed(as_json: JsonOpt = False) -> None:
    """Everyone in your address books."""
    with _desk() as desk:
        cards, dropped = desk.book.cards(desk.user_id)
    if as_json:
        _print_json({"cards": [_card(c) for c in cards],
                     "skipped": [d.__dict__ for d in dropped]})  # fmt: skip
        return
    _warn(dropped)
    if not cards:
        out.print("[dim]No contacts yet: `os1 contacts add NAME --file PATH.vcf` or --url.[/]")
    for c in cards:
        out.print(escaped(f"- {described(c)}"))


@contacts_app.command("find")
def find(words: Annotated[str, typer.Argument(help="A name, nickname or address.")]) -> None:
    """Look someone up."""
    with _desk() as desk:
        found = desk.book.find(desk.user_id, words)
    if not found:
        out.print(f"No one called {escaped(repr(words))} in your contacts.")
        raise typer.Exit(1)
    for c in found:
        out.print(escaped(f"- {described(c)}"))


@contacts_app.command("sync")
def sync() -> None:
    """Copy your CardDAV address books afresh, and put coming birthdays in what os1 says first."""
    with _desk() as desk:
        with err.status("Syncing…"):
            done = desk.book.sync(desk.user_id)
        for source, count in done:
            out.print(f"{escaped(source.name)}: {count} cards")
        _birthdays_scheduled(desk)


@contacts_app.command("birthdays")
def birthdays(
    days: Annotated[int, typer.Option("--days", min=1, max=366, help="How far ahead.")] = 30,
    as_json: JsonOpt = False,
) -> None:
    """Birthdays coming up."""
    with _desk() as desk:
        coming = desk.book.birthdays(desk.user_id, days)
        today = desk.book.clock.now().astimezone().date()
    if as_json:
        _print_json([{"name": u.card.name, "on": u.on.isoformat(), "turns": u.turns}
                     for u in coming])  # fmt: skip
        return
    if not coming:
        out.print(f"No birthdays in the next {days} days.")
    for u in coming:
        turns = f" (turning {u.turns})" if u.turns else ""
        out.print(escaped(f"{u.card.name} {days_until(u.on, today)}{turns}"))


@contacts_app.command("remove")
def remove(name: Annotated[str, typer.Argument(help="The address book to forget.")]) -> None:
    """Forget an address book (the file or the server keeps its cards)."""
    with _desk() as desk:
        gone = desk.book.remove(desk.user_id, name)
    out.print(f"Removed {escaped(gone.name)}; {escaped(gone.location)} is left as it was.")
