"""The private folders that hold the embedded model's unix socket, and their cleanup.

Each process makes ``os1-llm-<pid>-<random>`` in the temp directory and
removes it when it closes the model. A process that was killed cannot, so the
next start removes the folders of processes that no longer run (only this
user's, and never one whose process is alive).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

PREFIX = "os1-llm-"
_OWNED = re.compile(rf"^{PREFIX}(\d+)-")


def make_socket_dir() -> str:
    """A new private (0700) folder for this process's model socket, named with its pid."""
    return tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clear_stale_socket_dirs(root: Path | None = None) -> int:
    """Remove this user's socket folders whose process has ended; returns how many."""
    base = Path(root or tempfile.gettempdir())
    removed = 0
    try:
        entries = list(base.iterdir())
    except OSError:
        return 0
    for entry in entries:
        owner = _OWNED.match(entry.name)
        if owner is None or int(owner[1]) == os.getpid() or _alive(int(owner[1])):
            continue
        try:
            if not entry.is_dir() or entry.is_symlink() or entry.stat().st_uid != os.getuid():
                continue
        except OSError:
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed += 1
    return removed
