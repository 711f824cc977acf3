"""A person's data is theirs: folders 0700, files 0600, and they stay that way."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from tests.conftest import run_os1

from os1.config import resolve_paths
from os1.private import secure_home


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def _everything(root: Path) -> list[Path]:
    return [root, *root.rglob("*")]


@pytest.fixture(autouse=True)
def everyday_umask() -> object:
    """The umask most people have (0o022), so os1 must make its files private itself."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def test_a_fresh_home_is_private_from_the_first_turn(home: Path) -> None:
    said = run_os1("say", "My sister Ana lives in Porto.", env={"OS1_MODEL": "scripted"})
    assert said.code == 0, said.stderr
    assert run_os1("models", "use", "scripted").code == 0
    data = home / "data"
    assert (data / "os1.db").exists()
    wide = {str(p): oct(_mode(p)) for p in _everything(home) if _mode(p) & 0o077}
    assert wide == {}
    assert _mode(home / "config.toml") == 0o600


def test_models_use_and_voices_use_keep_a_private_config_private(home: Path) -> None:
    home.mkdir(parents=True)
    config = home / "config.toml"
    config.write_text('user = "me"\n', encoding="utf-8")
    config.chmod(0o600)
    assert run_os1("models", "use", "scripted").code == 0
    assert _mode(config) == 0o600
    assert 'model = "scripted"' in config.read_text(encoding="utf-8")


def test_wider_modes_left_by_an_older_os1_are_narrowed_at_start(home: Path) -> None:
    data = home / "data"
    (data / "kv-cache").mkdir(parents=True)
    for name in ("os1.db", "os1.db-wal", "os1.db-shm", "kv-cache/slot.bin"):
        (data / name).write_bytes(b"")
    (home / "config.toml").write_text('user = "me"\n', encoding="utf-8")
    for path in _everything(home):
        path.chmod(0o755 if path.is_dir() else 0o644)
    (data / "os1.db").unlink()  # an empty file is not a database; the rest only need a mode
    assert run_os1("history").code == 0
    wide = {str(p): oct(_mode(p)) for p in _everything(home) if _mode(p) & 0o077}
    assert wide == {}


def test_securing_follows_no_link_out_of_the_home(home: Path, tmp_path: Path) -> None:
    outside = tmp_path / "shared.txt"
    outside.write_text("not os1's", encoding="utf-8")
    outside.chmod(0o644)
    data = home / "data"
    data.mkdir(parents=True)
    (data / "link").symlink_to(outside)
    secure_home(resolve_paths())
    assert _mode(outside) == 0o644
    assert _mode(data) == 0o700


@pytest.mark.real_model
@pytest.mark.usefixtures("real_model")
def test_saved_model_states_are_private(home: Path) -> None:
    said = run_os1("say", "Hello!")
    assert said.code == 0, said.stderr
    states = list((home / "data" / "kv-cache").rglob("*.bin"))
    assert states
    assert {oct(_mode(p)) for p in states} == {oct(0o600)}
    assert _mode(home / "data" / "kv-cache") == 0o700
