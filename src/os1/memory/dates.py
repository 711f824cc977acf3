"""Turning the words people use for dates ("Thursday", "in March") into calendar dates.

The model copies the date words it saw; this deterministic code decides what
they mean relative to when they were said, so "Thursday" said on a Monday is
stored as that Thursday's date. Anything it cannot read gives ``None``, never
a guess.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
_UNITS = {"day": 1, "days": 1, "week": 7, "weeks": 7}
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
            "seven": 7, "eight": 8, "nine": 9, "ten": 10}  # fmt: skip


def _month(word: str) -> int | None:
    word = word.lower().rstrip(".")
    for index, name in enumerate(MONTHS, start=1):
        if len(word) >= 3 and name.startswith(word):
            return index
    return None


def _safe(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _next_month_day(today: date, month: int, day: int) -> date | None:
    candidate = _safe(today.year, month, day)
    if candidate is not None and candidate < today:
        candidate = _safe(today.year + 1, month, day)
    return candidate


def resolve_when(words: str, today: date) -> date | None:
    """Read ``words`` as a date relative to ``today``; ``None`` when they say no clear date.

    A date past the calendar's end ("in 100000000 days") is no clear date either.
    """
    try:
        return _resolve(words, today)
    except OverflowError:
        return None


def _resolve(words: str, today: date) -> date | None:
    text = re.sub(r"[,]", " ", words.lower()).strip()
    if not text:
        return None
    iso = re.search(r"\b(\d{4})-(\d{2})-(\d{2})\b", text)
    if iso:
        return _safe(int(iso[1]), int(iso[2]), int(iso[3]))
    if re.search(r"\bday after tomorrow\b", text):
        return today + timedelta(days=2)
    for word, offset in (("tomorrow", 1), ("yesterday", -1), ("today", 0), ("tonight", 0)):
        if re.search(rf"\b{word}\b", text):
            return today + timedelta(days=offset)
    relative = re.search(r"\bin (\w+) (days?|weeks?|months?|years?)\b", text)
    if relative:
        count = _NUMBERS.get(relative[1]) or (
            int(relative[1]) if _ascii_digits(relative[1]) else None
        )
        if count is None:
            return None
        unit = relative[2]
        if unit.startswith("month"):
            month_index = today.month - 1 + count
            return _safe(today.year + month_index // 12, month_index % 12 + 1, 1)
        if unit.startswith("year"):
            return _safe(today.year + count, today.month, 1)
        return today + timedelta(days=count * _UNITS[unit])
    if re.search(r"\bnext week\b", text):
        return today + timedelta(days=7 - today.weekday())
    if re.search(r"\bnext month\b", text):
        return _safe(today.year + today.month // 12, today.month % 12 + 1, 1)
    if re.search(r"\bnext year\b", text):
        return date(today.year + 1, 1, 1)
    for index, name in enumerate(WEEKDAYS):
        match = re.search(rf"\b(next|last|this)?\s*{name}\b", text)
        if match:
            ahead = (index - today.weekday()) % 7
            if match[1] == "last":
                return today - timedelta(days=(today.weekday() - index) % 7 or 7)
            if match[1] == "next" and ahead == 0:
                ahead = 7
            return today + timedelta(days=ahead)
    day_month = re.search(r"\b(\d{1,2})(?:st|nd|rd|th)?(?: of)? ([a-z]{3,})\b", text)
    month_day = re.search(r"\b([a-z]{3,})\.? (\d{1,2})(?:st|nd|rd|th)?\b", text)
    for match, day_group, month_group in ((day_month, 1, 2), (month_day, 2, 1)):
        if match and _month(match[month_group]):
            month = _month(match[month_group])
            assert month is not None
            return _next_month_day(today, month, int(match[day_group]))
    for word in re.findall(r"[a-z]{3,}", text):
        if word not in MONTHS:
            continue
        if word == "may" and not re.search(r"\b(in|of|by|until|since|early|late|mid) may\b", text):
            continue  # "I may go" is not a date
        month = MONTHS.index(word) + 1
        return today if month == today.month else _next_month_day(today, month, 1)
    ordinal = re.search(r"\bthe (\d{1,2})(?:st|nd|rd|th)\b", text)
    if ordinal:
        day = int(ordinal[1])
        candidate = _safe(today.year, today.month, day)
        if candidate is None or candidate < today:
            month_index = today.month
            candidate = _safe(today.year + month_index // 12, month_index % 12 + 1, day)
        return candidate
    return None


def _ascii_digits(word: str) -> bool:
    """Digits 0-9 only: ``str.isdigit`` also says yes to superscripts, which ``int`` refuses."""
    return word.isascii() and word.isdigit()
