"""``os1 backup`` and ``os1 restore``: everything a person has, in one file and back."""

from __future__ import annotations

import signal
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn

from os1.backup import Summary, restore_backup, write_backup
from os1.cli.runtime import err, friendly_errors, out
from os1.config import load_settings, resolve_paths
from os1.store.snapshot import Progress as Report


def _stop(number: int, _frame: FrameType | None) -> None:
    """SIGTERM and SIGHUP end the command like Ctrl-C, so no partial file is left."""
    raise KeyboardInterrupt


def _with_progress(work: str, job: Callable[[Report], Summary]) -> Summary:
    """Run a backup or restore with a line saying which table it is at."""
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGHUP, _stop)
    columns = (SpinnerColumn(), TextColumn("{task.description}"))
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task(work)

        def report(table: str, rows: int) -> None:
            progress.update(task, description=f"{work}: {table} ({rows:,} rows)")

        with friendly_errors():
            return job(report)


def backup(
    file: Annotated[Path, typer.Argument(help="The file to write (a zip archive, 0600).")],
) -> None:
    """Write everything os1 holds for you into one file: conversations, memories, persona, letters.

    Safe while os1 runs: the database is read at one moment. Keys, passwords
    and the database URL are left out of the settings.
    """
    with friendly_errors():
        settings, paths = load_settings(), resolve_paths()
    summary = _with_progress(
        "Backing up", lambda report: write_backup(settings, paths, file, report)
    )
    out.print(f"Backed up {summary} to {file}.", markup=False)


def restore(
    file: Annotated[Path, typer.Argument(help="A file made by `os1 backup`.")],
) -> None:
    """Bring a backup back into an empty os1 home (or an empty database); refuses otherwise."""
    with friendly_errors():
        settings, paths = load_settings(), resolve_paths()
    summary = _with_progress(
        "Restoring", lambda report: restore_backup(settings, paths, file, report)
    )
    out.print(f"Restored {summary} from {file}.", markup=False)
