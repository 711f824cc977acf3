"""What went wrong and what to do, in one line and a non-zero exit, never a traceback."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import run_os1, write_script

from os1.errors import LetterError
from os1.letters import fonts

ANA = {
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


def _one_clear_line(stderr: str) -> None:
    assert "Traceback" not in stderr
    assert len([line for line in stderr.splitlines() if line.strip()]) == 1, stderr


@pytest.fixture
def remembered(tmp_path: Path) -> None:
    source = tmp_path / "ana.json"
    source.write_text(json.dumps(ANA), encoding="utf-8")
    assert run_os1("memory", "import", str(source)).code == 0


def _to_full_disk(
    *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    with open("/dev/full", "wb") as full:
        return subprocess.run(
            [sys.executable, "-m", "os1", *args],
            stdout=full,
            stderr=subprocess.PIPE,
            env={**os.environ, **(env or {})},
            timeout=120,
            check=False,
        )


def _first_bytes_only(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    """Read a few bytes and close the pipe, as ``| head -c 10`` does."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "os1", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **(env or {})},
    )
    assert proc.stdout is not None
    proc.stdout.read(10)
    proc.stdout.close()
    _, stderr = proc.communicate(timeout=120)
    return proc.returncode, stderr.decode()


def test_a_full_disk_on_stdout_keeps_the_turn_and_says_so_once(tmp_path: Path) -> None:
    env = {"OS1_MODEL": write_script(tmp_path / "s.json", ["A long reply. " * 500])}
    said = _to_full_disk("say", "--no-remember", "hello", env=env)
    assert said.returncode == 1
    _one_clear_line(said.stderr.decode())
    assert "No space left" in said.stderr.decode()
    turns = json.loads(run_os1("history", "--json", env=env).stdout)["turns"]
    assert [t["user_text"] for t in turns] == ["hello"]  # nothing lost
    for args in (("history",), ("memory", "export")):
        failed = _to_full_disk(*args, env=env)
        assert failed.returncode == 1
        _one_clear_line(failed.stderr.decode())


def test_a_reader_that_leaves_early_is_no_error(tmp_path: Path, remembered: None) -> None:
    env = {"OS1_MODEL": write_script(tmp_path / "s.json", ["word " * 20_000] * 4)}
    for _ in range(3):
        assert run_os1("say", "--no-remember", "hello", env=env).code == 0
    for args in (("history",), ("memory", "export"), ("say", "--no-remember", "again")):
        code, stderr = _first_bytes_only(*args, env=env)
        assert "Traceback" not in stderr
        assert "Exception ignored" not in stderr
        if args[0] != "memory":  # one memory fits in the pipe before the reader leaves
            assert code == 1, args  # like any well-behaved command whose reader left


@pytest.mark.parametrize("command", [("memory", "import"), ("setup", "--answers")])
def test_deeply_nested_json_is_refused_plainly(tmp_path: Path, command: tuple[str, ...]) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 50_000 + "]" * 50_000, encoding="utf-8")
    refused = run_os1(*command, str(deep))
    assert refused.code == 1
    _one_clear_line(refused.stderr)
    assert "nests its data too deeply" in refused.stderr


@pytest.mark.parametrize("path", ["{tmp}", "{tmp}/missing/in.json"])
def test_import_from_a_folder_or_a_missing_file_is_one_line(tmp_path: Path, path: str) -> None:
    refused = run_os1("memory", "import", path.format(tmp=tmp_path))
    assert refused.code == 1
    _one_clear_line(refused.stderr)


@pytest.mark.parametrize("given", ["²", "\u0661", "99999999999999999999999", "-1", "0x1", ""])
def test_an_id_is_ascii_digits_within_range(given: str, remembered: None) -> None:
    refused = run_os1("memory", "show", given)
    assert refused.code == 2
    assert "Traceback" not in refused.stderr
    if given.strip("-"):
        assert given in refused.stderr  # the usage error names what was given


def test_arabic_indic_one_is_not_memory_one(remembered: None) -> None:
    run_os1("memory", "forget", "\u0661", "--yes")
    assert len(json.loads(run_os1("memory", "list", "--json").stdout)) == 1
    largest = run_os1("memory", "show", str(2**63 - 1))
    assert largest.code == 1
    _one_clear_line(largest.stderr)


@pytest.mark.parametrize(
    "when", ["in 100000000 days", "in 99999999999999999999 weeks", "in ² days"]
)
def test_a_date_past_the_calendar_is_not_a_date(when: str, remembered: None) -> None:
    refused = run_os1("memory", "edit", "1", "--when", when)
    assert refused.code == 1
    _one_clear_line(refused.stderr)
    assert "Cannot read" in refused.stderr


def test_what_editing_accepts_can_be_exported_and_imported_again(
    tmp_path: Path, remembered: None
) -> None:
    too_long = run_os1("memory", "edit", "1", "--content", "word " * 2_000)
    assert too_long.code == 1
    _one_clear_line(too_long.stderr)
    assert "at most 2,000 characters" in too_long.stderr
    empty = run_os1("memory", "edit", "1", "--content", "   ")
    assert empty.code == 1
    longest = ("x" * 9 + " ") * 200
    assert run_os1("memory", "edit", "1", "--content", longest.strip()).code == 0
    exported = tmp_path / "out.json"
    assert run_os1("memory", "export", str(exported)).code == 0
    assert run_os1("memory", "forget", "1", "--yes").code == 0
    again = run_os1("memory", "import", str(exported))
    assert again.code == 0, again.stderr


def test_a_file_that_is_not_a_font_is_a_clear_letter_error(tmp_path: Path) -> None:
    fake = tmp_path / "NotAFont.ttf"
    fake.write_bytes(b"this is not a font at all" * 100)
    with pytest.raises(LetterError, match="damaged or not a font"):
        fonts.load(fonts.FontFile(fake, "fonts-fake"))


def test_dates_no_time_zone_can_show_are_refused_on_import_and_edit(
    tmp_path: Path, remembered: None
) -> None:
    ancient = json.loads(json.dumps(ANA))
    ancient["memories"][0]["created_at"] = "0001-01-01T00:00:00+05:00"
    source = tmp_path / "ancient.json"
    source.write_text(json.dumps(ancient), encoding="utf-8")
    refused = run_os1("memory", "import", str(source))
    assert refused.code == 1
    _one_clear_line(refused.stderr)
    assert "between the years 1900 and 9000" in refused.stderr
    last_day = run_os1("memory", "edit", "1", "--when", "9999-12-31")
    assert last_day.code == 1
    _one_clear_line(last_day.stderr)
    shown = run_os1("memory", "list", env={"TZ": "America/New_York"})
    assert shown.code == 0, shown.stderr


@pytest.mark.parametrize(
    "command",
    [
        ("memory", "import", "/dev/zero"),
        ("setup", "--answers", "/dev/zero"),
        ("letters", "client", "add", "Ruth", "--sample", "/dev/zero"),
    ],
)
def test_a_file_that_never_ends_is_refused_without_reading_it_all(command: tuple[str, ...]) -> None:
    refused = run_os1(*command, timeout=60)
    assert refused.code == 1
    _one_clear_line(refused.stderr)
    assert "bytes" in refused.stderr


def test_a_fault_inside_os1_is_one_line_with_the_traceback_in_the_log(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from os1.logs import configure

    entry = importlib.import_module("os1.cli.main")  # the module, not the function it exports

    def broken() -> None:
        raise RuntimeError("postgresql://os1:hunter2@db/os1 is haunted")

    configure(home / "data" / "os1.log")
    monkeypatch.setattr(entry, "app", broken)
    with pytest.raises(SystemExit) as ended:
        entry.main()
    assert ended.value.code == 1
    stderr = capsys.readouterr().err
    _one_clear_line(stderr)
    assert "RuntimeError" in stderr
    assert "hunter2" not in stderr
    logged = (home / "data" / "os1.log").read_text(encoding="utf-8")
    assert "Traceback" in logged
    assert "hunter2" not in logged


def test_a_closed_stdout_is_one_line_before_anything_is_said() -> None:
    closed = subprocess.run(
        [sys.executable, "-c", "import os, runpy, sys; os.close(1); sys.stdout = None; "
         "sys.argv = ['os1', 'say', 'hello']; runpy.run_module('os1', run_name='__main__')"],
        capture_output=False, stderr=subprocess.PIPE, env={**os.environ, "OS1_MODEL": "scripted"},
        timeout=60, check=False,
    )  # fmt: skip
    assert closed.returncode == 1
    _one_clear_line(closed.stderr.decode())
    assert "standard output is closed" in closed.stderr.decode()
    turns = json.loads(run_os1("history", "--json").stdout)["turns"]
    assert turns == []  # nothing said that nobody could read
