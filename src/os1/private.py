"""Keeping a person's data theirs: folders 0700, files 0600, from the first byte on.

Conversations, memories, saved model states, letters and the config file
(which may hold a key or a database password) are nobody else's business on a
shared machine. An os1 process sets its umask to 0o077 before it creates
anything, so every file and folder it or its libraries (SQLite's WAL and SHM,
llama.cpp's saved states) make is private; files os1 writes itself are also
``chmod``-ed explicitly, and :func:`secure_home` narrows whatever an older os1
left wider.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from os1.config import Paths

__all__ = ["PRIVATE_DIR", "PRIVATE_FILE", "private_dir", "restrict_umask", "secure_home"]

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
UMASK = 0o077


def restrict_umask() -> None:
    """Make everything this process creates from now on private to its owner."""
    os.umask(UMASK)


def private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) as 0700, narrowing it if it exists wider."""
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    _narrow(path, PRIVATE_DIR)
    return path


def _narrow(path: Path, mode: int) -> bool:
    """Take group and other access away from ``path`` (never following a link)."""
    try:
        found = os.lstat(path)
    except OSError:
        return False
    if stat.S_ISLNK(found.st_mode) or not stat.S_IMODE(found.st_mode) & 0o077:
        return False
    with contextlib.suppress(OSError):
        os.chmod(path, mode if stat.S_ISDIR(found.st_mode) else PRIVATE_FILE)
        return True
    return False


def _tree(root: Path) -> Iterable[Path]:
    """``root`` and everything under it, without following links."""
    if not root.is_dir() or root.is_symlink():
        return
    yield root
    for folder, dirs, files in os.walk(root, followlinks=False):
        for name in (*dirs, *files):
            yield Path(folder) / name


def secure_home(paths: Paths) -> list[Path]:
    """Set the private umask and narrow the data folder, its files and the config file.

    Nothing is created here (a command that stores nothing leaves no trace);
    returns what had to be narrowed.
    """
    restrict_umask()
    narrowed = [p for p in _tree(paths.data_dir) if _narrow(p, PRIVATE_DIR)]
    config_folder = paths.config_file.parent
    for path in (config_folder, paths.config_file):
        if path == Path.home():
            continue
        if path.exists() and _narrow(path, PRIVATE_DIR):
            narrowed.append(path)
    return narrowed
