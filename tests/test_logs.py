"""The log file: background work and its failures are written down, privately, and rotate."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests.conftest import run_os1

from os1.app import json_asker
from os1.clock import FixedClock
from os1.companion import Companion
from os1.companion.identity import Answers, Identity
from os1.companion.session import Session
from os1.errors import LLMUnavailable
from os1.llm import ScriptedLLM
from os1.logs import LOG_BACKUPS, LOG_BYTES, configure
from os1.store import Journal
from os1.store.personas import PersonaStore

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "state" / "os1.log"
    configure(path)
    yield path
    root = logging.getLogger("os1")  # let go of the file, and leave logging as it was
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    root.propagate = True
    root.setLevel(logging.NOTSET)


class FailingMind:
    """Stands in for a companion whose memory work cannot reach its embedder."""

    def for_user(self, user: str) -> FailingMind:
        return self

    async def remember_pending(self) -> int:
        raise LLMUnavailable("Cannot reach the embedder at http://127.0.0.1:9/v1.")


def test_a_background_failure_is_logged_with_its_cause_and_the_turn_goes_on(
    log_file: Path,
) -> None:
    asyncio.run(Session(FailingMind(), "me").remember())  # type: ignore[arg-type]
    written = log_file.read_text(encoding="utf-8")
    assert "memory extraction failed; it is tried again later" in written
    assert "Cannot reach the embedder at http://127.0.0.1:9/v1." in written
    assert stat.S_IMODE(log_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(log_file.parent.stat().st_mode) == 0o700


def test_the_log_rotates_and_keeps_a_few_old_files(log_file: Path) -> None:
    line = "x" * 1000
    for _ in range(LOG_BYTES * (LOG_BACKUPS + 2) // 1000):
        logging.getLogger("os1.test").info(line)
    kept = sorted(p.name for p in log_file.parent.iterdir())
    assert kept == ["os1.log", *(f"os1.log.{n}" for n in range(1, LOG_BACKUPS + 1))]
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in log_file.parent.iterdir())
    assert log_file.stat().st_size <= LOG_BYTES


def test_config_show_names_the_log_and_debug_mirrors_it(home: Path, tmp_path: Path) -> None:
    shown = json.loads(run_os1("config", "show", "--json").stdout)
    log = Path(shown["paths"]["log_file"])
    assert log == home / "data" / "os1.log"
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + os.urandom(4096))
    quiet = run_os1("say", "hi", env={"OS1_MODEL": str(broken)})
    assert quiet.code == 1
    written = log.read_text(encoding="utf-8")
    assert "the chat model broken did not load" in written
    assert "could not load" in written, "with the cause"
    assert "did not load" not in quiet.stderr, "the terminal shows only the one clear line"
    loud = run_os1("--debug", "say", "hi", env={"OS1_MODEL": str(broken)})
    assert "the chat model broken did not load" in loud.stderr


async def test_quiet_work_says_in_the_log_what_it_did(log_file: Path, home: Path) -> None:
    journal = await asyncio.to_thread(Journal.open, "", home / "os1.db")
    llm = ScriptedLLM()
    clock = FixedClock(NOW)
    identity = Identity(PersonaStore(journal.engine), json_asker(llm), clock)
    companion = Companion(journal, llm, clock, identity=identity)
    llm.enqueue(json.dumps({"name": "Wren", "because": "You love birdsong."}))
    await identity.create(await companion.user_id(), Answers(person_name="Theo"))
    clock.set(NOW + timedelta(minutes=5))
    for n in range(12):
        llm.enqueue("Nice.")
        [e async for e in companion.turn(f"Today I sanded the boat's hull, part {n}.")]
    llm.enqueue(json.dumps({"new_interests": [], "inside_joke": "", "relationship": "", "why": ""}))
    await companion.idle()
    written = await asyncio.to_thread(log_file.read_text, encoding="utf-8")
    assert "os1.companion.companion: the persona stayed: " in written
    await companion.aclose()
