"""Text os1 did not write (replies, memories, names, files) cannot drive the terminal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.conftest import run_os1, write_script

from os1.terminal import TerminalStream, clean, escaped

HOSTILE = (
    "Hi \x1b[2J\x1b[H there \x1b]0;owned\x07 \x1b]52;c;cm0gLXJmIH4=\x1b\\"
    "\u202eevil\u202c \x9b31m [bold]loud[/bold] [link=https://example.com]click[/link]"
)


def _assert_inert(text: str) -> None:
    assert "\x1b" not in text
    assert "\x9b" not in text
    assert "\u202e" not in text
    assert "owned" not in text  # the title sequence went whole, not just its ESC
    assert "cm0gLXJmIH4=" not in text  # so did the clipboard write


def test_clean_drops_sequences_whole_and_keeps_newlines_and_tabs() -> None:
    assert clean("a\x1b[31mred\x1b[0m\tb\r\nc\x00\x07\x7f") == "ared\tb\nc"
    _assert_inert(clean(HOSTILE))
    assert "[bold]loud[/bold]" in clean(HOSTILE)
    assert escaped("[link=x]y[/link]") == "\\[link=x]y\\[/link]"


@pytest.mark.parametrize("size", [1, 2, 3, 7])
def test_a_sequence_split_across_streamed_tokens_is_still_caught(size: int) -> None:
    screen = TerminalStream()
    pieces = [HOSTILE[i : i + size] for i in range(0, len(HOSTILE), size)]
    shown = "".join(screen.feed(piece) for piece in pieces) + screen.end()
    assert shown == clean(HOSTILE)


def test_say_and_history_print_a_hostile_reply_inert(tmp_path: Path) -> None:
    env = {"OS1_MODEL": write_script(tmp_path / "s.json", [HOSTILE])}
    said = run_os1("say", "--no-remember", "hello", env=env)
    assert said.code == 0, said.stderr
    _assert_inert(said.stdout)
    assert "[bold]loud[/bold]" in said.stdout
    shown = run_os1("history", env=env)
    _assert_inert(shown.stdout)
    assert "[link=https://example.com]click[/link]" in shown.stdout
    exact = json.loads(run_os1("history", "--json", env=env).stdout)
    assert exact["turns"][0]["reply"] == HOSTILE  # JSON keeps the text exactly


def test_json_lines_carry_the_reply_exactly_with_every_control_escaped(tmp_path: Path) -> None:
    env = {"OS1_MODEL": write_script(tmp_path / "s.json", [HOSTILE])}
    said = run_os1("say", "--json", "--no-remember", "hello", env=env)
    assert said.code == 0, said.stderr
    _assert_inert(said.stdout.replace("owned", "").replace("cm0gLXJmIH4=", ""))
    events = said.events()
    assert "".join(str(e["text"]) for e in events if e["type"] == "token_delta") == HOSTILE
    assert events[-1]["reply"] == HOSTILE


def test_chat_prints_a_hostile_reply_inert(tmp_path: Path) -> None:
    env = {"OS1_MODEL": write_script(tmp_path / "s.json", [HOSTILE])}
    talked = run_os1("chat", stdin="hello\n/history\n/quit\n", env=env)
    assert talked.code == 0, talked.stderr
    _assert_inert(talked.stdout)
    assert "[bold]loud[/bold]" in talked.stdout


def test_an_imported_memory_and_a_client_name_list_inert(tmp_path: Path) -> None:
    export = {
        "format": "os1-memory-export",
        "version": 1,
        "exported_at": "2026-01-01T00:00:00+00:00",
        "memories": [
            {
                "id": 1,
                "kind": "fact",
                "about": "\x1b]0;owned\x07x",
                "aspect": "",
                "content": HOSTILE,
                "importance": 3,
                "confidence": 1.0,
                "source": "[link=https://example.com]import[/link]\x1b[2J",
                "created_at": "2026-01-01T00:00:00+00:00",
                "updated_at": "2026-01-01T00:00:00+00:00",
            }
        ],
    }
    source = tmp_path / "in.json"
    source.write_text(json.dumps(export), encoding="utf-8")
    imported = run_os1("memory", "import", str(source))
    assert imported.code == 0, imported.stderr
    for command in (["memory", "list"], ["memory", "show", "1"]):
        shown = run_os1(*command)
        assert shown.code == 0, shown.stderr
        _assert_inert(shown.stdout)
        assert "[link=https://example.c" in shown.stdout  # shown, not obeyed

    added = run_os1("letters", "client", "add", "Ruth\x1b]0;owned\x07 [bold]B[/bold]")
    assert added.code == 0, added.stderr
    _assert_inert(added.stdout)
    listed = run_os1("letters", "client", "list")
    _assert_inert(listed.stdout)
    assert "[bold]B[/bold]" in listed.stdout
