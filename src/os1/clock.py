"""The one source of "now" in os1, so tests and evaluations can fix time."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Protocol

from os1.errors import ConfigError


class Clock(Protocol):
    """Anything that can tell the current time (always timezone-aware)."""

    def now(self) -> datetime:
        """Return the current moment as an aware datetime."""
        ...


class SystemClock:
    """The machine's clock, in UTC."""

    def now(self) -> datetime:
        """Return the wall-clock time."""
        return datetime.now(UTC)


class FixedClock:
    """A clock stopped at one moment; used when ``OS1_NOW`` is set and by tests."""

    def __init__(self, moment: datetime) -> None:
        self._moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    def now(self) -> datetime:
        """Return the fixed moment."""
        return self._moment

    def set(self, moment: datetime) -> None:
        """Move the clock, for tests that simulate days passing."""
        self._moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_moment(text: str) -> datetime:
    """Parse an ISO 8601 date-time as ``OS1_NOW`` accepts it; naive values are UTC."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise ConfigError(
            f"OS1_NOW={text!r} is not an ISO date-time.",
            "Use a form like 2026-03-01T09:30:00+00:00, or unset OS1_NOW.",
        ) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def clock_from_env() -> Clock:
    """Return a fixed clock when ``OS1_NOW`` is set, else the system clock."""
    fixed = os.environ.get("OS1_NOW", "").strip()
    return FixedClock(parse_moment(fixed)) if fixed else SystemClock()
