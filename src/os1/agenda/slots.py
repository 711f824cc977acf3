"""Free time and clashes, computed from the events themselves: never guessed by a model.

Only busy events count (an all-day event such as a birthday, or one marked
free, does not). Free slots are looked for inside the working hours of each
day and are at least ``minimum`` long; two events clash when their times
overlap by any amount (one ending at 10:00 and one starting at 10:00 do not).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from os1.agenda.ics import Occurrence


@dataclass(frozen=True)
class Slot:
    """A stretch of free time."""

    start: datetime
    end: datetime

    @property
    def minutes(self) -> int:
        """How long it lasts."""
        return int((self.end - self.start).total_seconds() // 60)


@dataclass(frozen=True)
class Clash:
    """Two busy events whose times overlap."""

    first: Occurrence
    second: Occurrence


def busy_times(occurrences: Sequence[Occurrence]) -> list[tuple[datetime, datetime]]:
    """The busy stretches, overlapping ones merged, in order."""
    spans = sorted((o.start, o.end) for o in occurrences if o.busy and o.end > o.start)
    merged: list[tuple[datetime, datetime]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def free_slots(
    occurrences: Sequence[Occurrence],
    start: datetime,
    end: datetime,
    *,
    day_starts: time = time(9),
    day_ends: time = time(18),
    minimum: timedelta = timedelta(minutes=30),
) -> list[Slot]:
    """Free stretches of at least ``minimum`` within working hours, from ``start`` to ``end``."""
    busy = busy_times(occurrences)
    slots: list[Slot] = []
    day = start.astimezone().date()
    last = end.astimezone().date()
    while day <= last:
        opens = datetime.combine(day, day_starts).astimezone()
        closes = datetime.combine(day, day_ends).astimezone()
        cursor, stop = max(opens, start), min(closes, end)
        for busy_start, busy_end in busy:
            if busy_end <= cursor or busy_start >= stop:
                continue
            if busy_start - cursor >= minimum:
                slots.append(Slot(cursor, busy_start))
            cursor = max(cursor, busy_end)
        if stop - cursor >= minimum:
            slots.append(Slot(cursor, stop))
        day += timedelta(days=1)
    return slots


def clashes(occurrences: Sequence[Occurrence]) -> list[Clash]:
    """Every pair of busy events that overlap, in time order."""
    busy = sorted((o for o in occurrences if o.busy and o.end > o.start), key=lambda o: o.start)
    found: list[Clash] = []
    for index, first in enumerate(busy):
        for second in busy[index + 1 :]:
            if second.start >= first.end:
                break
            found.append(Clash(first, second))
    return found


def clashing_with(
    occurrences: Sequence[Occurrence],
    start: datetime,
    end: datetime,
    *,
    ignore: Occurrence | None = None,
) -> list[Occurrence]:
    """The busy events a time ``[start, end)`` would overlap (``ignore``: the event being moved)."""
    return [
        o
        for o in occurrences
        if o.busy
        and o.start < end
        and o.end > start
        and o.end > o.start
        and not (ignore and o.uid == ignore.uid and o.recurrence_id == ignore.recurrence_id)
    ]
