"""The person's calendars as one agenda: read a window, find free time, and change events safely.

Calendars are local ICS files (read where they lie, written atomically, every
other event in the file kept byte for byte in meaning) or CalDAV collections
(copied into the store by :meth:`Agenda.sync`, so reading needs no network).
A change is planned first (:meth:`Agenda.plan_create`, ``plan_move``,
``plan_cancel``, ``plan_invitation``): a :class:`Change` that says exactly what
would be written, with any clash, and round-trips through JSON so it can wait
for the person's yes. :meth:`Agenda.apply` writes it, re-reading the calendar
first, so an event changed or removed meanwhile is never overwritten blindly.
Every method blocks (file, database, network): callers in async code use a
worker thread.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import icalendar

from os1.agenda.ics import (
    Entry,
    Occurrence,
    Skipped,
    entries,
    event_calendar,
    expand,
    parse_calendar,
)
from os1.agenda.ics import cancelled as cancelled_in
from os1.agenda.ics import moved as moved_in
from os1.agenda.ics import replaced as replaced_in
from os1.agenda.invitation import Invitation
from os1.agenda.remote import CalDavCalendar
from os1.agenda.slots import Slot, clashing_with, free_slots
from os1.clock import Clock
from os1.credentials import password_for
from os1.errors import CalendarError, InputError
from os1.files import write_file
from os1.store.pim import CALENDAR, DAV, FILE, Item, PimStore, Source

CREATE, MOVE, CANCEL = "create", "move", "cancel"
_EMPTY = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//os1//calendar//EN\r\nEND:VCALENDAR\r\n"
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_FILLER = frozenset(
    ["a", "an", "the", "my", "our", "this", "that", "next", "on", "at", "in", "to", "for",
     "with", "of", "and", "meeting", "appointment", "event", "call"]
)  # fmt: skip


@dataclass(frozen=True)
class Window:
    """The events in a stretch of time across every calendar, and what could not be read."""

    start: datetime
    end: datetime
    occurrences: list[Occurrence]
    skipped: list[Skipped] = field(default_factory=list)


@dataclass(frozen=True)
class Change:
    """Exactly what a calendar write would do; shown to the person before it is made."""

    action: str
    """``create``, ``move`` or ``cancel``."""
    calendar: str
    uid: str
    summary: str
    start: datetime
    end: datetime
    location: str = ""
    recurrence_id: datetime | None = None
    """For one instance of a series: which one (the whole event when None)."""
    was_start: datetime | None = None
    was_end: datetime | None = None
    href: str = ""
    body: str = ""
    """For ``create``: the calendar text that will be written, as shown."""
    clashes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The change as JSON, to wait in a proposal."""
        data = asdict(self)
        for key in ("start", "end", "recurrence_id", "was_start", "was_end"):
            data[key] = data[key].isoformat() if data[key] is not None else None
        data["clashes"] = list(self.clashes)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Change:
        """A change read back from a proposal."""
        values = dict(data)
        for key in ("start", "end", "recurrence_id", "was_start", "was_end"):
            values[key] = datetime.fromisoformat(values[key]) if values.get(key) else None
        values["clashes"] = tuple(values.get("clashes") or ())
        return cls(**values)


def when(start: datetime, end: datetime | None = None, *, all_day: bool = False) -> str:
    """A time as a person reads it, in local time: "Fri 4 Dec 15:00-16:00"."""
    local = start.astimezone()
    day = f"{local:%a} {local.day} {local:%b}"
    if all_day:
        return f"{day} (all day)"
    if end is None:
        return f"{day} {local:%H:%M}"
    until = end.astimezone()
    if until.date() == local.date():
        return f"{day} {local:%H:%M}-{until:%H:%M}"
    return f"{day} {local:%H:%M} to {until:%a} {until.day} {until:%b} {until:%H:%M}"


def describe(change: Change) -> str:
    """One line saying what the change does."""
    where = f" in {change.calendar}"
    if change.action == CREATE:
        return f"Add '{change.summary}' on {when(change.start, change.end)}{where}"
    if change.action == MOVE:
        assert change.was_start is not None
        return (
            f"Move '{change.summary}' from {when(change.was_start, change.was_end)} "
            f"to {when(change.start, change.end)}{where}"
        )
    one = " (this one only)" if change.recurrence_id is not None else ""
    return f"Cancel '{change.summary}' on {when(change.start, change.end)}{one}{where}"


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)}


def matching(occurrences: Sequence[Occurrence], words: str) -> list[Occurrence]:
    """The events whose title holds every meaningful word the person used for it."""
    wanted = _words(words) - _FILLER
    if not wanted:
        return []
    return [o for o in occurrences if wanted <= _words(o.summary)]


class Agenda:
    """One store's calendars for whoever asks by user id."""

    def __init__(self, store: PimStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    # calendars

    def calendars(self, user_id: int) -> list[Source]:
        """The person's calendars, in the order added (the first is where new events go)."""
        return self.store.sources(user_id, CALENDAR)

    def add_file(self, user_id: int, name: str, path: Path) -> Source:
        """Add a local ICS file (made empty if it does not exist yet); a broken file is refused."""
        path = path.expanduser().resolve()
        if path.exists():
            parse_calendar(_read(path), str(path))
        else:
            write_file(path, _EMPTY)
        return self.store.add(user_id, CALENDAR, name, FILE, str(path), self.clock.now())

    def add_caldav(
        self, user_id: int, name: str, url: str, username: str = "", secret: str = ""
    ) -> tuple[Source, int]:
        """Add a CalDAV calendar after signing in and copying it once; how many events it holds."""
        if not re.match(r"^https?://", url):
            raise InputError(
                f"{url!r} is not a CalDAV address.", "Give the calendar's https:// address."
            )
        items = CalDavCalendar(url, username, password_for(secret, f"calendar:{name}")).fetch()
        source = self.store.add(
            user_id, CALENDAR, name, DAV, url, self.clock.now(), username=username,
            secret=secret,
        )  # fmt: skip
        self.store.replace_items(
            user_id, source.id, [Item(i.href, i.etag, i.body) for i in items], self.clock.now()
        )
        return self.store.source(user_id, CALENDAR, source.name), len(items)

    def remove(self, user_id: int, name: str) -> Source:
        """Forget a calendar (its file or server is left untouched)."""
        source = self.store.source(user_id, CALENDAR, name)
        self.store.remove(user_id, source.id)
        return source

    def sync(self, user_id: int, name: str | None = None) -> list[tuple[Source, int]]:
        """Copy each CalDAV calendar (or the one named) afresh; how many events each holds.

        A sync that fails keeps the last copy whole and says why.
        """
        done: list[tuple[Source, int]] = []
        for source in self.calendars(user_id):
            if name is not None and source.name != name:
                continue
            if source.kind == FILE:
                found, _ = entries(parse_calendar(_read(Path(source.location)), source.name), "")
                done.append((source, len(found)))
                continue
            items = self._remote(source).fetch()
            self.store.replace_items(
                user_id, source.id, [Item(i.href, i.etag, i.body) for i in items], self.clock.now()
            )
            done.append((source, len(items)))
        if name is not None and not done:
            self.store.source(user_id, CALENDAR, name)  # raises, naming the calendars there are
        return done

    # reading

    def window(self, user_id: int, start: datetime, end: datetime) -> Window:
        """Every event from ``start`` to ``end`` in every calendar, and what was skipped and why."""
        occurrences: list[Occurrence] = []
        skipped: list[Skipped] = []
        for source in self.calendars(user_id):
            try:
                found, bad = self._entries(user_id, source)
            except CalendarError as exc:
                skipped.append(Skipped(source.name, "", str(exc)))
                continue
            shown, failed = expand(found, start, end, source.name)
            occurrences.extend(shown)
            skipped.extend(bad + failed)
        occurrences.sort(key=lambda o: (o.start, o.end, o.summary))
        return Window(start, end, occurrences, skipped)

    def free(
        self, user_id: int, start: datetime, end: datetime, minimum: timedelta, **hours: Any
    ) -> tuple[list[Slot], Window]:
        """Free time of at least ``minimum`` in working hours, and the window it was read from."""
        window = self.window(user_id, start, end)
        return free_slots(window.occurrences, start, end, minimum=minimum, **hours), window

    def find(self, user_id: int, words: str, start: datetime, end: datetime) -> list[Occurrence]:
        """The events between ``start`` and ``end`` whose titles hold the person's words."""
        return matching(self.window(user_id, start, end).occurrences, words)

    # planning

    def _target(self, user_id: int, calendar: str | None) -> Source:
        sources = self.calendars(user_id)
        if not sources:
            raise CalendarError(
                "There is no calendar to write to yet.",
                "Add one: `os1 calendar add NAME --file PATH.ics` or `--url https://...`.",
            )
        if calendar is None:
            return sources[0]
        return self.store.source(user_id, CALENDAR, calendar)

    def _clashes(
        self, user_id: int, start: datetime, end: datetime, ignore: Occurrence | None = None
    ) -> tuple[str, ...]:
        around = self.window(user_id, start - timedelta(hours=12), end + timedelta(hours=12))
        return tuple(
            f"'{o.summary}' {when(o.start, o.end)} ({o.calendar})"
            for o in clashing_with(around.occurrences, start, end, ignore=ignore)
        )

    def plan_create(
        self,
        user_id: int,
        summary: str,
        start: datetime,
        end: datetime,
        *,
        location: str = "",
        description: str = "",
        calendar: str | None = None,
        organizer: str = "",
        uid: str = "",
        rule: str = "",
    ) -> Change:
        """What adding an event would write, and what it would clash with; nothing is written."""
        summary = " ".join(summary.split())
        if not summary:
            raise InputError("An event needs a title.", 'Say what it is, like "dentist".')
        if end <= start:
            raise InputError(
                f"The event would end ({when(end)}) before it starts ({when(start)}).",
                "Give a later end or a length, like 'for an hour'.",
            )
        target = self._target(user_id, calendar)
        uid = uid or f"{uuid.uuid4()}@os1"
        body = event_calendar(
            uid, summary, start, end, self.clock.now(), location=location,
            description=description, organizer=organizer, rule=rule,
        )  # fmt: skip
        return Change(
            CREATE, target.name, uid, summary, start, end, location=location, body=body,
            clashes=self._clashes(user_id, start, end),
        )  # fmt: skip

    def plan_invitation(
        self, user_id: int, invitation: Invitation, calendar: str | None = None
    ) -> Change:
        """What putting a mailed invitation in the calendar would write (a new event)."""
        if invitation.method == "CANCEL":
            raise CalendarError(
                f"This is a cancellation of '{invitation.summary}', not an invitation.",
                "Cancel the event itself if it is in your calendar.",
            )
        return self.plan_create(
            user_id, invitation.summary, invitation.start, invitation.end,
            location=invitation.location, description=invitation.description,
            calendar=calendar, organizer=invitation.organizer, uid=invitation.uid,
            rule=invitation.rule,
        )  # fmt: skip

    def plan_move(
        self, user_id: int, occurrence: Occurrence, start: datetime, end: datetime | None = None
    ) -> Change:
        """What moving an event (one instance, for a series) would write; nothing is written."""
        end = end or start + (occurrence.end - occurrence.start)
        return Change(
            MOVE, occurrence.calendar, occurrence.uid, occurrence.summary, start, end,
            location=occurrence.location, recurrence_id=occurrence.recurrence_id,
            was_start=occurrence.start, was_end=occurrence.end, href=occurrence.href,
            clashes=self._clashes(user_id, start, end, occurrence),
        )  # fmt: skip

    def plan_cancel(self, user_id: int, occurrence: Occurrence) -> Change:
        """What cancelling an event (one instance, for a series) would do; nothing is written."""
        return Change(
            CANCEL, occurrence.calendar, occurrence.uid, occurrence.summary, occurrence.start,
            occurrence.end, location=occurrence.location,
            recurrence_id=occurrence.recurrence_id, href=occurrence.href,
        )  # fmt: skip

    # writing

    def apply(self, user_id: int, change: Change) -> str:
        """Make a planned change (after the person's yes); what was done, in one line."""
        source = self.store.source(user_id, CALENDAR, change.calendar)
        if source.kind == FILE:
            self._apply_to_file(source, change)
        else:
            self._apply_to_server(user_id, source, change)
        return (
            describe(change)
            .replace("Add ", "Added ", 1)
            .replace("Move ", "Moved ", 1)
            .replace("Cancel ", "Cancelled ", 1)
        )

    def _apply_to_file(self, source: Source, change: Change) -> None:
        path = Path(source.location)
        raw = _read(path)
        found, _ = entries(parse_calendar(raw, str(path)), source.name)
        entry = next((e for e in found if e.uid == change.uid), None)
        if change.action == CREATE:
            if entry is not None:
                raise CalendarError(
                    f"'{change.summary}' is already in {source.name}.", "Nothing was changed."
                )
            write_file(path, replaced_in(raw, change.uid, _body(change.body)))
            return
        entry = _still_there(entry, change)
        after = _edited(entry, change)
        write_file(path, replaced_in(raw, change.uid, after))

    def _apply_to_server(self, user_id: int, source: Source, change: Change) -> None:
        remote = self._remote(source)
        now = self.clock.now()
        if change.action == CREATE:
            written = remote.put(change.body)
            self.store.put_item(user_id, source.id, Item(written.href, "", written.body), now)
            return
        current = remote.current(change.href)
        found = entries(_body(current), source.name, change.href)[0] if current else []
        entry = _still_there(next((e for e in found if e.uid == change.uid), None), change)
        after = _edited(entry, change)
        if after is None:
            remote.delete(change.href)
            self.store.drop_item(user_id, source.id, change.href)
            return
        body = after.to_ical().decode("utf-8")
        remote.put(body, change.href)
        self.store.put_item(user_id, source.id, Item(change.href, "", body), now)

    # helpers

    def _entries(self, user_id: int, source: Source) -> tuple[list[Entry], list[Skipped]]:
        if source.kind == FILE:
            path = Path(source.location)
            return entries(parse_calendar(_read(path), f"The calendar file {path}"), source.name)
        if source.synced_at is None:
            self.sync(user_id, source.name)
        found: list[Entry] = []
        skipped: list[Skipped] = []
        for item in self.store.items(user_id, source.id):
            try:
                good, bad = entries(parse_calendar(item.body.encode(), source.name), source.name,
                                    item.href)  # fmt: skip
            except CalendarError as exc:
                skipped.append(Skipped(source.name, item.href, str(exc)))
                continue
            found.extend(good)
            skipped.extend(bad)
        return found, skipped

    def _remote(self, source: Source) -> CalDavCalendar:
        password = password_for(source.secret, f"calendar:{source.name}")
        return CalDavCalendar(source.location, source.username, password)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise CalendarError(
            f"The calendar file {path} is gone.",
            "Put it back, or `os1 calendar remove` it and add the new file.",
        ) from exc
    except OSError as exc:
        raise CalendarError(
            f"The calendar file {path} cannot be read ({exc.strerror}).", "Check its permissions."
        ) from exc


def _body(text: str) -> icalendar.Calendar:
    return parse_calendar(text.encode("utf-8"), "the event")


def _still_there(entry: Entry | None, change: Change) -> Entry:
    if entry is None:
        raise CalendarError(
            f"'{change.summary}' is no longer in {change.calendar}; it was moved or removed "
            "since I proposed this.",
            "Nothing was changed. Ask again to see the calendar as it is now.",
        )
    return entry


def _edited(entry: Entry, change: Change) -> icalendar.Calendar | None:
    """The entry after the change; None when the whole event goes."""
    if change.action == MOVE:
        return moved_in(entry, change.recurrence_id, change.start, change.end)
    return cancelled_in(entry, change.recurrence_id)
