"""Initiative: when os1 speaks first, and what it says.

Three kinds: reminders the person asked for ("remind me to call mum tomorrow at
6pm"), follow-ups on plans and events it remembers ("how did the interview
go?", the day after), and an occasional check-in after days of quiet. They are
stored (``InitiativeStore``), so they survive restarts; each is delivered at
most once, and one whose time passed while os1 was off is delivered late with
a note. Follow-ups and check-ins respect quiet hours, a daily cap and an off
switch; reminders were asked for, so only quiet hours never delay them.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from os1.clock import Clock
from os1.memory.dates import resolve_when
from os1.phrases import intent
from os1.store.initiatives import Initiative, InitiativeStore
from os1.store.memories import MemoryRecord
from os1.store.preferences import PreferenceStore

log = logging.getLogger(__name__)

LATE_AFTER = timedelta(minutes=1)
CHECK_IN_AFTER = timedelta(days=3)
OWN_KINDS = ("follow_up", "check_in")

_WHEN = re.compile(
    r"\s+(?P<when>(?:(?:at|on|in|by|tomorrow|tonight|today|this|next|every)\b|"
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b).*)$",
    re.IGNORECASE,
)
_CLOCK = re.compile(
    r"\b(?:at\s+)?(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?\s*(?P<ampm>a\.?m\.?|p\.?m\.?)?(?=\s|$)",
    re.IGNORECASE,
)
_IN = re.compile(r"\bin\s+(?P<n>\d+|an?|one|two|three|four|five|ten|fifteen|twenty|thirty)\s+"
                 r"(?P<unit>minutes?|mins?|hours?|hrs?)\b", re.IGNORECASE)  # fmt: skip
_COUNTS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "ten": 10,
           "fifteen": 15, "twenty": 20, "thirty": 30}  # fmt: skip
_PARTS = {"noon": time(12), "midday": time(12), "tonight": time(20), "this evening": time(19),
          "in the evening": time(19), "this afternoon": time(15), "in the afternoon": time(15),
          "in the morning": time(9), "this morning": time(9)}  # fmt: skip


@dataclass(frozen=True)
class Reminder:
    """What to remind of and when, read from the person's words."""

    what: str
    due: datetime
    when: str = field(default="", compare=False)
    """The time as the person said it ("tomorrow at 6pm"); two readings of one time are equal."""


def _time_of(words: str) -> time | None:
    lowered = words.lower()
    for phrase, at in _PARTS.items():
        if phrase in lowered:
            return at
    for match in _CLOCK.finditer(words):
        if not match["ampm"] and not match["m"] and not re.search(r"\bat\s+\d", lowered):
            continue  # a bare number ("on the 5") is a day, not a time
        hour, minute = int(match["h"]), int(match["m"] or 0)
        ampm = (match["ampm"] or "").lower().replace(".", "")
        if ampm == "pm" and hour < 12:
            hour += 12
        if ampm == "am" and hour == 12:
            hour = 0
        if hour < 24 and minute < 60:
            return time(hour, minute)
    return None


def due_from(words: str, now: datetime) -> datetime | None:
    """When ``words`` ("tomorrow at 6pm", "in 20 minutes", "on Friday") say, in local time."""
    local = now.astimezone()
    relative = _IN.search(words)
    if relative:
        count = _COUNTS.get(relative["n"].lower()) or int(relative["n"])
        unit = relative["unit"].lower()
        try:
            return now + (
                timedelta(hours=count) if unit.startswith("h") else timedelta(minutes=count)
            )
        except OverflowError:  # "in 99999999999999 hours" is past the calendar's end
            return None
    day = resolve_when(words, local.date())
    at = _time_of(words)
    if day is None and at is None:
        return None
    if day is None:
        assert at is not None
        candidate = datetime.combine(local.date(), at, local.tzinfo)
        return candidate if candidate > local else candidate + timedelta(days=1)
    return datetime.combine(day, at or time(9), local.tzinfo)


def reminder_request(text: str, now: datetime) -> Reminder | None:
    """'Remind me to call mum tomorrow at 6pm' → what and when; None if not such a request."""
    match = intent("remind").match(text)
    if not match:
        return None
    rest = match["rest"]
    when = _WHEN.search(rest)
    if not when:
        return None
    due = due_from(when["when"], now)
    what = rest[: when.start()].strip(" ,")
    if due is None or not what or len(what) > 300:
        return None
    return Reminder(what, due, when["when"].strip(" .!?"))


def second_person(content: str) -> str:
    """A memory about "the user" said to them: "The user's interview" → "your interview"."""
    text = re.sub(r"\b[Tt]he user's\b", "your", content)
    for verb, plain in (("has", "have"), ("is", "are"), ("was", "were"), ("does", "do"),
                        ("goes", "go")):  # fmt: skip
        text = re.sub(rf"\b[Tt]he user {verb}\b", f"you {plain}", text)
    text = re.sub(r"\b[Tt]he user\b", "you", text)
    return text.rstrip(".")


@dataclass(frozen=True)
class Rules:
    """The person's settings for os1 speaking first."""

    enabled: bool = True
    quiet_start: time = time(22)
    quiet_end: time = time(8)
    daily_cap: int = 3

    def for_person(self, preferences: Mapping[str, Any]) -> Rules:
        """These rules with what one person has set for themself (``PreferenceStore``)."""
        quiet = preferences.get("quiet_hours")
        start, end = parse_quiet_hours(quiet) if isinstance(quiet, str) else (None, None)
        enabled = preferences.get("initiative")
        cap = preferences.get("daily_initiatives")
        return Rules(
            enabled if isinstance(enabled, bool) else self.enabled,
            start if start is not None else self.quiet_start,
            end if end is not None else self.quiet_end,
            cap if isinstance(cap, int) and not isinstance(cap, bool) else self.daily_cap,
        )

    def quiet(self, at: datetime) -> bool:
        """Whether ``at`` (local time) falls in the quiet hours."""
        now = at.astimezone().time()
        if self.quiet_start <= self.quiet_end:
            return self.quiet_start <= now < self.quiet_end
        return now >= self.quiet_start or now < self.quiet_end


def parse_quiet_hours(text: str) -> tuple[time, time]:
    """'22:00-08:00' → (22:00, 08:00); a clear ValueError otherwise."""
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", text)
    if not match:
        raise ValueError(f"quiet hours must look like 22:00-08:00, not {text!r}")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        raise ValueError(f"quiet hours must be times of day, not {text!r}")
    return time(h1, m1), time(h2, m2)


@dataclass(frozen=True)
class Delivered:
    """An initiative handed to the person now, and whether it comes late."""

    initiative: Initiative
    late: bool


class Initiatives:
    """Schedules and delivers what os1 says first, for one store and clock."""

    def __init__(
        self,
        store: InitiativeStore,
        clock: Clock,
        rules: Rules,
        preferences: PreferenceStore | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.rules = rules
        self.preferences = preferences

    async def rules_for(self, user_id: int) -> Rules:
        """The rules for one person: the settings, with what they set for themself."""
        if self.preferences is None:
            return self.rules
        own = await asyncio.to_thread(self.preferences.get, user_id)
        return self.rules.for_person(own)

    async def remind(self, user_id: int, reminder: Reminder) -> Initiative:
        """Schedule a reminder the person asked for."""
        key = f"reminder:{reminder.due.isoformat()}:{reminder.what.lower()[:120]}"
        await asyncio.to_thread(
            self.store.schedule, user_id, "reminder", key,
            f"You asked me to remind you: {reminder.what}.", reminder.due, self.clock.now(),
        )  # fmt: skip
        found = await asyncio.to_thread(self.store.listed, user_id, None)
        return next(i for i in found if i.key == key)

    async def follow_up(self, user_id: int, records: Sequence[MemoryRecord]) -> int:
        """Schedule a "how did it go?" for the day after each dated plan or event."""
        scheduled = 0
        for record in records:
            if record.kind not in ("plan", "event") or record.happens_on is None:
                continue
            local = self.clock.now().astimezone()
            if record.happens_on >= date.max - timedelta(days=1):
                continue  # the calendar's last day has no day after to ask on
            due = datetime.combine(record.happens_on + timedelta(days=1), time(10), local.tzinfo)
            if due <= self.clock.now():
                continue
            text = f"How did it go? You'd mentioned {second_person(record.content)}."
            made = await asyncio.to_thread(
                self.store.schedule, user_id, "follow_up", f"follow_up:memory:{record.id}",
                text, due, self.clock.now(),
            )  # fmt: skip
            scheduled += made is not None
        return scheduled

    async def check_in(self, user_id: int, last_talk: datetime | None, name: str) -> bool:
        """After days of quiet, schedule one check-in for now (once per quiet spell)."""
        now = self.clock.now()
        if last_talk is None or now - last_talk < CHECK_IN_AFTER:
            return False
        made = await asyncio.to_thread(
            self.store.schedule, user_id, "check_in", f"check_in:{last_talk.isoformat()}",
            f"It's been a few days{', ' + name if name else ''}. How are you doing?",
            now, now,
        )  # fmt: skip
        return made is not None

    async def deliver_due(self, user_id: int) -> list[Delivered]:
        """Claim and return what is due now, within quiet hours, the cap and the switch."""
        now = self.clock.now()
        due = await asyncio.to_thread(self.store.due, user_id, now)
        rules = await self.rules_for(user_id)
        if not due or rules.quiet(now):
            return []
        day_start = now.astimezone().replace(hour=0, minute=0, second=0, microsecond=0)
        own = await asyncio.to_thread(self.store.delivered_since, user_id, day_start, OWN_KINDS)
        delivered: list[Delivered] = []
        for initiative in due:
            if initiative.kind in OWN_KINDS:
                if not rules.enabled or own >= rules.daily_cap:
                    continue
                own += 1
            if await asyncio.to_thread(self.store.claim, user_id, initiative.id, now):
                delivered.append(Delivered(initiative, now - initiative.due_at > LATE_AFTER))
                log.info("initiative %d (%s) delivered", initiative.id, initiative.kind)
        return delivered
