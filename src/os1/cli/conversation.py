"""Commands that talk: ``chat``, ``say`` and ``history``."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
from typing import Annotated

import typer
from rich.table import Table

from os1.cli.runtime import err, friendly_errors, open_companion, out, run
from os1.companion import Companion
from os1.errors import InputError
from os1.events import ErrorEvent, Event, Notice, TokenDelta, TurnCommitted
from os1.store import TurnRecord

ConversationOpt = Annotated[
    int | None, typer.Option("--conversation", "-c", help="Continue this conversation (by id).")
]


async def _speak(
    companion: Companion,
    text: str,
    conversation: int | None,
    *,
    as_json: bool,
    stop: asyncio.Event,
) -> TurnCommitted | None:
    """Run one turn, printing events as they arrive; returns the committed turn if any."""
    committed: TurnCommitted | None = None
    reader_gone = False
    async with contextlib.aclosing(companion.turn(text, conversation, stop=stop)) as events:
        async for event in events:
            if isinstance(event, TurnCommitted):
                committed = event
            if reader_gone:
                continue
            try:
                _render(event, as_json)
            except BrokenPipeError:  # the reader left (`| head`): stop, but still commit
                reader_gone = True
                stop.set()
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return committed


def _write(text: str) -> None:
    """Write straight to stdout so a closed pipe raises here instead of exiting."""
    sys.stdout.write(text)
    sys.stdout.flush()


def _render(event: Event, as_json: bool) -> None:
    if as_json:
        _write(event.to_json() + "\n")
    elif isinstance(event, TokenDelta):
        _write(event.text)
    elif isinstance(event, Notice):
        err.print(f"[yellow]note:[/] {event.message}")
    elif isinstance(event, ErrorEvent):
        err.print(f"[bold red]error:[/] {event.message}")
    elif isinstance(event, TurnCommitted):
        _write("\n")
        if event.interrupted:
            err.print("[dim](interrupted; what was said so far is kept)[/]")


def _interruptible(loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> None:
    """Make Ctrl-C stop the current reply instead of killing the program."""
    stop.clear()
    loop.add_signal_handler(signal.SIGINT, stop.set)


def _read_stdin() -> str:
    data = sys.stdin.buffer.read()
    text = data.decode("utf-8", errors="replace")
    if "\ufffd" in text and b"\xef\xbf\xbd" not in data:
        err.print("[yellow]note:[/] the input was not valid UTF-8; unreadable bytes were replaced.")
    return text


def say(
    text: Annotated[
        str | None,
        typer.Argument(help="What to say; read from standard input when omitted or '-'."),
    ] = None,
    conversation: ConversationOpt = None,
    new: Annotated[bool, typer.Option("--new", help="Start a new conversation.")] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the turn's events as JSON lines.")
    ] = False,
) -> None:
    """Say one thing and print the reply; the next `os1 say` continues the same conversation."""
    if text is None or text == "-":
        if sys.stdin.isatty():
            with friendly_errors():
                raise InputError("Nothing to say.", 'Give the text, as in `os1 say "hello"`.')
        text = _read_stdin()
    with friendly_errors():
        companion = open_companion()
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    try:
        if new:
            conversation = run(loop, companion.new_conversation())
        _interruptible(loop, stop)
        committed = run(loop, _speak(companion, text, conversation, as_json=as_json, stop=stop))
    finally:
        loop.remove_signal_handler(signal.SIGINT)
        loop.run_until_complete(companion.aclose())
        loop.close()
    if committed is None:
        raise typer.Exit(1)
    if committed.interrupted and stop.is_set():
        raise typer.Exit(130)


def _print_turns(turns: list[TurnRecord]) -> None:
    if not turns:
        out.print("[dim]Nothing said yet.[/]")
    for turn in turns:
        stamp = turn.started_at.astimezone().strftime("%Y-%m-%d %H:%M")
        out.print(f"[dim]{stamp}[/] [bold cyan]you[/]  ", end="")
        out.print(turn.user_text, markup=False)
        out.print(f"[dim]{stamp}[/] [bold magenta]os1[/]  ", end="")
        out.print(turn.reply, markup=False, end="")
        out.print(" [dim](interrupted)[/]" if turn.interrupted else "")


HELP = """[bold]/new[/] start a new conversation   [bold]/history[/] show this one
[bold]/quit[/] leave (or Ctrl-D)   Ctrl-C stops a reply; at the prompt it leaves"""


def chat(
    conversation: ConversationOpt = None,
    new: Annotated[bool, typer.Option("--new", help="Start a new conversation.")] = False,
) -> None:
    """Talk with os1 in the terminal; replies stream as they are written."""
    with friendly_errors():
        companion = open_companion()
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    try:
        current = run(
            loop,
            companion.new_conversation() if new else companion.resolve_conversation(conversation),
        )
        earlier = run(loop, companion.history(current))
        out.print(f"[dim]conversation {current} · {len(earlier)} earlier turns · /help[/]")
        while True:
            try:
                line = out.input("[bold cyan]you[/] > ")
            except (EOFError, KeyboardInterrupt):
                out.print()
                break
            command = line.strip().lower()
            if not command:
                continue
            if command in {"/quit", "/exit", "/q"}:
                break
            if command == "/help":
                out.print(HELP)
                continue
            if command == "/new":
                current = run(loop, companion.new_conversation())
                out.print(f"[dim]new conversation {current}[/]")
                continue
            if command == "/history":
                _print_turns(run(loop, companion.history(current)))
                continue
            out.print("[bold magenta]os1[/] > ", end="")
            _interruptible(loop, stop)
            try:
                run(loop, _speak(companion, line, current, as_json=False, stop=stop))
            finally:
                loop.remove_signal_handler(signal.SIGINT)
    finally:
        loop.run_until_complete(companion.aclose())
        loop.close()


def history(
    conversation: ConversationOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
    list_all: Annotated[
        bool, typer.Option("--list", help="List conversations instead of showing one.")
    ] = False,
) -> None:
    """Show what was said, with times (the latest conversation unless one is named)."""
    with friendly_errors():
        companion = open_companion(talk=False)
    loop = asyncio.new_event_loop()
    try:
        if list_all:
            records = run(loop, companion.conversations())
            if as_json:
                out.print(
                    json.dumps(
                        [
                            {
                                "id": r.id,
                                "created_at": r.created_at.isoformat(),
                                "updated_at": r.updated_at.isoformat(),
                                "turns": r.turn_count,
                            }
                            for r in records
                        ]
                    ),
                    markup=False,
                )
                return
            table = Table("id", "started", "last spoken", "turns")
            for r in records:
                table.add_row(
                    str(r.id),
                    r.created_at.astimezone().strftime("%Y-%m-%d %H:%M"),
                    r.updated_at.astimezone().strftime("%Y-%m-%d %H:%M"),
                    str(r.turn_count),
                )
            out.print(table)
            return
        if conversation is None:
            current = run(loop, companion.latest_conversation())
        else:
            current = run(loop, companion.resolve_conversation(conversation))
        turns = run(loop, companion.history(current)) if current is not None else []
        if as_json:
            out.print(
                json.dumps(
                    {
                        "conversation_id": current,
                        "turns": [
                            {
                                "id": t.id,
                                "user_text": t.user_text,
                                "reply": t.reply,
                                "interrupted": t.interrupted,
                                "model": t.model,
                                "started_at": t.started_at.isoformat(),
                                "committed_at": t.committed_at.isoformat(),
                            }
                            for t in turns
                        ],
                    }
                ),
                markup=False,
            )
        else:
            if current is not None:
                out.print(f"[dim]conversation {current}[/]")
            _print_turns(turns)
    finally:
        loop.run_until_complete(companion.aclose())
        loop.close()
