"""``os1 calendar`` through the real command: files, a real Radicale server, a yes before writes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import caldav
import pytest
from tests.conftest import run_os1
from tests.dav_server import Dav, radicale
from tests.test_agenda import CALENDAR, INVITATION

ENV = {"OS1_NOW": "2026-11-30T07:00:00+00:00", "TZ": "Europe/Paris"}


@pytest.fixture(scope="module")
def dav(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dav]:
    with radicale(tmp_path_factory.mktemp("radicale")) as server:
        yield server


def os1(*args: str, stdin: str = "", **env: str) -> tuple[int, str, str]:
    done = run_os1(*args, stdin=stdin, env={**ENV, **env})
    return done.code, done.stdout, done.stderr


def test_the_week_from_a_file_and_an_event_added_only_after_yes(tmp_path: Path) -> None:
    path = tmp_path / "home.ics"
    path.write_text(CALENDAR, encoding="utf-8")
    assert os1("calendar", "add", "home", "--file", str(path))[0] == 0
    code, shown, warned = os1("calendar", "week", "tuesday")
    assert code == 0
    assert shown == (
        "Tomorrow:\nTuesday 1 December\n- 15:00-16:00 'Dentist' at 'Rue de Rivoli 10'\n"
        "- 15:30-16:30 'Design review'\n"
    )
    assert "skipped home: 'Meeting on Mars': its time zone 'Mars/Olympus'" in warned
    before = path.read_bytes()
    code, shown, asked = os1("calendar", "new", "coffee with Marta on Tuesday at 3pm", stdin="no\n")
    assert code == 1
    assert "Add 'Coffee with Marta' on Tue 1 Dec 15:00-16:00 in home?" in asked
    assert "Clashes with 'Dentist' Tue 1 Dec 15:00-16:00 (home)" in asked
    assert path.read_bytes() == before
    code, shown, _ = os1("calendar", "new", "coffee with Marta on Tuesday at 3pm", stdin="yes\n")
    assert (code, shown) == (
        0,
        "Done. Added 'Coffee with Marta' on Tue 1 Dec 15:00-16:00 in home.\n",
    )
    assert "SUMMARY:Coffee with Marta" in path.read_text(encoding="utf-8")
    code, shown, _ = os1("audit", "--json")
    assert '"status": "declined"' in shown
    assert '"status": "done"' in shown
    assert '"skill": "calendar_add"' in shown


def test_a_caldav_calendar_a_refused_login_and_an_invitation_put_in_after_yes(
    dav: Dav, tmp_path: Path
) -> None:
    url = dav.make_calendar("cli")
    code, _, error = os1("calendar", "add", "work", "--url", url, "--user", dav.user,
                         "--password-env", "CAL_PASSWORD", CAL_PASSWORD="nope")  # fmt: skip
    assert code == 1
    assert "refused the login" in error
    code, shown, _ = os1("calendar", "add", "work", "--url", url, "--user", dav.user,
                         "--password-env", "CAL_PASSWORD", CAL_PASSWORD=dav.password)  # fmt: skip
    assert (code, shown) == (0, f"Added work (0 events copied): {url}\n")
    code, shown, asked = os1("calendar", "invitation", "-", stdin=INVITATION.decode(),
                             CAL_PASSWORD=dav.password)  # fmt: skip
    assert "Add 'Project kickoff' on Thu 3 Dec 16:00-17:00 in work?" in asked
    assert code == 1, "no answer is no"
    code, shown, _ = os1("calendar", "invitation", "-", "--yes", stdin=INVITATION.decode(),
                         CAL_PASSWORD=dav.password)  # fmt: skip
    assert code == 0
    client = caldav.DAVClient(url, username=dav.user, password=dav.password)
    [event] = client.calendar(url=url).events()
    assert "SUMMARY:Project kickoff" in str(event.data)
    code, shown, _ = os1("calendar", "week", "thursday", CAL_PASSWORD=dav.password)
    assert "16:00-17:00 'Project kickoff' at 'Room 4'" in shown
