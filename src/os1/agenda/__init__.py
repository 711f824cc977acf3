"""Calendars: ICS files and CalDAV, recurrences expanded, free time computed, changes proposed.

The mind reaches calendars through :class:`Agenda`; a mailed invitation is read
with :func:`parse_invitation` and becomes an event the same way as any other:
``plan_invitation`` (a :class:`Change` shown to the person) and, after their
yes, ``apply``.
"""

from os1.agenda.agenda import CANCEL, CREATE, MOVE, Agenda, Change, Window, describe, matching, when
from os1.agenda.ics import Occurrence, Skipped, read_window
from os1.agenda.invitation import Invitation, parse_invitation
from os1.agenda.slots import Clash, Slot, clashes, free_slots

__all__ = [
    "CANCEL",
    "CREATE",
    "MOVE",
    "Agenda",
    "Change",
    "Clash",
    "Invitation",
    "Occurrence",
    "Skipped",
    "Slot",
    "Window",
    "clashes",
    "describe",
    "free_slots",
    "matching",
    "parse_invitation",
    "read_window",
    "when",
]
