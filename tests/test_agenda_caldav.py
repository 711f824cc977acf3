"""Calendars on a real CalDAV server (Radicale, started here): sync, week, writes, faults."""

# ruff: noqa: F811 (the shared fixtures are imported by name and taken as arguments)

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import caldav
import pytest
from tests.dav_server import Dav, radicale
from tests.pim_fixtures import NOW, agenda, journal, paris, user  # noqa: F401

from os1.agenda import Agenda
from os1.errors import CalendarError, ConfigError

WEEK = (NOW, NOW + timedelta(days=7))
EVENT = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:{uid}
DTSTART:{start}
DTEND:{end}
SUMMARY:{summary}
{extra}END:VEVENT
END:VCALENDAR
"""


@pytest.fixture(scope="module")
def dav(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dav]:
    with radicale(tmp_path_factory.mktemp("radicale")) as server:
        yield server


_made = iter(range(1_000_000))


@pytest.fixture
def work(dav: Dav, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh calendar collection on the server holding a weekly meeting and a one-off."""
    url = dav.make_calendar(f"work{next(_made)}")
    dav.put(f"{url}weekly.ics", EVENT.format(
        uid="weekly@test", start="20261130T090000Z", end="20261130T100000Z",
        summary="Team sync", extra="RRULE:FREQ=WEEKLY\n",
    ), "text/calendar")  # fmt: skip
    dav.put(f"{url}lunch.ics", EVENT.format(
        uid="lunch@test", start="20261202T110000Z", end="20261202T120000Z",
        summary="Lunch with Paul", extra="LOCATION:Chez Marcel\n",
    ), "text/calendar")  # fmt: skip
    monkeypatch.setenv("OS1_TEST_CALDAV_PASSWORD", dav.password)
    return url


def server_events(dav: Dav, url: str) -> dict[str, str]:
    client = caldav.DAVClient(url, username=dav.user, password=dav.password)
    found = client.calendar(url=url).events()
    return {str(e.icalendar_component["UID"]): str(e.data) for e in found}


def test_a_caldav_calendar_is_copied_once_and_read_without_the_network(
    agenda: Agenda, user: int, dav: Dav, work: str
) -> None:
    source, count = agenda.add_caldav(user, "work", work, dav.user, "env:OS1_TEST_CALDAV_PASSWORD")
    assert count == 2
    assert source.synced_at == NOW
    week = agenda.window(user, *WEEK)
    assert [(o.summary, o.start) for o in week.occurrences] == [
        ("Team sync", datetime(2026, 11, 30, 9, tzinfo=UTC)),
        ("Lunch with Paul", datetime(2026, 12, 2, 11, tzinfo=UTC)),
    ]
    assert all(o.href.startswith(work) for o in week.occurrences)
    dav.put(f"{work}new.ics", EVENT.format(
        uid="new@test", start="20261201T150000Z", end="20261201T160000Z", summary="Yoga", extra="",
    ), "text/calendar")  # fmt: skip
    assert "Yoga" not in [o.summary for o in agenda.window(user, *WEEK).occurrences]
    [(_synced, count)] = agenda.sync(user)
    assert count == 3
    assert "Yoga" in [o.summary for o in agenda.window(user, *WEEK).occurrences]


def test_create_move_and_cancel_reach_the_server_only_when_applied(
    agenda: Agenda, user: int, dav: Dav, work: str
) -> None:
    agenda.add_caldav(user, "work", work, dav.user, "env:OS1_TEST_CALDAV_PASSWORD")
    start = datetime(2026, 12, 1, 13, tzinfo=UTC)
    change = agenda.plan_create(user, "Dentist", start, start + timedelta(minutes=45))
    assert set(server_events(dav, work)) == {"weekly@test", "lunch@test"}
    agenda.apply(user, change)
    assert "SUMMARY:Dentist" in server_events(dav, work)[change.uid]

    [lunch] = agenda.find(user, "lunch with Paul", *WEEK)
    later = lunch.start + timedelta(days=1)
    move = agenda.plan_move(user, lunch, later)
    assert move.was_start == lunch.start
    assert move.end - move.start == timedelta(hours=1)
    agenda.apply(user, move)
    assert "DTSTART:20261203T110000Z" in server_events(dav, work)["lunch@test"]

    [first_sync, *_] = agenda.find(user, "team sync", *WEEK)
    agenda.apply(user, agenda.plan_cancel(user, first_sync))
    assert "EXDATE:20261130T090000Z" in server_events(dav, work)["weekly@test"]
    agenda.sync(user)
    summaries = [(o.summary, o.start) for o in agenda.window(user, *WEEK).occurrences]
    assert summaries == [
        ("Dentist", start),
        ("Lunch with Paul", later),
    ], "the copy matches the server after a fresh sync"


def test_a_refused_login_is_named_and_nothing_is_added(
    agenda: Agenda, user: int, dav: Dav, work: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OS1_TEST_CALDAV_PASSWORD", "wrong")
    with pytest.raises(CalendarError, match="refused the login"):
        agenda.add_caldav(user, "work", work, dav.user, "env:OS1_TEST_CALDAV_PASSWORD")
    assert agenda.calendars(user) == []
    monkeypatch.delenv("OS1_TEST_CALDAV_PASSWORD")
    with pytest.raises(ConfigError, match=r"OS1_TEST_CALDAV_PASSWORD, which is not set"):
        agenda.add_caldav(user, "work", work, dav.user, "env:OS1_TEST_CALDAV_PASSWORD")


def test_a_server_that_is_gone_keeps_the_last_copy_and_says_so(
    agenda: Agenda, user: int, tmp_path: Path
) -> None:
    with radicale(tmp_path / "short-lived") as server:
        url = server.make_calendar("home")
        server.put(f"{url}a.ics", EVENT.format(
            uid="a@test", start="20261201T080000Z", end="20261201T090000Z", summary="Swim",
            extra="",
        ), "text/calendar")  # fmt: skip
        import os

        os.environ["OS1_TEST_GONE_PASSWORD"] = server.password
        agenda.add_caldav(user, "home", url, server.user, "env:OS1_TEST_GONE_PASSWORD")
    try:
        with pytest.raises(CalendarError, match="cannot be reached"):
            agenda.sync(user)
        assert [o.summary for o in agenda.window(user, *WEEK).occurrences] == ["Swim"]
    finally:
        del os.environ["OS1_TEST_GONE_PASSWORD"]
