"""Nothing leaves the machine: the paths that load onnxruntime make no lookup and no connection.

Each command runs in a network namespace with only loopback (``unshare -rn``)
under ``strace``, which records every ``connect``/``sendto``/``sendmsg`` the
process and its threads make, whatever library makes them (onnxruntime's
telemetry client is C++, out of reach of Python's audit hooks). A name lookup
shows as a connection to port 53 or to a local resolver's socket. HOME is a
fresh folder, so a device id written there would show too.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import DEFAULT_MODEL_FILE, SHARED_MODELS

from os1.memory import MINILM_ASSETS

STRACE = shutil.which("strace")
UNSHARE = shutil.which("unshare")

_INET = re.compile(
    r"sa_family=AF_INET6?\b.*?(?:inet_addr\(\"([^\"]+)\"\)|inet_pton\(AF_INET6, \"([^\"]+)\")"
)
_RESOLVERS = ("nscd", "io.systemd.Resolve", "resolve")
LOOPBACK = {"127.0.0.1", "::1"}


def _leaving(line: str) -> bool:
    """Whether a traced call went to another machine or asked for a name."""
    if "htons(53)" in line or any(name in line for name in _RESOLVERS):
        return True
    found = _INET.search(line)
    return found is not None and (found.group(1) or found.group(2)) not in LOOPBACK


def _isolated() -> list[str]:
    """``unshare -rn`` where this machine allows it (so nothing could leave anyway)."""
    if UNSHARE is None:
        return []
    allowed = subprocess.run([UNSHARE, "-rn", "true"], capture_output=True, check=False)
    return [UNSHARE, "-rn"] if allowed.returncode == 0 else []


def run_traced(tmp_path: Path, *args: str, env: dict[str, str]) -> tuple[str, list[str]]:
    """Run ``os1 ARGS`` traced; return its stderr and every call that left the machine."""
    if STRACE is None:
        pytest.fail("strace is missing: run `bash scripts/system-deps.sh --dev`")
    home = tmp_path / "person"
    home.mkdir(exist_ok=True)
    log = tmp_path / "calls.log"
    command = [
        *_isolated(),
        STRACE, "-f", "-qq", "--seccomp-bpf", "-e", "trace=connect,sendto,sendmsg",
        "-o", str(log), sys.executable, "-m", "os1", *args,
    ]  # fmt: skip
    done = subprocess.run(
        command,
        env={**os.environ, "HOME": str(home), **env},
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    assert not (home / ".cache" / "Microsoft").exists(), "a device id was written"
    calls = log.read_text(encoding="utf-8", errors="replace").splitlines()
    return done.stderr.decode(errors="replace"), [c for c in calls if _leaving(c)]


@pytest.fixture
def shared_models(monkeypatch: pytest.MonkeyPatch) -> None:
    """The real MiniLM embedder from the shared models folder (the test command installs it)."""
    missing = [a.name for a in MINILM_ASSETS if not (SHARED_MODELS / a.filename).exists()]
    if missing:
        pytest.fail(f"{', '.join(missing)} missing in {SHARED_MODELS}: run `os1 models install`")
    monkeypatch.setenv("OS1_MODELS_DIR", str(SHARED_MODELS))
    monkeypatch.delenv("OS1_EMBEDDER")


def test_the_detector_accepts_lookups_and_ignores_loopback() -> None:
    lookup = '9 connect(5, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.0.0.2")}'
    away = '9 connect(5, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("13.69.1.1")}'
    home = '9 connect(5, {sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr("127.0.0.1")}'
    local = '9 connect(7, {sa_family=AF_UNIX, sun_path="/tmp/os1-x/llm.sock"}, 110) = 0'
    assert _leaving(lookup)
    assert _leaving(away)
    assert not _leaving(home)
    assert not _leaving(local)


@pytest.mark.usefixtures("shared_models")
def test_remembering_with_the_onnx_embedder_stays_on_the_machine(tmp_path: Path) -> None:
    _, calls = run_traced(
        tmp_path, "say", "My sister Ana lives in Porto.", env={"OS1_MODEL": "scripted"}
    )
    assert calls == []
    _, calls = run_traced(tmp_path, "memory", "search", "Ana", env={"OS1_MODEL": "scripted"})
    assert calls == []


def test_speaking_and_listening_on_onnxruntime_stay_on_the_machine(tmp_path: Path) -> None:
    question = tmp_path / "q.wav"
    _, calls = run_traced(
        tmp_path, "speak", "What is the capital of France?", "-o", str(question), env={}
    )
    assert calls == []
    assert question.stat().st_size > 1000
    env = {"OS1_MODEL": "scripted"}
    _, calls = run_traced(tmp_path, "talk", "--input", str(question), "--fast", "--json", env=env)
    assert calls == []  # Silero VAD, Whisper and Piper all loaded


@pytest.mark.real_model
@pytest.mark.usefixtures("shared_models")
def test_a_real_turn_stays_on_the_machine(tmp_path: Path) -> None:
    if not DEFAULT_MODEL_FILE.exists():
        pytest.fail(f"{DEFAULT_MODEL_FILE} is missing: run `os1 models install` first")
    _, calls = run_traced(tmp_path, "say", "Hello!", env={"OS1_TEMPERATURE": "0"})
    assert calls == []
