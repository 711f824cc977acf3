"""``os1 calendar``: add calendars, sync, the week, free time, and changes shown before a yes."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from os1.agenda import Agenda, Change, Occurrence, Skipped, parse_invitation, when
from os1.cli.runtime import err, friendly_errors, open_journal, out
from os1.clock import Clock
from os1.companion.skills.calendar_change import (
    CalendarAdd,
    CalendarCancel,
    CalendarMove,
    applied,
    proposal_for,
)
from os1.companion.skills.calendar_time import length_from, split_request, window_from
from os1.companion.skills.calendar_week import listing
from os1.credentials import env_secret, keep_in_keyring
from os1.errors import InputError
from os1.files import read_at_most
from os1.phrases import Reply, read_reply
from os1.skills import Call, Outcome, Proposal, Skill
from os1.store import PimStore
from os1.store.audit import DECLINED, DONE, FAILED, AuditLog
from os1.terminal import escaped, inert_json

calendar_app = typer.Typer(
    help="Your calendars: local ICS files and CalDAV; the week, free time, changes after a yes.",
    no_args_is_help=True,
)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
YesOpt = Annotated[
    bool, typer.Option("--yes", help="Do it without asking (you have read what it does).")
]
MOST_INVITATION_BYTES = 5_000_000
UserOpt = Annotated[str, typer.Option("--user", help="The user name on the server.")]
PasswordEnvOpt = Annotated[
    str | None,
    typer.Option("--password-env", help="Read the password from this variable when needed."),
]
NoPasswordOpt = Annotated[
    bool, typer.Option("--no-password", help="The server asks for no password.")
]


def account_secret(
    account: str, url: str, user: str, password_env: str | None, no_password: bool
) -> str:
    """Where a server's password is kept: a variable named, or the keyring (asked for once)."""
    if password_env:
        return env_secret(password_env)
    if not user or no_password:
        return ""
    typed = typer.prompt(f"Password for {user} at {url}", hide_input=True)
    return keep_in_keyring(account, typed)


@dataclass
class Desk:
    """What a calendar command works with: the person's id, their agenda, the audit log."""

    user_id: int
    agenda: Agenda
    audit: AuditLog
    clock: Clock


@contextlib.contextmanager
def _desk() -> Iterator[Desk]:
    """The agenda on the store, for the person this terminal speaks as; errors in one line."""
    with friendly_errors(), open_journal() as (journal, user_id, clock):
        yield Desk(
            user_id, Agenda(PimStore(journal.engine), clock), AuditLog(journal.engine), clock
        )


def _occurrence(o: Occurrence) -> dict[str, Any]:
    return {
        "calendar": o.calendar,
        "uid": o.uid,
        "summary": o.summary,
        "start": o.start.isoformat(),
        "end": o.end.isoformat(),
        "all_day": o.all_day,
        "location": o.location,
        "busy": o.busy,
        "recurrence_id": o.recurrence_id.isoformat() if o.recurrence_id else None,
    }


def _skipped(found: Sequence[Skipped]) -> list[dict[str, str]]:
    return [
        {"calendar": s.where, "uid": s.uid, "title": s.title, "reason": s.reason} for s in found
    ]


def _print_json(data: Any) -> None:
    sys.stdout.write(inert_json(json.dumps(data, indent=2, ensure_ascii=False)) + "\n")


def _warn_skipped(found: Sequence[Skipped]) -> None:
    for s in found:
        name = s.title or s.uid or s.where
        err.print(f"[yellow]skipped[/] {escaped(s.where)}: {escaped(name)!r}: {escaped(s.reason)}")


@calendar_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="A short name for the calendar, like 'work'.")],
    file: Annotated[
        Path | None, typer.Option("--file", help="A local .ics file (made if missing).")
    ] = None,
    url: Annotated[str | None, typer.Option("--url", help="A CalDAV calendar's address.")] = None,
    user: UserOpt = "",
    password_env: PasswordEnvOpt = None,
    no_password: NoPasswordOpt = False,
) -> None:
    """Add a calendar: a local ICS file, or a CalDAV calendar (signed in and copied once).

    Without --password-env or --no-password the password is asked for once and
    kept in the OS keyring; it is never written to os1's files.
    """
    with friendly_errors():
        if (file is None) == (url is None):
            raise InputError("Give exactly one of --file PATH or --url https://….")
    with _desk() as desk:
        if file is not None:
            source = desk.agenda.add_file(desk.user_id, name, file)
            out.print(f"Added {escaped(source.name)}: {escaped(source.location)}")
            return
        assert url is not None
        secret = account_secret(f"calendar:{name}", url, user, password_env, no_password)
        source, count = desk.agenda.add_caldav(desk.user_id, name, url, user, secret)
    out.print(f"Added {escaped(source.name)} ({count} events copied): {escaped(source.location)}")


@calendar_app.command("list")
def listed(as_json: JsonOpt = False) -> None:
    """Your calendars (new events go to the first)."""
    with _desk() as desk:
        found = desk.agenda.calendars(desk.user_id)
    if as_json:
        _print_json([
            {"name": s.name, "kind": s.kind, "location": s.location, "user": s.username,
             "synced_at": s.synced_at.isoformat() if s.synced_at else None}
            for s in found
        ])  # fmt: skip
        return
    if not found:
        out.print("[dim]No calendar yet: `os1 calendar add NAME --file PATH.ics` or --url.[/]")
        return
    table = Table("name", "kind", "where", "synced")
    for s in found:
        synced = f"{s.synced_at.astimezone():%a %d %b %H:%M}" if s.synced_at else "-"
        kind = "ICS file" if s.kind == "file" else "CalDAV"
        table.add_row(escaped(s.name), kind, escaped(s.location), synced)
    out.print(table)


@calendar_app.command("remove")
def remove(name: Annotated[str, typer.Argument(help="The calendar to forget.")]) -> None:
    """Forget a calendar (the file or the server keeps its events)."""
    with _desk() as desk:
        gone = desk.agenda.remove(desk.user_id, name)
    out.print(f"Removed {escaped(gone.name)}; {escaped(gone.location)} is left as it was.")


@calendar_app.command("sync")
def sync(name: Annotated[str | None, typer.Argument(help="Only this calendar.")] = None) -> None:
    """Copy your CalDAV calendars afresh (a failure keeps the last copy)."""
    with _desk() as desk, err.status("Syncing…"):
        done = desk.agenda.sync(desk.user_id, name)
    for source, count in done:
        out.print(f"{escaped(source.name)}: {count} events")


@calendar_app.command("week")
def week(
    words: Annotated[
        str, typer.Argument(help="Which time: 'this week', 'tomorrow', 'friday', 'next week'…")
    ] = "this week",
    as_json: JsonOpt = False,
) -> None:
    """What is on, day by day, with clashes and unreadable events named."""
    with _desk() as desk:
        start, end, label = window_from(words, desk.clock.now())
        window = desk.agenda.window(desk.user_id, start, end)
    if as_json:
        _print_json({
            "start": start.isoformat(), "end": end.isoformat(),
            "events": [_occurrence(o) for o in window.occurrences],
            "skipped": _skipped(window.skipped),
        })  # fmt: skip
        return
    _warn_skipped(window.skipped)
    if not window.occurrences:
        out.print(f"Nothing in your calendar for {escaped(label)}.")
        return
    out.print(escaped(f"{label[:1].upper()}{label[1:]}:\n{listing(window.occurrences)}"))


@calendar_app.command("free")
def free(
    words: Annotated[str, typer.Argument(help="Which time: 'this week', 'thursday'…")] = "week",
    length: Annotated[str, typer.Option("--length", help="At least this long: '1 hour'.")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Free time in working hours (9:00-18:00), computed from the events."""
    with _desk() as desk:
        now = desk.clock.now()
        start, end, label = window_from(words, now)
        minimum = length_from(f"for {length}") if length else timedelta(minutes=30)
        if minimum is None:
            raise InputError(
                f"{length!r} is not a length.", "Say it like '45 minutes' or '2 hours'."
            )
        slots, window = desk.agenda.free(desk.user_id, max(start, now), end, minimum)
    if as_json:
        _print_json({
            "slots": [{"start": s.start.isoformat(), "end": s.end.isoformat()} for s in slots],
            "skipped": _skipped(window.skipped),
        })  # fmt: skip
        return
    _warn_skipped(window.skipped)
    if not slots:
        out.print(f"No free time of that length for {escaped(label)}.")
    for s in slots:
        out.print(when(s.start, s.end))


def _decide(desk: Desk, skill: Skill, arguments: dict[str, Any], yes: bool, text: str) -> None:
    """Plan with the skill, show the proposal, and carry it out only on a yes (audited)."""
    call = Call(desk.user_id, 0, text, arguments)
    planned: Proposal | Outcome = asyncio.run(skill.plan(call))
    if isinstance(planned, Outcome):
        raise InputError(planned.reply)
    err.print(escaped(planned.question.removesuffix("Shall I? (yes/no)").rstrip()))
    answer = "yes (--yes)"
    if not yes:
        err.print("Shall I? (yes/no) ", end="")
        answer = sys.stdin.readline().strip()
    arguments = {**arguments, **planned.arguments}

    def log(status: str, result: str, by: str) -> None:
        desk.audit.record(desk.user_id, desk.clock.now(), conversation_id=None,
                          skill=skill.name, arguments=arguments, status=status, result=result,
                          confirmed_by=by[:200])  # fmt: skip

    if not yes and read_reply(answer) is not Reply.YES:
        log(DECLINED, "not done", answer)
        out.print("Nothing was changed.")
        raise typer.Exit(1)
    try:
        done = asyncio.run(skill.run(Call(desk.user_id, 0, text, arguments)))
    except Exception as exc:
        log(FAILED, str(exc)[:200], answer)
        raise
    log(DONE, done.result, f"the person at the terminal: {answer}")
    out.print(escaped(done.reply))


@calendar_app.command("new")
def new(
    words: Annotated[str, typer.Argument(help="What and when: 'dentist on Friday at 3pm'.")],
    yes: YesOpt = False,
) -> None:
    """Add an event from your words, shown (with clashes) before it is written."""
    what, said = split_request(words)
    with _desk() as desk:
        if not what or not said:
            raise InputError(
                f"I couldn't tell what and when from {words!r}.",
                "Say it like 'dentist on Friday at 3pm for an hour'.",
            )
        _decide(desk, CalendarAdd(desk.agenda), {"what": what, "when": said}, yes, words)


@calendar_app.command("move")
def move(
    what: Annotated[str, typer.Argument(help="Which event: 'dentist', 'lunch on Friday'.")],
    to: Annotated[str, typer.Argument(help="The new time: 'Friday at 4pm', 'Thursday'.")],
    yes: YesOpt = False,
) -> None:
    """Move an event (one instance of a series), shown before it is written."""
    with _desk() as desk:
        _decide(desk, CalendarMove(desk.agenda), {"what": what, "to": to}, yes, f"move {what}")


@calendar_app.command("cancel")
def cancel(
    what: Annotated[str, typer.Argument(help="Which event: 'standup on Monday'.")],
    yes: YesOpt = False,
) -> None:
    """Cancel an event (one instance of a series), shown before it is removed."""
    with _desk() as desk:
        _decide(desk, CalendarCancel(desk.agenda), {"what": what}, yes, f"cancel {what}")


@calendar_app.command("invitation")
def invitation(
    source: Annotated[Path, typer.Argument(help="An invitation (.ics, text/calendar) or -.")],
    calendar: Annotated[str | None, typer.Option("--calendar", help="Which calendar.")] = None,
    yes: YesOpt = False,
) -> None:
    """Put a mailed invitation in your calendar, shown before it is written."""
    with _desk() as desk:
        data = read_at_most(sys.stdin.buffer if str(source) == "-" else source,
                            MOST_INVITATION_BYTES)  # fmt: skip
        invited = parse_invitation(data)
        change = desk.agenda.plan_invitation(desk.user_id, invited, calendar)
        skill = _InvitationWrite(desk.agenda, change.to_json())
        _decide(desk, skill, {"uid": invited.uid}, yes, f"invitation {invited.uid}")


class _InvitationWrite:
    """The planned invitation as a one-off outward step, so it is confirmed and audited alike."""

    name = "calendar_invitation"
    description = "Put a mailed invitation in the calendar."
    schema: dict[str, Any] = {"type": "object"}  # noqa: RUF012
    outward = True

    def __init__(self, agenda: Agenda, change: dict[str, Any]) -> None:
        self.agenda = agenda
        self.change = change

    def match(self, text: str, now: Any) -> dict[str, Any] | None:
        """Never matched on words: the command names it."""
        return None

    async def plan(self, call: Call) -> Proposal:
        """The event as it would be written."""
        return proposal_for(Change.from_json(self.change))

    async def run(self, call: Call) -> Outcome:
        """Write it."""
        return await applied(self.agenda, call)
