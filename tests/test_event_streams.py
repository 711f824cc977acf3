"""Whole event streams of scripted conversations, through each front door, against snapshots.

A change to the event vocabulary (a new event, a renamed field, a different
order) shows up here as a diff of ``tests/snapshots/*.json`` in review. Times
and durations are replaced by placeholders; ids are those of a fresh home.
Run with ``OS1_TEST_UPDATE_SNAPSHOTS=1`` to rewrite the files after a change
that is meant.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tests.conftest import run_os1, write_script

from os1.testing import tone_speech
from os1.voice.audio import write_wav

SNAPSHOTS = Path(__file__).parent / "snapshots"
NOW = "2026-11-23T10:00:00+00:00"
TIMES = {"at", "due_at"}
ANA = json.dumps(
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
)


def normalise(value: Any, key: str = "") -> Any:
    """Times become "<time>", durations "<ms>"; everything else is kept as it is."""
    if isinstance(value, dict):
        return {k: normalise(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise(v, key) for v in value]
    if key in TIMES and value is not None:
        return "<time>"
    if (key.endswith("_ms") or key.endswith("_s")) and isinstance(value, int | float):
        return "<ms>"
    return value


def matches_snapshot(name: str, streams: dict[str, list[dict[str, Any]]]) -> None:
    path = SNAPSHOTS / f"{name}.json"
    got = normalise(streams)
    if os.environ.get("OS1_TEST_UPDATE_SNAPSHOTS"):
        path.write_text(json.dumps(got, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert path.exists(), f"no snapshot {path.name}: run with OS1_TEST_UPDATE_SNAPSHOTS=1"
    assert got == json.loads(path.read_text(encoding="utf-8"))


def say(text: str, env: dict[str, str]) -> list[dict[str, Any]]:
    said = run_os1("say", "--json", text, env=env)
    assert said.code == 0, said.stderr
    return said.events()


def test_a_text_conversation(tmp_path: Path) -> None:
    env = {
        "OS1_MODEL": write_script(tmp_path / "s.json", ["Nice to meet you, Theo.", "{}", "Hi."]),
        "OS1_NOW": NOW,
        "OS1_MEMORY": "false",
    }
    matches_snapshot(
        "text",
        {"Hi, I'm Theo.": say("Hi, I'm Theo.", env), "How are you?": say("How are you?", env)},
    )


def test_a_confirmation_flow(tmp_path: Path) -> None:
    env = {
        "OS1_MODEL": write_script(tmp_path / "s.json", ["Nice.", ANA]),
        "OS1_NOW": NOW,
    }
    streams: dict[str, list[dict[str, Any]]] = {}
    for text in (
        "My sister Ana lives in Porto.",
        "Forget what I told you about Ana.",
        "Okay wait, what exactly would you forget?",
        "sí",
        "yes",
    ):
        streams[text] = say(text, env)
    matches_snapshot("confirmation", streams)
    audit = json.loads(run_os1("audit", "--json", env=env).stdout)
    matches_snapshot("confirmation_audit", {"os1 audit --json": audit})


def test_a_spoken_conversation_from_a_recording(tmp_path: Path) -> None:
    """Token deltas and partial transcripts are left out: their number depends on timing."""
    question = tmp_path / "q.wav"
    write_wav(question, tone_speech(("quiet", 0.3), ("talk", 1.0), ("quiet", 0.3)))
    env = {
        "OS1_MODEL": write_script(tmp_path / "s.json", ["Paris, of course. It is lovely."]),
        "OS1_NOW": NOW,
        "OS1_MEMORY": "false",
        "OS1_STT": "fake:What is the capital of France?",
        "OS1_TTS": "fake",
        "OS1_VAD": "fake",
    }
    talked = run_os1("talk", "--input", str(question), "--fast", "--json", env=env)
    assert talked.code == 0, talked.stderr
    events = [e for e in talked.events() if e["type"] not in ("token_delta", "transcript_partial")]
    matches_snapshot("voice", {"q.wav": events})
