"""iCalendar text to events in a window, recurrences expanded, broken items skipped with reasons.

Everything in a calendar is someone else's text (a colleague's invitation, a
shared calendar), so it is read defensively: each event (a UID with its
overrides) is checked and expanded on its own, and one with no start, a
recurrence rule that cannot be read or a time zone nobody defined is set aside
with the reason, never guessed at, while the rest of the calendar is shown.
Times without a zone ("floating") are the machine's local time. A series is
expanded at most :data:`MOST_OCCURRENCES` times per window, so a rule that
repeats every second cannot stall os1.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import icalendar
import recurring_ical_events

from os1.errors import CalendarError

MOST_OCCURRENCES = 500
"""Occurrences of one series read per window; a series repeating more often is cut there."""
MOST_BYTES = 20_000_000
"""The largest calendar read; a bigger one is refused as not a calendar os1 should parse."""
PRODID = "-//os1//calendar//EN"


@dataclass(frozen=True)
class Occurrence:
    """One event as it happens in a window (one instance of a series, or a single event).

    ``summary``, ``location`` and ``description`` are the calendar's text,
    untrusted: they are shown as data and never followed.
    """

    uid: str
    summary: str
    start: datetime
    end: datetime
    all_day: bool = False
    location: str = ""
    description: str = ""
    calendar: str = ""
    recurrence_id: datetime | None = None
    """For an instance of a series, which instance (its original start); None for a single event."""
    busy: bool = True
    href: str = ""
    """Where the event is kept on a CalDAV server (empty for a local file)."""


@dataclass(frozen=True)
class Skipped:
    """An item that could not be used, where it was, and why."""

    where: str
    uid: str
    reason: str
    title: str = ""
    """The item's own title, if it has one (someone else's text, shown as data)."""


@dataclass(frozen=True)
class Entry:
    """One event as stored: a UID's components (the series and its overrides) as a calendar."""

    uid: str
    calendar: icalendar.Calendar
    href: str = ""


def local_zone_at(moment: datetime) -> Any:
    """The machine's time zone at ``moment`` (so a week that crosses a DST change stays right)."""
    return moment.astimezone().tzinfo


def as_aware(value: date | datetime) -> datetime:
    """A start or end as an aware datetime: a date is local midnight, a floating time local."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    return value if value.tzinfo is not None else value.astimezone()


def parse_calendar(data: bytes, where: str) -> icalendar.Calendar:
    """Parse iCalendar text, or a clear error naming the source."""
    if len(data) > MOST_BYTES:
        raise CalendarError(
            f"{where} is {len(data) // 1_000_000} MB, more than a calendar os1 reads "
            f"({MOST_BYTES // 1_000_000} MB).",
            "Split it, or export a shorter range of dates.",
        )
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except (ValueError, IndexError, KeyError, TypeError) as exc:
        raise CalendarError(
            f"{where} is not an iCalendar file ({' '.join(str(exc).split())[:120]}).",
            "Export it again from the calendar app as .ics.",
        ) from exc
    if not isinstance(calendar, icalendar.Calendar):
        raise CalendarError(
            f"{where} does not hold a VCALENDAR.", "Export it again from the calendar app as .ics."
        )
    return calendar


def _unknown_zone(component: icalendar.cal.Component) -> str | None:
    """The TZID an event's times name that no one defined, if any."""
    for name in ("DTSTART", "DTEND", "RECURRENCE-ID"):
        prop = component.get(name)
        if prop is None or not hasattr(prop, "dt"):
            continue
        tzid = prop.params.get("TZID")
        if tzid and isinstance(prop.dt, datetime) and prop.dt.tzinfo is None:
            return str(tzid)
    return None


def _problem(component: icalendar.cal.Component) -> str | None:
    """Why an event cannot be used, or None."""
    if component.get("DTSTART") is None:
        return "it has no start (DTSTART)"
    for name in ("DTSTART", "DTEND", "DURATION", "RECURRENCE-ID", "UID"):
        if isinstance(component.get(name), list):
            return f"it has more than one {name}"
    errors = getattr(component, "errors", None) or []
    if errors:
        prop, message = errors[0]
        return f"its {prop} cannot be read ({message})"
    zone = _unknown_zone(component)
    if zone is not None:
        return f"its time zone {zone!r} is not defined in the calendar nor known to os1"
    try:
        start = component.decoded("DTSTART")
        end = component.decoded("DTEND") if component.get("DTEND") is not None else None
    except (ValueError, TypeError, KeyError) as exc:
        return f"its dates cannot be read ({exc})"
    if end is not None and type(end) is not type(start) and not isinstance(start, datetime):
        return "its start is a date and its end a time"
    if end is not None and as_aware(end) < as_aware(start):
        return "it ends before it starts"
    return None


def entries(
    calendar: icalendar.Calendar, where: str, href: str = ""
) -> tuple[list[Entry], list[Skipped]]:
    """One entry per UID (with the calendar's time zones); broken ones skipped with reasons."""
    zones = list(calendar.walk("VTIMEZONE"))
    grouped: dict[str, list[icalendar.cal.Component]] = {}
    skipped: list[Skipped] = []
    for index, component in enumerate(calendar.walk("VEVENT")):
        uid = str(component.get("UID") or f"(event {index + 1} without a UID)")
        grouped.setdefault(uid, []).append(component)
    found: list[Entry] = []
    for uid, components in grouped.items():
        problems = [p for p in (_problem(c) for c in components) if p]
        if problems:
            title = next((_text(c, "SUMMARY") for c in components if c.get("SUMMARY")), "")
            skipped.append(Skipped(where, uid, problems[0], title))
            continue
        single = icalendar.Calendar()
        single.add("PRODID", PRODID)
        single.add("VERSION", "2.0")
        for zone in zones:
            single.add_component(zone)
        for component in components:
            single.add_component(component)
        found.append(Entry(uid, single, href))
    return found, skipped


def _text(component: icalendar.cal.Component, name: str) -> str:
    value = component.get(name)
    return "" if value is None else " ".join(str(value).split())


def occurrence_of(
    component: icalendar.cal.Component, where: str, href: str, *, series: bool | None = None
) -> Occurrence:
    """One event component (an expanded instance or a single event) as an occurrence.

    ``series`` says whether its UID repeats; an expanded instance no longer
    carries its rule (and every expanded copy carries a RECURRENCE-ID), so
    the caller that expanded it says so.
    """
    raw_start = component.decoded("DTSTART")
    all_day = not isinstance(raw_start, datetime)
    start = as_aware(raw_start)
    if component.get("DTEND") is not None:
        end = as_aware(component.decoded("DTEND"))
    elif component.get("DURATION") is not None:
        end = start + component.decoded("DURATION")
    else:
        end = start + (timedelta(days=1) if all_day else timedelta())
    transparent = str(component.get("TRANSP", "OPAQUE" if not all_day else "TRANSPARENT"))
    cancelled = str(component.get("STATUS", "")).upper() == "CANCELLED"
    recurrence = component.get("RECURRENCE-ID")
    repeats = is_series(component) if series is None else series
    instance = as_aware(recurrence.dt) if recurrence is not None else start
    return Occurrence(
        uid=str(component.get("UID", "")),
        summary=_text(component, "SUMMARY") or "(no title)",
        start=start,
        end=end,
        all_day=all_day,
        location=_text(component, "LOCATION"),
        description=str(component.get("DESCRIPTION") or ""),
        calendar=where,
        recurrence_id=instance if repeats else None,
        busy=transparent.upper() != "TRANSPARENT" and not cancelled,
        href=href,
    )


def expand(
    found: Iterable[Entry], start: datetime, end: datetime, where: str
) -> tuple[list[Occurrence], list[Skipped]]:
    """Every occurrence overlapping ``[start, end)``, in time order; failing series skipped."""
    occurrences: list[Occurrence] = []
    skipped: list[Skipped] = []
    for entry in found:
        try:
            repeats = _repeats(entry)
            expanded = (
                _capped(entry, start, end)
                if repeats
                else recurring_ical_events.of(entry.calendar).between(
                    start - timedelta(days=1), end
                )
            )
            for component in expanded:
                if str(component.get("STATUS", "")).upper() == "CANCELLED":
                    continue
                made = occurrence_of(component, where, entry.href, series=repeats)
                if made.start < end and (made.end > start or made.start >= start):
                    occurrences.append(made)
        except Exception as exc:  # a library error on someone else's data skips that event only
            skipped.append(Skipped(where, entry.uid, f"its dates cannot be expanded ({exc})"))
    occurrences.sort(key=lambda o: (o.start, o.end, o.summary))
    return occurrences, skipped


def is_series(component: Any) -> bool:
    """Whether an event component repeats (a rule or extra dates)."""
    return component.get("RRULE") is not None or component.get("RDATE") is not None


def _repeats(entry: Entry) -> bool:
    return any(is_series(c) for c in entry.calendar.walk("VEVENT"))


def _capped(entry: Entry, start: datetime, end: datetime) -> list[Any]:
    """A series' occurrences from a day before ``start`` until ``end``, at most MOST_OCCURRENCES."""
    taken: list[Any] = []
    for component in recurring_ical_events.of(entry.calendar).after(start - timedelta(days=1)):
        if as_aware(component.decoded("DTSTART")) >= end or len(taken) >= MOST_OCCURRENCES:
            break
        taken.append(component)
    return taken


def read_window(
    data: bytes, where: str, start: datetime, end: datetime, href: str = ""
) -> tuple[list[Occurrence], list[Skipped]]:
    """Parse a calendar and expand it over a window; a calendar that is not one raises."""
    found, skipped = entries(parse_calendar(data, where), where, href)
    occurrences, failed = expand(found, start, end, where)
    return occurrences, skipped + failed


def to_utc(moment: datetime) -> datetime:
    """An aware moment in UTC, as os1 writes times into a calendar."""
    return moment.astimezone(UTC)


def event_calendar(
    uid: str,
    summary: str,
    start: datetime,
    end: datetime,
    stamp: datetime,
    *,
    location: str = "",
    description: str = "",
    organizer: str = "",
    rule: str = "",
) -> str:
    """A calendar holding one new event, times in UTC, as written to a file or a server."""
    calendar = icalendar.Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    event = icalendar.Event()
    event.add("UID", uid)
    event.add("DTSTAMP", to_utc(stamp))
    event.add("DTSTART", to_utc(start))
    event.add("DTEND", to_utc(end))
    event.add("SUMMARY", summary)
    if location:
        event.add("LOCATION", location)
    if description:
        event.add("DESCRIPTION", description)
    if organizer:
        event.add("ORGANIZER", f"mailto:{organizer}")
    if rule:
        event.add("RRULE", icalendar.vRecur.from_ical(rule))
    calendar.add_component(event)
    return str(calendar.to_ical().decode("utf-8"))


def moved(
    entry: Entry, recurrence_id: datetime | None, start: datetime, end: datetime
) -> icalendar.Calendar:
    """The entry with one event moved: the whole single event, or one instance of a series."""
    calendar = _copy(entry.calendar)
    master = _master(calendar)
    if recurrence_id is None or master is None or not is_series(master):
        target = master if master is not None else next(iter(calendar.walk("VEVENT")))
        _retime(target, start, end)
        return calendar
    override = _override(calendar, recurrence_id)
    if override is None:
        override = icalendar.Event()
        for name, value in master.property_items(recursive=False):
            if name not in {
                "BEGIN",
                "END",
                "RRULE",
                "RDATE",
                "EXDATE",
                "DTSTART",
                "DTEND",
                "DURATION",
            }:
                override.add(name, value)
        override.add("RECURRENCE-ID", to_utc(recurrence_id))
        calendar.add_component(override)
    _retime(override, start, end)
    return calendar


def cancelled(entry: Entry, recurrence_id: datetime | None) -> icalendar.Calendar | None:
    """The entry with one instance of a series taken out, or None: the whole event goes."""
    calendar = _copy(entry.calendar)
    master = _master(calendar)
    if recurrence_id is None or master is None or not is_series(master):
        return None
    master.add("EXDATE", to_utc(recurrence_id))
    override = _override(calendar, recurrence_id)
    if override is not None:
        calendar.subcomponents.remove(override)
    _bump(master)
    return calendar


def _copy(calendar: icalendar.Calendar) -> icalendar.Calendar:
    copied = icalendar.Calendar.from_ical(calendar.to_ical())
    assert isinstance(copied, icalendar.Calendar)
    return copied


def _master(calendar: icalendar.Calendar) -> Any:
    return next((c for c in calendar.walk("VEVENT") if c.get("RECURRENCE-ID") is None), None)


def _override(calendar: icalendar.Calendar, recurrence_id: datetime) -> Any:
    for component in calendar.walk("VEVENT"):
        found = component.get("RECURRENCE-ID")
        if found is not None and as_aware(found.dt) == recurrence_id:
            return component
    return None


def _retime(component: Any, start: datetime, end: datetime) -> None:
    for name in ("DTSTART", "DTEND", "DURATION"):
        component.pop(name, None)
    component.add("DTSTART", to_utc(start))
    component.add("DTEND", to_utc(end))
    _bump(component)


def _bump(component: Any) -> None:
    sequence = int(component.get("SEQUENCE", 0) or 0)
    component.pop("SEQUENCE", None)
    component.add("SEQUENCE", sequence + 1)


def replaced(raw: bytes, uid: str, by: icalendar.Calendar | None) -> bytes:
    """A calendar file's bytes with one UID's events swapped for ``by``'s (or removed).

    Everything else in the file stays byte for byte as it was, events os1
    skipped as broken included: editing one event never loses or rewrites
    another. Time zones ``by`` needs that the file lacks are added.
    """
    newline = b"\r\n" if b"\r\n" in raw else b"\n"
    lines = raw.splitlines(keepends=True)
    kept: list[bytes] = []
    block: list[bytes] | None = None
    for line in lines:
        bare = line.rstrip(b"\r\n")
        if block is None and bare.upper() == b"BEGIN:VEVENT":
            block = [line]
            continue
        if block is not None:
            block.append(line)
            if bare.upper() == b"END:VEVENT":
                if _block_uid(block) != uid:
                    kept.extend(block)
                block = None
            continue
        kept.append(line)
    if block is not None:
        kept.extend(block)
    if by is None:
        return b"".join(kept)
    present = raw.decode("utf-8", "replace")
    added = [
        z.to_ical() for z in by.walk("VTIMEZONE") if f"TZID:{z.get('TZID')}" not in present
    ] + [c.to_ical() for c in by.walk("VEVENT")]
    text = b"".join(part.replace(b"\r\n", newline) for part in added)
    at = max(
        (i for i, line in enumerate(kept) if line.rstrip(b"\r\n").upper() == b"END:VCALENDAR"),
        default=len(kept),
    )
    return b"".join(kept[:at]) + text + b"".join(kept[at:])


def _block_uid(block: list[bytes]) -> str:
    """The UID of one VEVENT's lines (folded lines unfolded), not counting nested components."""
    unfolded: list[str] = []
    for line in block:
        text = line.decode("utf-8", "replace").rstrip("\r\n")
        if text[:1] in {" ", "\t"} and unfolded:
            unfolded[-1] += text[1:]
        else:
            unfolded.append(text)
    depth = 0
    for text in unfolded:
        upper = text.upper()
        if upper.startswith("BEGIN:"):
            depth += 1
        elif upper.startswith("END:"):
            depth -= 1
        elif depth == 1 and (upper.startswith("UID:") or upper.startswith("UID;")):
            return text.split(":", 1)[1]
    return ""
