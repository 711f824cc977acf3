"""Shared fixtures: an isolated OS1_HOME, both stores, and helpers to run the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from os1.llm.models import CATALOG

POSTGRES_ADMIN = os.environ.get(
    "OS1_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)
SHARED_MODELS = Path(
    os.environ.get("OS1_TEST_MODELS_DIR", str(Path.home() / ".cache" / "os1" / "models"))
)
DEFAULT_MODEL_FILE = SHARED_MODELS / next(iter(CATALOG.values())).filename


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own OS1_HOME and models dir, and no stray OS1_* settings."""
    for name in list(os.environ):
        if name.startswith("OS1_") and not name.startswith("OS1_TEST"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("OS1_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("OS1_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("OS1_EMBEDDER", "hashing")
    monkeypatch.setenv("OS1_INTERVIEW", "false")
    return tmp_path / "home"


@pytest.fixture
def real_model(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point at the shared, installed default model (the test command installs it)."""
    if not DEFAULT_MODEL_FILE.exists():
        pytest.fail(f"{DEFAULT_MODEL_FILE} is missing: run `os1 models install` first")
    monkeypatch.setenv("OS1_MODELS_DIR", str(SHARED_MODELS))
    monkeypatch.setenv("OS1_TEMPERATURE", "0")
    monkeypatch.delenv("OS1_EMBEDDER")
    return DEFAULT_MODEL_FILE


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty Postgres database on the local server, dropped afterwards."""
    name = f"os1_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, home: Path) -> str:
    """Both stores: '' means the default SQLite file under OS1_HOME."""
    if request.param == "sqlite":
        return ""
    url: str = request.getfixturevalue("postgres_url")
    return url


@dataclass
class Result:
    """What a CLI run printed and returned."""

    code: int
    stdout: str
    stderr: str

    def events(self) -> list[dict[str, object]]:
        """The JSON-lines events printed by ``--json``."""
        return [json.loads(line) for line in self.stdout.splitlines() if line.startswith("{")]


def run_os1(
    *args: str,
    stdin: bytes | str | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 300,
) -> Result:
    """Run the real ``os1`` command in a fresh process with the test's environment."""
    data = stdin.encode() if isinstance(stdin, str) else stdin
    proc = subprocess.run(
        [sys.executable, "-m", "os1", *args],
        input=data if data is not None else b"",
        capture_output=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        check=False,
    )
    return Result(
        proc.returncode,
        proc.stdout.decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"),
    )


def write_script(path: Path, replies: list[str], delay_s: float = 0.0) -> str:
    """Write a scripted-model file and return the model setting that uses it."""
    path.write_text(json.dumps({"replies": replies, "delay_s": delay_s}), encoding="utf-8")
    return f"scripted:{path}"
