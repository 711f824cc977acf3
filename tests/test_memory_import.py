"""Importing a memory export is idempotent, and reads standard input with '-'."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_os1, write_script


def _fact(content: str) -> str:
    item = {"kind": "person", "about": "Ana", "aspect": "home", "content": content}
    return json.dumps({"memories": [{**item, "when": "", "importance": 4}]})


def test_importing_the_same_export_twice_adds_nothing_the_second_time(
    tmp_path: Path, home: Path
) -> None:
    said = [
        ("My sister Ana lives in Porto.", "The user's sister Ana lives in Porto."),
        ("My sister Ana moved to Lisbon.", "The user's sister Ana lives in Lisbon."),
    ]
    for n, (message, fact) in enumerate(said):
        model = write_script(tmp_path / f"s{n}.json", ["Oh nice.", _fact(fact)])
        assert run_os1("say", message, env={"OS1_MODEL": model}).code == 0
    exported = run_os1("memory", "export")
    assert exported.code == 0, exported.stderr
    memories = json.loads(exported.stdout)["memories"]
    assert any(m.get("superseded_by") for m in memories), "the export should hold a history"

    elsewhere = {"OS1_HOME": str(tmp_path / "elsewhere")}
    first = run_os1("memory", "import", "-", stdin=exported.stdout, env=elsewhere)
    assert first.code == 0, first.stderr
    assert f"Imported {len(memories)} memories." in first.stdout
    again = run_os1("memory", "import", "-", stdin=exported.stdout, env=elsewhere)
    assert again.code == 0, again.stderr
    assert "Imported 0 memories" in again.stdout
    same_home = run_os1("memory", "import", "-", stdin=exported.stdout)
    assert "Imported 0 memories" in same_home.stdout
    copied = json.loads(run_os1("memory", "export", env=elsewhere).stdout)["memories"]
    assert sorted(m["content"] for m in copied) == sorted(m["content"] for m in memories)
