"""``os1 setup``, ``persona``, ``journal`` and ``reminders``: who os1 is, what it will say first."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable, Coroutine
from dataclasses import fields
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.table import Table

from os1.cli.params import ID
from os1.cli.runtime import err, friendly_errors, open_companion, out, run
from os1.companion import Companion
from os1.companion.identity import Answers, Identity
from os1.companion.persona import PersonaCard, introduction
from os1.companion.setup import QUESTIONS
from os1.errors import ConfigError, InputError
from os1.files import read_json
from os1.store.initiatives import InitiativeStore
from os1.terminal import escaped, inert_json

persona_app = typer.Typer(help="Who os1 is now, and how it got there.", no_args_is_help=True)
reminders_app = typer.Typer(help="What os1 will say first.", no_args_is_help=True)
T = TypeVar("T")
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
MAX_ANSWERS = 100_000


def _with_identity(
    work: Callable[[Identity, int, Companion], Coroutine[Any, Any, T]], *, talk: bool = False
) -> T:
    with friendly_errors():
        companion = open_companion(talk=talk)
    loop = asyncio.new_event_loop()
    try:
        if companion.identity is None:
            with friendly_errors():
                raise ConfigError("This os1 has no persona store.", "Check the settings.")
        assert companion.identity is not None
        user_id = run(loop, companion.user_id())
        return run(loop, work(companion.identity, user_id, companion))
    finally:
        loop.run_until_complete(companion.aclose())
        loop.close()


def _answers_from(path: Path) -> Answers:
    """Read ``--answers``: a JSON object with any of the interview's fields."""
    with friendly_errors():
        data = read_json(path, "file of answers", MAX_ANSWERS)
        known = [f.name for f in fields(Answers)]
        if not isinstance(data, dict) or not set(data) <= set(known):
            raise InputError(
                f"{path} must be a JSON object with only these keys: {', '.join(known)}."
            )
        if not all(isinstance(v, str | None) for v in data.values()):
            raise InputError(
                f"Each answer in {path} must be a string.",
                'Write an object like {"person_name": "Theo", "tone": "playful"}.',
            )
        return Answers(**{k: v or "" for k, v in data.items()})


def setup(
    again: Annotated[
        bool, typer.Option("--again", help="Run the interview again (os1 chooses anew).")
    ] = False,
    answers: Annotated[
        Path | None,
        typer.Option("--answers", help="Answer from a JSON file instead of interactively."),
    ] = None,
) -> None:
    """The setup interview: a few questions, then os1 chooses its name and introduces itself."""
    given = _answers_from(answers) if answers is not None else None

    async def work(identity: Identity, user_id: int, companion: Companion) -> PersonaCard | None:
        if await identity.current(user_id) is not None and not again:
            return None
        chosen = given
        if chosen is None:
            replies: dict[str, str] = {}
            for field, question in QUESTIONS:
                name = Answers(person_name=replies.get("person_name", "")).name()
                who = f", {escaped(name)}" if name else ""
                out.print(f"[bold magenta]os1[/] > {question.format(who=who)}")
                line = await asyncio.to_thread(out.input, "[bold cyan]you[/] > ")
                replies[field] = line
            chosen = Answers(**replies)
        if sys.stderr.isatty():
            err.print("[dim]Thank you. Let me think about a name…[/]")
        card = await identity.create(user_id, chosen, source="setup")
        if companion.memory is not None:
            await companion.memory.note(user_id, chosen.memories())
        return card

    try:
        card = _with_identity(work, talk=True)
    except (EOFError, KeyboardInterrupt):
        out.print("\nSetup left unfinished; run `os1 setup` to carry on.")
        raise typer.Exit(1) from None
    if card is None:
        out.print("Setup is done already; `os1 setup --again` runs it again.")
        return
    out.print(f"[bold magenta]{escaped(card.name)}[/] > {escaped(introduction(card))}")


def _card_text(card: PersonaCard) -> None:
    out.print(f"[bold]{escaped(card.name)}[/]: {escaped(card.name_reason)}")
    out.print(f"temperament  {escaped(card.temperament)}; talks {escaped(card.voice)}")
    pins = set(card.pinned)
    loves = ", ".join(f"{i} (pinned)" if i in pins else i for i in card.interests)
    out.print(f"loves        {escaped(loves)}")
    out.print(f"cares about  {escaped(', '.join(card.values))}")
    out.print(f"with you     {escaped(card.relationship)}")
    if card.inside_jokes:
        out.print(f"jokes        {escaped('; '.join(card.inside_jokes))}")


@persona_app.command("show")
def persona_show(as_json: JsonOpt = False) -> None:
    """Who os1 is now."""

    async def work(identity: Identity, user_id: int, _: Companion) -> PersonaCard | None:
        return await identity.current(user_id)

    card = _with_identity(work)
    if card is None:
        with friendly_errors():
            raise InputError("os1 has no persona yet.", "Run `os1 setup` or start `os1 chat`.")
    assert card is not None
    if as_json:
        sys.stdout.write(inert_json(card.model_dump_json(indent=2)) + "\n")
    else:
        _card_text(card)


@persona_app.command("history")
def persona_history(as_json: JsonOpt = False) -> None:
    """Every version of the persona: when, from what, and why."""

    async def work(identity: Identity, user_id: int, _: Companion) -> list[Any]:
        return await identity.history(user_id)

    versions = _with_identity(work)
    if as_json:
        sys.stdout.write(
            json.dumps(
                [
                    {
                        "version": v.version,
                        "source": v.source,
                        "reason": v.reason,
                        "created_at": v.created_at.isoformat(),
                        "card": v.card,
                    }
                    for v in versions
                ],
                indent=2,
            )
            + "\n"
        )
        return
    table = Table("version", "when", "from", "why", "name", "loves")
    for v in versions:
        table.add_row(
            str(v.version),
            f"{v.created_at.astimezone():%Y-%m-%d %H:%M}",
            escaped(v.source),
            escaped(v.reason),
            escaped(str(v.card.get("name", ""))),
            escaped(", ".join(v.card.get("interests", []))),
        )
    out.print(table)


@persona_app.command("reset")
def persona_reset() -> None:
    """Go back to the persona the setup interview made (the name stays)."""

    async def work(identity: Identity, user_id: int, _: Companion) -> PersonaCard:
        return await identity.reset(user_id)

    card = _with_identity(work)
    out.print(f"{escaped(card.name)} is back to who it was after setup.")


@persona_app.command("pin")
def persona_pin(
    interest: Annotated[str, typer.Argument(help="An interest growth must keep.")],
) -> None:
    """Pin an interest so reflection never drops it (adds it if it is new)."""

    async def work(identity: Identity, user_id: int, _: Companion) -> PersonaCard:
        return await identity.pin(user_id, interest)

    card = _with_identity(work)
    out.print(f"Pinned. {escaped(card.name)} loves {escaped(', '.join(card.interests))}.")


@persona_app.command("unpin")
def persona_unpin(interest: Annotated[str, typer.Argument(help="A pinned interest.")]) -> None:
    """Let reflection change an interest again."""

    async def work(identity: Identity, user_id: int, _: Companion) -> PersonaCard:
        return await identity.pin(user_id, interest, keep=False)

    _with_identity(work)
    out.print("Unpinned.")


def journal(as_json: JsonOpt = False) -> None:
    """os1's journal: what changed in it, when, and why."""

    async def work(identity: Identity, user_id: int, _: Companion) -> list[Any]:
        return await asyncio.to_thread(identity.store.journal, user_id)

    entries = _with_identity(work)
    if as_json:
        sys.stdout.write(
            json.dumps(
                [
                    {
                        "persona_version": e.persona_version,
                        "written_at": e.written_at.isoformat(),
                        "text": e.text,
                    }
                    for e in entries
                ],
                indent=2,
            )
            + "\n"
        )
        return
    if not entries:
        out.print("[dim]The journal is empty: it starts with the setup interview.[/]")
    for entry in entries:
        out.print(escaped(entry.text))


@reminders_app.command("list")
def reminders_list(
    every: Annotated[bool, typer.Option("--all", help="Delivered and cancelled too.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Reminders, follow-ups and check-ins waiting to be said."""

    async def work(identity: Identity, user_id: int, companion: Companion) -> list[Any]:
        store = InitiativeStore(companion.journal.engine)
        return await asyncio.to_thread(store.listed, user_id, None if every else "scheduled")

    found = _with_identity(work)
    if as_json:
        sys.stdout.write(
            json.dumps(
                [
                    {
                        "id": i.id,
                        "kind": i.kind,
                        "text": i.text,
                        "due_at": i.due_at.isoformat(),
                        "status": i.status,
                        "delivered_at": i.delivered_at.isoformat() if i.delivered_at else None,
                    }
                    for i in found
                ],
                indent=2,
            )
            + "\n"
        )
        return
    if not found:
        out.print('[dim]Nothing waiting. Say "remind me to … tomorrow at 9" in a conversation.[/]')
        return
    table = Table("id", "kind", "due", "status", "what")
    for i in found:
        table.add_row(
            str(i.id),
            escaped(i.kind),
            f"{i.due_at.astimezone():%a %d %b %H:%M}",
            escaped(i.status),
            escaped(i.text),
        )
    out.print(table)


@reminders_app.command("cancel")
def reminders_cancel(
    initiative_id: Annotated[int, typer.Argument(parser=ID, help="The id to cancel.")],
) -> None:
    """Cancel one before it is said."""

    async def work(identity: Identity, user_id: int, companion: Companion) -> bool:
        store = InitiativeStore(companion.journal.engine)
        return await asyncio.to_thread(store.cancel, user_id, initiative_id)

    if not _with_identity(work):
        with friendly_errors():
            raise InputError(
                f"There is nothing waiting with id {initiative_id}.", "See `os1 reminders list`."
            )
    out.print("Cancelled.")
