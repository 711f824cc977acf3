"""Fixtures shared by the calendar and contacts tests: Paris local time, a store, a person."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from os1.agenda import Agenda
from os1.clock import FixedClock
from os1.store import Journal, PimStore

NOW = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)  # Monday 08:00 in Paris


@pytest.fixture(autouse=True)
def paris(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time is Paris, as for a person there; restored afterwards."""
    monkeypatch.setenv("TZ", "Europe/Paris")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    opened = Journal.open("", tmp_path / "os1.db")
    yield opened
    opened.close()


@pytest.fixture
def agenda(journal: Journal) -> Agenda:
    return Agenda(PimStore(journal.engine), FixedClock(NOW))


@pytest.fixture
def user(journal: Journal) -> int:
    return journal.user_id("me", NOW)
