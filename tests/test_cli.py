"""The real ``os1`` command in fresh processes, with the scripted model (fast)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests.conftest import run_os1, write_script


@pytest.fixture
def scripted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OS1_MODEL", "scripted")


@pytest.mark.usefixtures("scripted")
def test_say_continues_the_latest_conversation_across_processes() -> None:
    first = run_os1("say", "My sister Ana lives in Porto.")
    assert first.code == 0, first.stderr
    assert first.stdout.strip() == "You said: My sister Ana lives in Porto."
    second = run_os1("say", "--json", "Where does she live?")
    events = second.events()
    assert next(e["type"] for e in events) == "turn_started"
    assert events[-1]["type"] == "turn_committed"
    assert events[0]["conversation_id"] == 1
    assert events[-1]["conversation_id"] == 1
    history = run_os1("history", "--json")
    turns = json.loads(history.stdout)["turns"]
    assert [t["user_text"] for t in turns] == [
        "My sister Ana lives in Porto.",
        "Where does she live?",
    ]


@pytest.mark.usefixtures("scripted")
def test_new_and_conversation_pick_where_to_speak() -> None:
    run_os1("say", "one")
    fresh = run_os1("say", "--new", "--json", "two").events()
    assert fresh[0]["conversation_id"] == 2
    back = run_os1("say", "--conversation", "1", "--json", "three").events()
    assert back[0]["conversation_id"] == 1
    listed = run_os1("history", "--list", "--json")
    counts = {c["id"]: c["turns"] for c in json.loads(listed.stdout)}
    assert counts == {1: 2, 2: 1}
    text = run_os1("history", "--conversation", "1")
    assert "one" in text.stdout
    assert "three" in text.stdout
    assert "two" not in text.stdout


@pytest.mark.usefixtures("scripted")
def test_unknown_conversation_is_one_clear_line_and_non_zero() -> None:
    result = run_os1("say", "--conversation", "42", "hi")
    assert result.code == 1
    assert "no conversation 42" in result.stderr
    assert "Traceback" not in result.stderr
    history = run_os1("history", "--conversation", "42")
    assert history.code == 1
    assert "Traceback" not in history.stderr


@pytest.mark.usefixtures("scripted")
def test_input_from_stdin_including_junk_and_invalid_utf8() -> None:
    piped = run_os1("say", stdin="hello from a pipe\n")
    assert piped.stdout.strip() == "You said: hello from a pipe"
    junk = run_os1("say", stdin=b"caf\xe9 \x00\x01\x02 ok\xff")
    assert junk.code == 0, junk.stderr
    assert "not valid UTF-8" in junk.stderr
    assert "ok" in junk.stdout
    empty = run_os1("say", stdin=b"   \n")
    assert empty.code == 1
    assert "empty" in empty.stderr


@pytest.mark.usefixtures("scripted")
def test_a_megabyte_paste_is_cut_with_a_notice() -> None:
    result = run_os1("say", "--json", stdin="lorem ipsum " * 90_000)
    assert result.code == 0, result.stderr
    kinds = [e["type"] for e in result.events()]
    assert "notice" in kinds
    assert kinds[-1] == "turn_committed"


def test_config_show_tells_where_each_setting_came_from(home: Path) -> None:
    home.mkdir(parents=True)
    (home / "config.toml").write_text("temperature = 0.3\n", encoding="utf-8")
    result = run_os1("config", "show", "--json", env={"OS1_MAX_REPLY_TOKENS": "99"})
    shown = json.loads(result.stdout)
    assert shown["settings"]["temperature"] == {"value": 0.3, "source": "config file"}
    assert shown["settings"]["max_reply_tokens"] == {
        "value": 99,
        "source": "env OS1_MAX_REPLY_TOKENS",
    }
    assert shown["settings"]["model"]["source"] == "default"
    assert shown["paths"]["config_file"] == str(home / "config.toml")
    table = run_os1("config", "show")
    assert "temperature" in table.stdout


def test_models_use_accepts_a_url_a_gguf_and_names(tmp_path: Path) -> None:
    url = run_os1("models", "use", "http://127.0.0.1:9/v1")
    assert url.code == 0
    assert "does not answer" in url.stderr
    listed = run_os1("models", "list", "--json")
    active = [m for m in json.loads(listed.stdout) if m["active"]]
    assert active[0]["name"] == "http://127.0.0.1:9/v1"

    not_gguf = tmp_path / "notes.gguf"
    not_gguf.write_bytes(b"hello")
    refused = run_os1("models", "use", str(not_gguf))
    assert refused.code == 1
    assert "not a GGUF" in refused.stderr

    gguf = tmp_path / "tiny.gguf"
    gguf.write_bytes(b"GGUF" + b"\0" * 64)
    assert run_os1("models", "use", str(gguf)).code == 0
    assert run_os1("config", "show", "--json").stdout.count(str(gguf)) == 1

    unknown = run_os1("models", "use", "no-such-model")
    assert unknown.code == 1
    assert "no model called" in unknown.stderr

    back = run_os1("models", "use", "qwen2.5-coder-1.5b-instruct-q4_k_m")
    assert back.code == 0
    assert "installed on first use" in back.stdout


def test_an_unreachable_server_is_one_clear_sentence() -> None:
    result = run_os1("say", "hi", env={"OS1_MODEL": "http://127.0.0.1:9/v1"})
    assert result.code == 1
    assert "Cannot reach the model server at http://127.0.0.1:9/v1" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_corrupt_model_file_is_one_clear_sentence(tmp_path: Path) -> None:
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + os.urandom(4096))
    result = run_os1("say", "hi", env={"OS1_MODEL": str(broken)})
    assert result.code == 1
    assert "could not load" in result.stderr
    assert "Traceback" not in result.stderr


def test_every_command_has_help_and_a_version() -> None:
    assert run_os1("--version").stdout.startswith("os1 ")
    for command in (
        ["chat"],
        ["say"],
        ["history"],
        ["models"],
        ["models", "install"],
        ["models", "list"],
        ["models", "use"],
        ["config", "show"],
    ):
        shown = run_os1(*command, "--help")
        assert shown.code == 0, command
        assert "Usage" in shown.stdout


@pytest.mark.usefixtures("scripted")
def test_chat_session_with_slash_commands() -> None:
    result = run_os1("chat", stdin="hello there\n/history\n/new\nsecond\n/quit\n")
    assert result.code == 0, result.stderr
    assert "You said: hello there" in result.stdout
    assert "new conversation 2" in result.stdout
    assert "You said: second" in result.stdout
    listed = json.loads(run_os1("history", "--list", "--json").stdout)
    assert sorted(c["turns"] for c in listed) == [1, 1]


def test_ctrl_c_in_chat_stops_the_reply_and_keeps_it(tmp_path: Path) -> None:
    model = write_script(tmp_path / "s.json", [" ".join(f"w{i}" for i in range(400))], 0.02)
    proc = subprocess.Popen(
        [sys.executable, "-m", "os1", "chat"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "OS1_MODEL": model},
    )
    assert proc.stdin is not None
    assert proc.stdout is not None
    proc.stdin.write(b"talk for a long time\n")
    proc.stdin.flush()
    seen = b""
    while b"w5 " not in seen:
        seen += proc.stdout.read1(64)
    proc.send_signal(signal.SIGINT)
    time.sleep(0.5)
    proc.stdin.write(b"/quit\n")
    proc.stdin.flush()
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert b"interrupted" in err
    stored = json.loads(run_os1("history", "--json").stdout)["turns"]
    assert stored[0]["interrupted"] is True
    assert stored[0]["reply"].startswith("w0 w1 w2 w3 w4 w5")
    assert "w399" not in stored[0]["reply"]


def test_ctrl_c_at_the_prompt_leaves_cleanly() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "os1", "chat"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "OS1_MODEL": "scripted"},
    )
    assert proc.stdout is not None
    seen = b""
    while b"you >" not in seen:
        seen += proc.stdout.read1(64)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert b"Traceback" not in err


@pytest.mark.usefixtures("scripted")
def test_history_before_anything_was_said_creates_nothing() -> None:
    empty = run_os1("history", "--json")
    assert json.loads(empty.stdout) == {"conversation_id": None, "turns": []}
    assert "Nothing said yet" in run_os1("history").stdout
    assert json.loads(run_os1("history", "--list", "--json").stdout) == []


def test_memory_commands_end_to_end(tmp_path: Path) -> None:
    script = write_script(
        tmp_path / "s.json",
        [
            "Noted!",
            json.dumps(
                {
                    "memories": [
                        {
                            "kind": "person",
                            "about": "Ana",
                            "aspect": "home city",
                            "content": "The user's sister Ana lives in Porto.",
                            "when": "",
                            "importance": 4,
                        }
                    ]
                }
            ),
        ],
    )
    env = {"OS1_MODEL": script}
    said = run_os1("say", "My sister Ana lives in Porto.", env=env)
    assert said.code == 0, said.stderr
    listed = json.loads(run_os1("memory", "list", "--json", env=env).stdout)
    assert {(m["kind"], m["content"]) for m in listed} == {
        ("person", "The user's sister Ana lives in Porto."),
        ("episode", "My sister Ana lives in Porto."),
    }
    [fact] = [m for m in listed if m["kind"] == "person"]
    memory_id = fact["id"]
    assert {m["source_turn_id"] for m in listed} == {1}

    found = json.loads(run_os1("memory", "search", "Ana Porto", "--json", env=env).stdout)
    assert memory_id in {f["id"] for f in found[:2]}
    shown = run_os1("memory", "show", str(memory_id), env=env)
    assert "you said: My sister Ana lives in Porto." in shown.stdout

    edited = run_os1("memory", "edit", str(memory_id), "--content", "Ana lives in Braga.", env=env)
    assert edited.code == 0, edited.stderr
    exported = tmp_path / "memories.json"
    assert run_os1("memory", "export", str(exported), env=env).code == 0
    data = json.loads(exported.read_text(encoding="utf-8"))
    [corrected] = [m for m in data["memories"] if m["id"] == memory_id]
    assert corrected["content"] == "Ana lives in Braga."
    assert corrected["confidence"] == 1.0

    declined = run_os1("memory", "forget", "Braga", stdin="n\n", env=env)
    assert "Kept everything" in declined.stdout
    assert run_os1("memory", "forget", "Braga", "--yes", env=env).code == 0
    assert json.loads(run_os1("memory", "list", "--json", env=env).stdout) == []
    [audited] = json.loads(run_os1("audit", "--json", env=env).stdout)
    assert (audited["skill"], audited["status"]) == ("forget", "done")
    assert audited["confirmed_by"] == "`os1 memory forget --yes`"

    broken = tmp_path / "broken.json"
    broken.write_text(exported.read_text(encoding="utf-8")[:-40], encoding="utf-8")
    refused = run_os1("memory", "import", str(broken), env=env)
    assert refused.code == 1
    assert "not valid UTF-8 JSON" in refused.stderr
    assert json.loads(run_os1("memory", "list", "--json", env=env).stdout) == []
    assert run_os1("memory", "import", str(exported), env=env).code == 0
    restored = json.loads(run_os1("memory", "list", "--json", env=env).stdout)
    assert {m["content"] for m in restored} == {
        "Ana lives in Braga.",
        "My sister Ana lives in Porto.",
    }


@pytest.mark.postgres
def test_the_cli_works_the_same_on_postgres(tmp_path: Path, postgres_url: str) -> None:
    script = write_script(
        tmp_path / "s.json",
        [
            "Hello Theo.",
            json.dumps(
                {
                    "memories": [
                        {
                            "kind": "preference",
                            "about": "cilantro",
                            "aspect": "taste",
                            "content": "The user hates cilantro.",
                            "when": "",
                            "importance": 3,
                        }
                    ]
                }
            ),
        ],
    )
    env = {"OS1_MODEL": script, "OS1_DATABASE_URL": postgres_url}
    assert run_os1("say", "I'm Theo and I hate cilantro.", env=env).code == 0
    turns = json.loads(run_os1("history", "--json", env=env).stdout)["turns"]
    assert [t["reply"] for t in turns] == ["Hello Theo."]
    remembered = json.loads(run_os1("memory", "list", "--json", env=env).stdout)
    assert {m["content"] for m in remembered} == {
        "The user's name is Theo.",
        "The user hates cilantro.",
        "I'm Theo and I hate cilantro.",
    }
    found = json.loads(run_os1("memory", "search", "cilantro", "--json", env=env).stdout)
    assert "The user hates cilantro." in {f["content"] for f in found[:2]}
    exported = tmp_path / "m.json"
    assert run_os1("memory", "export", str(exported), env=env).code == 0
    assert run_os1("memory", "forget", "cilantro", "--yes", env=env).code == 0
    remaining = json.loads(run_os1("memory", "list", "--json", env=env).stdout)
    assert [m["content"] for m in remaining] == ["The user's name is Theo."]
    # Nothing of this reached the SQLite file in OS1_HOME.
    assert not (Path(os.environ["OS1_HOME"]) / "data" / "os1.db").exists()


@pytest.mark.usefixtures("scripted")
def test_a_locked_database_is_one_clear_sentence_and_loses_nothing(home: Path) -> None:
    assert run_os1("say", "first words").code == 0
    locker = sqlite3.connect(home / "data" / "os1.db", isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        blocked = run_os1("say", "second words")
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert blocked.code == 1
    assert "locked by another program" in blocked.stderr
    assert "Traceback" not in blocked.stderr
    turns = json.loads(run_os1("history", "--json").stdout)["turns"]
    assert [t["user_text"] for t in turns] == ["first words"]
