"""The private folders that hold the embedded model's unix socket, and their cleanup.

Each process makes ``os1-llm-<pid>-<random>`` in the temp directory and
removes it when it closes the model. A process that was killed cannot, so the
next start removes the folders of processes that no longer run (only this
user's, and never one whose process is alive). Folders named by older
versions, without a pid, go once their socket no longer answers.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import tempfile
import time
from pathlib import Path

PREFIX = "os1-llm-"
_OWNED = re.compile(rf"^{PREFIX}(\d+)-")
UNBOUND_AFTER_S = 600
"""A socket folder of an older os1 with no socket in it after this long was left behind."""


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
        if not entry.name.startswith(PREFIX):
            continue
        try:
            if not entry.is_dir() or entry.is_symlink() or entry.stat().st_uid != os.getuid():
                continue
        except OSError:
            continue
        owner = _OWNED.match(entry.name)
        if owner is not None:
            if int(owner[1]) == os.getpid() or _alive(int(owner[1])):
                continue
        elif not _unanswered(entry):
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed += 1
    return removed


def _unanswered(folder: Path) -> bool:
    """Whether a folder without its owner's pid (an older os1's) is left over.

    Its socket refuses connections once its process has ended; a folder
    without a socket is left over once it is older than a model takes to load.
    """
    sock = folder / "llm.sock"
    try:
        if not sock.exists():
            return time.time() - folder.stat().st_mtime > UNBOUND_AFTER_S
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            probe.settimeout(0.5)
            probe.connect(str(sock))
    except (ConnectionRefusedError, FileNotFoundError):
        return True
    except OSError:
        return False
    return False
