"""The ``os1`` application: global options and the command tree."""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import sys
from typing import Annotated, NoReturn

import typer

from os1 import __version__
from os1.cli.agenda import calendar_app
from os1.cli.audit import audit
from os1.cli.backup import backup, restore
from os1.cli.config import config_app
from os1.cli.contacts import contacts_app
from os1.cli.conversation import chat, history, say
from os1.cli.letters import letters_app
from os1.cli.look import look
from os1.cli.mail import mail_app
from os1.cli.memory import memory_app, reflect
from os1.cli.models import models_app
from os1.cli.persona import journal, persona_app, reminders_app, setup
from os1.cli.proofread import proofread
from os1.cli.server import device_app, serve, user_app
from os1.cli.service import service_app
from os1.cli.voice import speak, talk, transcribe, voices_app
from os1.config import hide_passwords, resolve_paths
from os1.logs import configure as configure_logging
from os1.private import restrict_umask, secure_home
from os1.terminal import clean

app = typer.Typer(
    name="os1",
    help="os1, a companion that talks with you, remembers you, and runs on your own machine.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command()(chat)
app.command()(say)
app.command()(look)
app.command()(history)
app.command()(reflect)
app.command()(audit)
app.command()(backup)
app.command()(restore)
app.command()(talk)
app.command()(transcribe)
app.command()(speak)
app.add_typer(voices_app, name="voices")
app.command()(setup)
app.command()(journal)
app.add_typer(persona_app, name="persona")
app.add_typer(reminders_app, name="reminders")
app.add_typer(memory_app, name="memory")
app.add_typer(letters_app, name="letters")
app.add_typer(calendar_app, name="calendar")
app.add_typer(contacts_app, name="contacts")
app.command()(proofread)
app.add_typer(mail_app, name="mail")
app.add_typer(models_app, name="models")
app.add_typer(config_app, name="config")
app.command()(serve)
app.add_typer(user_app, name="user")
app.add_typer(device_app, name="device")
app.add_typer(service_app, name="service")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"os1 {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    debug: Annotated[
        bool,
        typer.Option(
            "--debug", help="Show tracebacks, the model's own logs, and the log file as it grows."
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Set options that apply to every command."""
    if debug:
        os.environ["OS1_DEBUG"] = "1"
    paths = resolve_paths()
    secure_home(paths)
    configure_logging(paths.log_file, debug=debug or bool(os.environ.get("OS1_DEBUG")))


def main() -> None:
    """Entry point of the ``os1`` script: private files from the start, no tracebacks."""
    restrict_umask()
    if sys.stdout is None:  # started with its output closed (`os1 say hi >&-`)
        sys.stderr.write(
            "error: standard output is closed, so os1 has nowhere to answer. "
            "Send it somewhere (a terminal, a file, /dev/null).\n"
        )
        raise SystemExit(1)
    try:
        app()
    except OSError as exc:
        if os.environ.get("OS1_DEBUG"):
            raise
        _could_not_write(exc)
    except Exception as exc:  # a fault in os1 itself: one line here, the traceback in the log
        if os.environ.get("OS1_DEBUG"):
            raise
        _went_wrong(exc)


def _went_wrong(exc: Exception) -> NoReturn:
    """Say that os1 failed, where the details are, and how to see them; exit non-zero."""
    logging.getLogger("os1").error("os1 stopped on an unexpected error", exc_info=exc)
    log_file = resolve_paths().log_file
    sys.stderr.write(
        clean(
            f"error: os1 stopped on an unexpected error ({type(exc).__name__}: "
            f"{hide_passwords(' '.join(str(exc).split()))}). "
            f"What was committed is kept; the details are in {log_file}, and "
            "`os1 --debug` shows them here.\n"
        )
    )
    raise SystemExit(1)


def _could_not_write(exc: OSError) -> NoReturn:
    """One line for output that could not be written (a full disk, a closed terminal).

    Whatever the command stored was committed before it printed; only the
    printing failed. Standard output is pointed at /dev/null so the
    interpreter's own final flush does not fail a second time.
    """
    logging.getLogger("os1").error("output failed", exc_info=exc)
    with contextlib.suppress(OSError, AttributeError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    if exc.errno == errno.EPIPE:
        raise SystemExit(1)
    where = exc.filename or "standard output"
    fix = (
        "Free some space, or send the output elsewhere."
        if exc.errno == errno.ENOSPC
        else "Check where the output goes and try again."
    )
    sys.stderr.write(f"error: cannot write to {where} ({exc.strerror or exc}). {fix}\n")
    raise SystemExit(1)
