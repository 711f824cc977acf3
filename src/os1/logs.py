"""The log file: what happened in the background, and every failure there with its cause.

Memory extraction, reflection, persona growth, initiatives, model loads and
skills run while nobody is watching; when one fails, the conversation goes
on (the work is retried later), so the failure is written here instead of
being dropped. The file rotates (1 MB, three old files kept) in the data
directory, is private to its owner (0600, in a 0700 folder), and ``--debug``
mirrors it to the terminal. ``os1 config show`` names it.
"""

from __future__ import annotations

import io
import logging
import logging.handlers
import os
import sys
from pathlib import Path

from os1.config import hide_passwords
from os1.terminal import clean

LOG_BYTES = 1_000_000
LOG_BACKUPS = 3
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class _PrivateRotatingFile(logging.handlers.RotatingFileHandler):
    """A rotating log whose files only their owner can read, in a folder only they can enter."""

    def _open(self) -> io.TextIOWrapper:
        folder = Path(self.baseFilename).parent
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        descriptor = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.chmod(self.baseFilename, 0o600)
        return open(descriptor, "a", encoding=self.encoding or "utf-8")


class _NoPasswords(logging.Formatter):
    """Formats records with any password inside a URL masked (a failed database, say)."""

    def format(self, record: logging.LogRecord) -> str:
        """The usual line, its URLs' passwords replaced by ``***``."""
        return hide_passwords(super().format(record))


class _ForTerminal(_NoPasswords):
    """As :class:`_NoPasswords`, and inert on a terminal (a logged reply is outside text)."""

    def format(self, record: logging.LogRecord) -> str:
        """The line without escape sequences or control characters."""
        return clean(super().format(record))


def configure(log_file: Path, *, debug: bool = False) -> None:
    """Send os1's log records to ``log_file`` (and to the terminal with ``debug``).

    The file is opened on the first record, so a command that has nothing to
    log creates nothing.
    """
    root = logging.getLogger("os1")
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    to_file = _PrivateRotatingFile(
        log_file, maxBytes=LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8", delay=True
    )
    to_file.setFormatter(_NoPasswords(FORMAT))
    root.addHandler(to_file)
    if debug:
        to_terminal = logging.StreamHandler(sys.stderr)
        to_terminal.setFormatter(_ForTerminal(FORMAT))
        root.addHandler(to_terminal)
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    root.propagate = False
