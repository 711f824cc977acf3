"""The person's words for times, read by code for the calendar skills: never guessed.

"this week", "tomorrow", "on Friday" become a window; "Friday at 3pm for an
hour" a start and an end. Words that say no clear time give None, and the
skill asks again instead of picking one.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from os1.companion.initiative import due_from
from os1.memory.dates import resolve_when

DEFAULT_LENGTH = timedelta(hours=1)
_DAY_WORDS = re.compile(
    r"\b(?:today|tonight|tomorrow|(?:mon|tues|wednes|thurs|fri|satur|sun)day|weekend|"
    r"next\s+week|this\s+week|\d{4}-\d{2}-\d{2}|\d{1,2}(?:st|nd|rd|th)|"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\s+\d{1,2})\b",
    re.IGNORECASE,
)
_CLOCK = re.compile(
    r"\b(?:at\s+\d{1,2}(?:[:.]\d{2})?|\d{1,2}(?:[:.]\d{2})?\s*(?:a\.?m\.?|p\.?m\.?)|"
    r"\d{1,2}[:.]\d{2}|noon|midday|in\s+the\s+(?:morning|afternoon|evening)|"
    r"this\s+(?:morning|afternoon|evening)|tonight)\b",
    re.IGNORECASE,
)
_LENGTH = re.compile(
    r"\bfor\s+(?P<n>half\s+an|an|a|one|two|three|four|\d+(?:\.\d+)?)\s+"
    r"(?P<unit>hours?|hrs?|minutes?|mins?)\b",
    re.IGNORECASE,
)
_UNTIL = re.compile(
    r"\b(?:from\s+(?P<from>.+?)\s+)?(?:to|until|till|-)\s+(?P<until>\d{1,2}(?:[:.]\d{2})?\s*"
    r"(?:a\.?m\.?|p\.?m\.?)?)\s*$",
    re.IGNORECASE,
)
_COUNTS = {"half an": 0.5, "an": 1, "a": 1, "one": 1, "two": 2, "three": 3, "four": 4}
_WHEN_STARTS = re.compile(
    r"\s+(?=(?:on|at|from|tomorrow|today|tonight|this|next|every|for\s+(?:half|an?|one|two|"
    r"three|four|\d)|(?:mon|tues|wednes|thurs|fri|satur|sun)day|\d{1,2}(?::\d{2})?\s*(?:am|pm)"
    r"|\d{4}-\d{2}-\d{2})\b)",
    re.IGNORECASE,
)


def says_a_day(words: str) -> bool:
    """Whether ``words`` name a day ("tomorrow", "on Friday", "the 3rd")."""
    return _DAY_WORDS.search(words) is not None


def says_a_time(words: str) -> bool:
    """Whether ``words`` name a time of day ("at 3pm", "12:30", "in the morning")."""
    return _CLOCK.search(words) is not None


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time()).astimezone()


def window_from(words: str, now: datetime) -> tuple[datetime, datetime, str]:
    """The stretch of time the words ask about, and how to name it; a week from today by default."""
    text = words.lower()
    today = now.astimezone().date()
    if "next week" in text:
        monday = today + timedelta(days=7 - today.weekday())
        return _midnight(monday), _midnight(monday + timedelta(days=7)), "next week"
    if "weekend" in text:
        saturday = today + timedelta(days=(5 - today.weekday()) % 7)
        if today.weekday() == 6:
            saturday = today - timedelta(days=1)
        return _midnight(saturday), _midnight(saturday + timedelta(days=2)), "this weekend"
    if "month" in text:
        return _midnight(today), _midnight(today + timedelta(days=31)), "the next month"
    if re.search(r"\b(?:today|my day|tonight)\b", text):
        return _midnight(today), _midnight(today + timedelta(days=1)), "today"
    day = resolve_when(text, today) if says_a_day(text) else None
    if day is not None and day >= today:
        label = "tomorrow" if day == today + timedelta(days=1) else f"{day:%A} {day.day} {day:%B}"
        return _midnight(day), _midnight(day + timedelta(days=1)), label
    return _midnight(today), _midnight(today + timedelta(days=7)), "the next seven days"


def length_from(words: str) -> timedelta | None:
    """How long the words say ("for an hour", "for 90 minutes"), or None."""
    found = _LENGTH.search(words)
    if found is None:
        return None
    count = _COUNTS.get(found["n"].lower().replace("  ", " "))
    amount = float(found["n"]) if count is None else float(count)
    unit = found["unit"].lower()
    minutes = amount * 60 if unit.startswith("h") else amount
    return timedelta(minutes=minutes) if 0 < minutes <= 24 * 60 else None


def span_from(
    words: str, now: datetime, default: timedelta = DEFAULT_LENGTH
) -> tuple[datetime, datetime] | None:
    """Start and end from "Friday at 3pm for an hour", "tomorrow from 2 to 4pm"; None if unclear."""
    text = " ".join(words.split())
    if not says_a_time(text) and not _UNTIL.search(text):
        return None
    until = _UNTIL.search(text)
    start_words = text
    if until is not None:
        begins = until["from"] or ""
        if begins.strip().isdigit() and re.search(r"p\.?m", until["until"], re.IGNORECASE):
            begins += "pm"  # "from 2 to 4pm"
        start_words = text[: until.start()] + (f" at {begins}" if begins else "")
    start = due_from(_with_at(start_words), now)
    if start is None:
        return None
    if until is not None:
        end_at = due_from(f"at {until['until']}", start)
        if end_at is not None:
            end = datetime.combine(start.astimezone().date(), end_at.astimezone().time())
            end = end.astimezone()
            if until["until"].strip().isdigit() and end <= start and end.hour < 12:
                end += timedelta(hours=12)  # "from 2 to 4" in the afternoon
            if end > start:
                return start, end
    return start, start + (length_from(text) or default)


def _with_at(words: str) -> str:
    """Words with "from 2pm" read as "at 2pm", which the reminder parser expects."""
    return re.sub(r"\bfrom\s+", "at ", _LENGTH.sub("", words)).strip()


def split_request(rest: str) -> tuple[str, str]:
    """What, then when: "dentist on Friday at 3pm" gives "dentist" and "on Friday at 3pm"."""
    found = _WHEN_STARTS.search(" " + rest)
    if found is None:
        return rest.strip(), ""
    cut = max(found.start() - 1, 0)
    return rest[:cut].strip(" ,"), rest[cut:].strip(" ,")


def moved_to(words: str, was: datetime, now: datetime) -> datetime | None:
    """Where an event moves: a time ("Friday at 4pm"), or a day keeping its time of day."""
    text = " ".join(words.split())
    if re.fullmatch(r"\d{1,2}(?:[:.]\d{2})?", text):
        text = f"at {text}"
    if says_a_time(text):
        return due_from(_with_at(text), now)
    if says_a_day(text):
        day = resolve_when(text, now.astimezone().date())
        if day is not None:
            return datetime.combine(day, was.astimezone().time()).astimezone()
    return None
