"""Property-based tests over what people type and hand to os1: ids, dates, hours, paths, text, JSON.

Each property says what must hold for any input: a value or one of os1's own
errors, never another exception (which would reach the person as a
traceback), and text printed inert. Examples are few and the work small, so
the whole file runs in seconds (``OS1_TEST_FUZZ_EXAMPLES=5000`` searches
longer); a failure prints the smallest input that breaks it.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import typer
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from rich.text import Text
from typer.testing import CliRunner

from os1.cli import app
from os1.cli.params import ID, LARGEST, as_id
from os1.cli.persona import _answers_from
from os1.cli.voice import check_speech_target
from os1.companion.initiative import parse_quiet_hours, reminder_request
from os1.config import Settings
from os1.errors import Os1Error
from os1.files import inside, read_json, write_file
from os1.memory.dates import resolve_when
from os1.memory.exchange import parse_export
from os1.terminal import TerminalStream, clean, escaped, inert_json

EXAMPLES = int(os.environ.get("OS1_TEST_FUZZ_EXAMPLES", "60"))  # raise it to hunt longer
QUICK = settings(max_examples=EXAMPLES, deadline=None, database=None)
CLI = settings(
    max_examples=max(1, EXAMPLES // 4),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

# Text as hostile as it comes: controls, escapes, bidi marks, digits of every script.
hostile_text = st.text(
    st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(["\x1b", "[", "]", "\x07", "\x9b", "\u202e", "\r", "\n", "\t", "/"]),
    ),
    max_size=80,
)
numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["²", "\u0661", "\u0968", "1e3", "0x10", " 7 ", "", "\u0660"]),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | hostile_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=30,
)
FORBIDDEN = {chr(c) for c in (*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0))}
FORBIDDEN |= {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


@QUICK
@given(hostile_text)
def test_cleaned_text_holds_no_control_and_cleaning_twice_changes_nothing(text: str) -> None:
    shown = clean(text)
    assert not FORBIDDEN & set(shown)
    assert clean(shown) == shown


@QUICK
@given(hostile_text, st.lists(st.integers(min_value=1, max_value=9), min_size=1, max_size=20))
def test_a_stream_shows_what_the_whole_text_shows(text: str, cuts: list[int]) -> None:
    screen = TerminalStream()
    shown, start = [], 0
    for size in cuts:
        shown.append(screen.feed(text[start : start + size]))
        start += size
    shown.append(screen.feed(text[start:]))
    shown.append(screen.end())
    assert not FORBIDDEN & set("".join(shown))


@QUICK
@given(hostile_text)
def test_escaped_text_has_no_markup_rich_would_obey(text: str) -> None:
    alone = Text.from_markup(escaped(text))
    assert alone.spans == []
    assert alone.plain.replace("\\", "") == clean(text).replace("\\", "")
    styled = Text.from_markup(f"{escaped(text)}[bold]x[/bold]")
    assert [(s.end - s.start, str(s.style)) for s in styled.spans] == [(1, "bold")]


@QUICK
@given(json_values)
def test_json_printed_for_a_terminal_is_the_same_json_without_raw_controls(value: Any) -> None:
    printed = inert_json(json.dumps(value, ensure_ascii=False))
    assert json.loads(printed) == value
    assert not FORBIDDEN & set(printed)


@QUICK
@given(numbers)
def test_an_id_is_ascii_digits_in_range_or_a_usage_error(text: str) -> None:
    try:
        number = ID(text)
    except typer.BadParameter:
        assert as_id(text) is None
    else:
        assert 1 <= number <= LARGEST
        assert text.strip().isascii()
        assert as_id(text) == number


@QUICK
@given(
    st.one_of(
        hostile_text,
        st.builds(
            "in {} {}".format,
            numbers,
            st.sampled_from(["days", "weeks", "months", "years", "hours", "minutes"]),
        ),
    ),
    st.dates(min_value=date(1, 1, 2), max_value=date(9999, 12, 30)),
)
def test_dates_and_reminders_are_a_value_or_none(words: str, today: date) -> None:
    resolve_when(words, today)
    now = datetime.combine(today, datetime.min.time(), UTC)
    reminder_request(f"remind me to call mum {words}", now)


@QUICK
@given(
    st.one_of(
        hostile_text,
        st.builds(
            "{}:{:02d}-{}:{:02d}".format,
            st.integers(0, 120),
            st.integers(0, 99),
            st.integers(0, 120),
            st.integers(0, 99),
        ),
    )
)
def test_quiet_hours_are_valid_settings_or_a_validation_error(hours: str) -> None:
    try:
        chosen = Settings(quiet_hours=hours)
    except ValidationError:
        return
    start, end = parse_quiet_hours(chosen.quiet_hours)
    assert start.hour < 24
    assert end.hour < 24


@QUICK
@given(json_values)
def test_any_json_document_is_an_import_or_a_clear_refusal(document: Any) -> None:
    with contextlib.suppress(Os1Error):
        parse_export(document)


@QUICK
@given(
    st.datetimes(timezones=st.timezones() | st.none()),
    st.dates(),
)
@example(datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5))), date(2026, 1, 1))
@example(datetime(2026, 1, 1, tzinfo=UTC), date.max)
def test_an_imported_memory_can_be_shown_in_any_time_zone_and_followed_up(
    moment: datetime, day: date
) -> None:
    memory = {
        "id": 1, "kind": "plan", "about": "x", "aspect": "", "content": "A trip.",
        "importance": 3, "confidence": 1.0, "source": "import", "happens_on": day.isoformat(),
        "created_at": moment.isoformat(), "updated_at": moment.isoformat(),
    }  # fmt: skip
    document = {
        "format": "os1-memory-export", "version": 1, "exported_at": moment.isoformat(),
        "memories": [memory],
    }  # fmt: skip
    try:
        [record] = parse_export(document)
    except Os1Error:
        return
    for hours in (-12, 0, 14):
        record.created_at.astimezone(timezone(timedelta(hours=hours)))
    assert record.happens_on is not None
    record.happens_on + timedelta(days=1)  # the day a follow-up asks on


@QUICK
@given(st.binary(max_size=200) | st.builds(lambda n: b"[" * n, st.integers(0, 100_000)))
def test_any_file_of_bytes_is_json_or_a_clear_refusal(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "in.json"
        path.write_bytes(raw)
        with contextlib.suppress(Os1Error):
            read_json(path, "memory export", 1_000_000)


@QUICK
@given(hostile_text, st.sampled_from(["", ".pdf", ".wav"]))
@example("\U0001f600" * 80, ".pdf")  # 320 bytes: longer than a file name may be
@example("..", "")
def test_a_name_makes_a_file_inside_its_folder_that_can_be_written(name: str, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        path = inside(base, name, suffix)
        assert path.parent == base
        write_file(path, b"data", named=False)
        assert path.read_bytes() == b"data"


@QUICK
@given(hostile_text.filter(lambda t: "\x00" not in t))
def test_any_path_a_person_names_is_written_or_refused_plainly(name: str) -> None:
    with tempfile.TemporaryDirectory() as folder, contextlib.suppress(Os1Error):
        write_file(Path(folder) / name, b"data")


@QUICK
@given(hostile_text.filter(lambda t: "\x00" not in t))
def test_any_speech_target_is_accepted_or_refused_before_speaking(name: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        with contextlib.suppress(Os1Error):
            check_speech_target(Path(folder) / name)
        with contextlib.suppress(Os1Error):
            check_speech_target(Path(name))


@QUICK
@given(json_values)
def test_any_answers_document_is_answers_or_a_clear_refusal(document: Any) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "answers.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        with contextlib.suppress(typer.Exit):
            _answers_from(path)


@pytest.fixture
def remembered(tmp_path: Path) -> None:
    source = tmp_path / "one.json"
    source.write_text(
        json.dumps(
            {
                "format": "os1-memory-export",
                "version": 1,
                "exported_at": "2026-01-01T00:00:00+00:00",
                "memories": [
                    {
                        "id": 1,
                        "kind": "fact",
                        "about": "Ana",
                        "aspect": "home",
                        "content": "Ana lives in Porto.",
                        "importance": 3,
                        "confidence": 1.0,
                        "source": "import",
                        "created_at": "2026-01-01T00:00:00+00:00",
                        "updated_at": "2026-01-01T00:00:00+00:00",
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    assert CliRunner().invoke(app, ["memory", "import", str(source)]).exit_code == 0


def _no_traceback(result: Any) -> None:
    assert result.exit_code in (0, 1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )


@CLI
@given(numbers, hostile_text)
def test_memory_commands_take_any_input_without_a_traceback(
    remembered: None, memory_id: str, words: str
) -> None:
    runner = CliRunner()
    _no_traceback(runner.invoke(app, ["memory", "show", "--", memory_id]))
    _no_traceback(runner.invoke(app, ["memory", "edit", "1", "--when", words]))
    _no_traceback(runner.invoke(app, ["memory", "search", words or "x", "--limit", memory_id]))
    listed = runner.invoke(app, ["memory", "list"])
    _no_traceback(listed)
    assert not FORBIDDEN & set(listed.stdout) - {"\x1b"}  # Rich's own styling only


@CLI
@given(hostile_text.filter(str.strip), hostile_text.filter(str.strip))
def test_replies_and_names_of_any_text_are_printed_inert(
    monkeypatch: pytest.MonkeyPatch, message: str, name: str
) -> None:
    monkeypatch.setenv("OS1_MODEL", "scripted")  # its reply repeats the message
    runner = CliRunner()
    said = runner.invoke(app, ["say", "--no-remember", "--", message])
    _no_traceback(said)
    assert not FORBIDDEN & set(said.stdout)
    _no_traceback(runner.invoke(app, ["letters", "client", "add", "--", name]))
    for command in (["history"], ["letters", "client", "list"]):
        shown = runner.invoke(app, command)
        _no_traceback(shown)
        assert not FORBIDDEN & set(shown.stdout) - {"\x1b"}  # Rich's own styling only


COMMANDS = [
    ["memory", "show"], ["memory", "edit", "1", "--content"], ["memory", "edit", "1", "--when"],
    ["memory", "forget", "--yes"], ["memory", "search"], ["memory", "export"],
    ["memory", "import"], ["history", "-c"], ["letters", "show"], ["letters", "diff"],
    ["letters", "client", "show"], ["letters", "edit", "1", "--file"], ["letters", "proofread"],
    ["letters", "write", "--client", "Harold", "--to"], ["reminders", "cancel"],
    ["audit", "--last"], ["persona", "pin"],
    ["setup", "--answers"], ["models", "use"], ["say", "--no-remember", "-c"],
]  # fmt: skip
PATHS = ["-", "/dev/full", "/tmp", "/nonexistent/x.json", "1", "Harold"]  # speech models: slow


@CLI
@given(
    st.sampled_from(COMMANDS),
    st.lists(st.one_of(hostile_text, numbers, st.sampled_from(PATHS)), min_size=1, max_size=2),
)
def test_any_arguments_to_any_command_end_in_a_result_or_one_clear_error(
    remembered: None, command: list[str], arguments: list[str]
) -> None:
    taking_option = command[-1].startswith("-")
    argv = command + (arguments[:1] if taking_option else ["--", *arguments])
    with tempfile.TemporaryDirectory() as folder, contextlib.chdir(folder):
        _no_traceback(CliRunner().invoke(app, argv))  # files it names land in the folder
