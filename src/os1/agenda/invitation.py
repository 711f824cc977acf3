"""A mailed invitation (``text/calendar``) read into typed fields, nothing in it followed.

An invitation is a stranger's text. Only typed fields come out of it (times
as datetimes, addresses as addresses); its title, place and description are
data to show, and turning it into an event is a proposal the person answers
(:meth:`os1.agenda.Agenda.plan_invitation`, then :meth:`~os1.agenda.Agenda.apply`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from os1.agenda.ics import entries, is_series, occurrence_of, parse_calendar
from os1.errors import CalendarError


@dataclass(frozen=True)
class Invitation:
    """What an invitation says, as typed fields; the text fields are the sender's, untrusted."""

    uid: str
    summary: str
    start: datetime
    end: datetime
    all_day: bool = False
    location: str = ""
    description: str = ""
    organizer: str = ""
    """The organiser's address, without ``mailto:``."""
    attendees: tuple[str, ...] = ()
    method: str = ""
    """``REQUEST`` (an invitation or an update), ``CANCEL``, ``PUBLISH``, or empty."""
    sequence: int = 0
    rule: str = ""
    """The recurrence rule (``FREQ=WEEKLY;BYDAY=MO``) when the event repeats."""


def _address(value: object) -> str:
    text = str(value or "").strip()
    return text[7:] if text.lower().startswith("mailto:") else text


def parse_invitation(data: bytes) -> Invitation:
    """The invitation in a ``text/calendar`` part, or a :class:`CalendarError` naming the fault."""
    calendar = parse_calendar(data, "The invitation")
    found, skipped = entries(calendar, "The invitation")
    if not found:
        reason = skipped[0].reason if skipped else "it holds no event (VEVENT)"
        raise CalendarError(
            f"The invitation cannot be used: {reason}.",
            "Ask the sender for a new invitation, or add the event yourself.",
        )
    entry = found[0]
    components = list(entry.calendar.walk("VEVENT"))
    master = next((c for c in components if c.get("RECURRENCE-ID") is None), components[0])
    shown = occurrence_of(master, "invitation", "")
    rule = master.get("RRULE")
    attendees = master.get("ATTENDEE") or []
    if not isinstance(attendees, list):
        attendees = [attendees]
    return Invitation(
        uid=entry.uid,
        summary=shown.summary,
        start=shown.start,
        end=shown.end,
        all_day=shown.all_day,
        location=shown.location,
        description=shown.description,
        organizer=_address(master.get("ORGANIZER")),
        attendees=tuple(_address(a) for a in attendees),
        method=str(calendar.get("METHOD") or "").upper(),
        sequence=int(master.get("SEQUENCE", 0) or 0),
        rule=rule.to_ical().decode("ascii") if rule is not None and is_series(master) else "",
    )
