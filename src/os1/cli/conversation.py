"""Commands that talk: ``chat``, ``say`` and ``history``."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shlex
import signal
import sys
import threading
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from os1.cli.params import ID
from os1.cli.runtime import err, friendly_errors, open_companion, open_session, out, run
from os1.cli.signals import Ending
from os1.companion import Companion
from os1.companion.session import POLL_S, Session
from os1.companion.sight import Shown
from os1.errors import InputError
from os1.events import (
    ErrorEvent,
    Event,
    InitiativeEvent,
    Notice,
    TokenDelta,
    TurnCommitted,
    TurnStarted,
)
from os1.files import read_at_most
from os1.store import TurnRecord
from os1.terminal import TerminalStream, clean, escaped, inert_json
from os1.vision import read_picture_file

ConversationOpt = Annotated[
    int | None,
    typer.Option("--conversation", "-c", parser=ID, help="Continue this conversation (by id)."),
]
NewOpt = Annotated[bool, typer.Option("--new", help="Start a new conversation.")]


async def _speak(
    session: Session,
    text: str,
    *,
    as_json: bool,
    stop: asyncio.Event,
    background: bool,
    image: Shown | None = None,
) -> TurnCommitted | None:
    """Run one turn, printing events as they arrive; returns the committed turn if any."""
    committed: TurnCommitted | None = None
    reader_gone: OSError | None = None
    thinking = Thinking(enabled=not as_json and sys.stdout.isatty())
    screen = TerminalStream()
    thinking.start()
    turn = session.say(text, stop=stop, background=background, image=image)
    async with contextlib.aclosing(turn) as events:
        async for event in events:
            if isinstance(event, TurnCommitted):
                committed = event
            if reader_gone is not None:
                continue
            if not isinstance(event, TurnStarted):
                await thinking.stop()
            try:
                _render(event, as_json, screen)
            except OSError as exc:  # the reader left (`| head`) or the disk is full
                reader_gone = exc  # stop, but still commit what was said
                stop.set()
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    await thinking.stop()
    if reader_gone is not None:
        raise reader_gone  # the turn is committed; the entry point exits non-zero
    return committed


class Thinking:
    """A small animated "…" from the moment a message is sent until the first words appear.

    Naming itself, a letter's draft or a held-back reply can take seconds on a
    small machine; without a sign of life the terminal looks frozen.
    """

    FRAMES = ("·  ", "·· ", "···", " ··", "  ·", "   ")

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Begin the animation (nothing when output is not a terminal)."""
        if self.enabled and self._task is None:
            self._task = asyncio.ensure_future(self._spin())

    async def _spin(self) -> None:
        frame = 0
        _write("\x1b[2m" + self.FRAMES[0] + "\x1b[0m")
        try:
            while True:
                await asyncio.sleep(0.25)
                frame = (frame + 1) % len(self.FRAMES)
                _write("\b\b\b\x1b[2m" + self.FRAMES[frame] + "\x1b[0m")
        finally:
            _write("\b\b\b   \b\b\b")

    async def stop(self) -> None:
        """Erase the animation before the reply is written in its place."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def _write(text: str) -> None:
    """Write straight to stdout so a closed pipe raises here instead of exiting."""
    sys.stdout.write(text)
    sys.stdout.flush()


def _render(event: Event, as_json: bool, screen: TerminalStream | None = None) -> None:
    """Show one event: a JSON line, or text made safe for the terminal.

    ``screen`` carries a reply's pieces across tokens, so an escape sequence
    the model splits between two tokens is still caught.
    """
    screen = screen or TerminalStream()
    if as_json:
        _write(inert_json(event.to_json()) + "\n")
    elif isinstance(event, TokenDelta):
        _write(screen.feed(event.text))
    elif isinstance(event, Notice):
        err.print(f"[yellow]note:[/] {escaped(event.message)}")
    elif isinstance(event, ErrorEvent):
        err.print(f"[bold red]error:[/] {escaped(event.message)}")
    elif isinstance(event, InitiativeEvent):
        late = ""
        if event.late:
            late = f" (this was due {event.due_at.astimezone():%a %d %b %H:%M}, while I was off)"
        label = INITIATIVE_LABELS.get(event.kind, event.kind)
        _write(clean(f"{label}: {event.text}{late}") + "\n")
    elif isinstance(event, TurnCommitted):
        _write(screen.end() + "\n")
        if event.interrupted:
            err.print("[dim](interrupted; what was said so far is kept)[/]")


INITIATIVE_LABELS = {"reminder": "Reminder", "follow_up": "Following up", "check_in": "Hello"}


async def _speak_first(session: Session, as_json: bool) -> None:
    """Print whatever os1 has to say first (due reminders, follow-ups, a check-in)."""
    for event in await session.due():
        _render(event, as_json)


STDIN_LIMIT = 16_000_000
"""Bytes of standard input read at most: far more than any message keeps, and /dev/zero ends."""


def _read_stdin() -> str:
    data = read_at_most(sys.stdin.buffer, STDIN_LIMIT)
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
    new: NewOpt = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the turn's events as JSON lines.")
    ] = False,
    remember: Annotated[
        bool,
        typer.Option(
            "--remember/--no-remember",
            help="After replying, note what is worth remembering (later runs catch up if not).",
        ),
    ] = True,
    image: Annotated[
        Path | None,
        typer.Option(
            "--image",
            help="Show os1 a photo with the message; it is looked at in memory (sent away only "
            "if a remote `vision` backend is set) and not kept unless --keep.",
        ),
    ] = None,
    keep: Annotated[
        bool, typer.Option("--keep", help="Keep the --image with the conversation.")
    ] = False,
) -> None:
    """Say one thing and print the reply; the next `os1 say` continues the same conversation."""
    shown = None
    if image is not None:
        with friendly_errors():
            shown = Shown(read_picture_file(image), keep=keep)
        text = text or ""
    if text is None or text == "-":
        if sys.stdin.isatty():
            with friendly_errors():
                raise InputError("Nothing to say.", 'Give the text, as in `os1 say "hello"`.')
        text = _read_stdin()
    one_turn(text, conversation, new=new, as_json=as_json, remember=remember, shown=shown)


def one_turn(
    text: str,
    conversation: int | None,
    *,
    new: bool,
    as_json: bool,
    remember: bool,
    shown: Shown | None = None,
) -> None:
    """``say``'s turn: what is due first, the reply, then remembering before the command leaves."""
    with friendly_errors():
        session = open_session(conversation, new=new)
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    ending = Ending(loop, lambda _: stop.set())
    warm = loop.create_task(session.mind.warm_up())
    try:
        with ending:
            run(loop, _speak_first(session, as_json))
            committed = run(
                loop,
                _speak(session, text, as_json=as_json, stop=stop, background=False, image=shown),
            )
            if committed is not None and remember and not stop.is_set():
                sys.stdout.flush()
                ending.after = loop.create_task(session.remember())
                with contextlib.suppress(asyncio.CancelledError):
                    loop.run_until_complete(ending.after)
    finally:
        if not warm.done():
            warm.cancel()
        with contextlib.suppress(BaseException):
            loop.run_until_complete(warm)
        loop.run_until_complete(session.close())
        loop.run_until_complete(session.mind.aclose())
        loop.close()
    if committed is None:
        raise typer.Exit(1)
    if ending.received:
        raise typer.Exit(ending.exit_code)


def _print_turns(turns: list[TurnRecord]) -> None:
    if not turns:
        out.print("[dim]Nothing said yet.[/]")
    for turn in turns:
        stamp = turn.started_at.astimezone().strftime("%Y-%m-%d %H:%M")
        out.print(f"[dim]{stamp}[/] [bold cyan]you[/]  ", end="")
        out.print(clean(turn.user_text), markup=False)
        out.print(f"[dim]{stamp}[/] [bold magenta]os1[/]  ", end="")
        out.print(clean(turn.reply), markup=False, end="")
        out.print(" [dim](interrupted)[/]" if turn.interrupted else "")


HELP = """[bold]/new[/] start a new conversation   [bold]/history[/] show this one
[bold]/look PATH [words][/] show os1 a photo (not kept)   [bold]/keep PATH [words][/] and keep it
[bold]/quit[/] leave (or Ctrl-D)   Ctrl-C stops a reply; at the prompt it leaves"""


def _photo(line: str) -> tuple[str, Shown] | None:
    """``/look PATH [words]`` or ``/keep PATH [words]``: the words and the photo, or None.

    A path with spaces is quoted, as in a shell; an unreadable image is
    refused here, with its reason, before anything is said.
    """
    command, _, rest = line.strip().partition(" ")
    if command.lower() not in {"/look", "/keep"}:
        return None
    try:
        words = shlex.split(rest)
    except ValueError:
        words = rest.split()
    if not words:
        raise InputError("Which photo?", "Type /look PATH, then what you want to say about it.")
    path, said = Path(words[0]).expanduser(), " ".join(words[1:])
    return said, Shown(read_picture_file(path), keep=command.lower() == "/keep")


class _Chat:
    """The terminal as a transport over a session: lines in, rendered events out.

    Lines are read on a daemon thread so the loop stays free; the session
    does the rest (the turn, the work for quiet moments that a new message
    cancels, what is due while the person is at the prompt).
    """

    def __init__(self, session: Session, loop: asyncio.AbstractEventLoop) -> None:
        self.session = session
        self.companion = session.mind
        self.loop = loop
        self.stop = asyncio.Event()
        self.leave = asyncio.Event()
        self.replying = False
        self.name = "os1"

    def on_signal(self, number: int) -> None:
        """Ctrl-C stops a reply, or leaves at the prompt; SIGTERM and SIGHUP do both."""
        if self.replying:
            self.stop.set()
        if not self.replying or number != signal.SIGINT:
            self.leave.set()

    async def read_line(self, prompt: str) -> str | None:
        """A line from the person, or None when they leave (Ctrl-D, Ctrl-C)."""
        future: asyncio.Future[str | None] = self.loop.create_future()

        def reader() -> None:
            try:
                line: str | None = out.input(prompt)
            except (EOFError, KeyboardInterrupt, OSError):
                line = None
            self.loop.call_soon_threadsafe(
                lambda: None if future.done() else future.set_result(line)
            )

        threading.Thread(target=reader, daemon=True).start()
        leaving = asyncio.ensure_future(self.leave.wait())
        waiters: set[asyncio.Future[Any]] = {future, leaving}
        while not (future.done() or leaving.done()):
            await asyncio.wait(waiters, timeout=POLL_S, return_when=asyncio.FIRST_COMPLETED)
            if not (future.done() or leaving.done()):
                await self.initiatives(interrupting=True)
        leaving.cancel()
        return future.result() if future.done() else None

    async def initiatives(self, *, interrupting: bool = False) -> None:
        """Say what is due; while the person is at the prompt, on a line of its own."""
        for number, event in enumerate(await self.session.due()):
            if interrupting and number == 0:
                out.print()
            out.print(f"[bold magenta]{escaped(self.name)}[/] > ", end="")
            _render(event, False)

    async def refresh_name(self) -> None:
        """Show os1's chosen name at the prompt once it has one."""
        if self.companion.identity is not None:
            card = await self.companion.identity.current(await self.companion.user_id())
            self.name = card.name if card else "os1"

    async def talk(self) -> None:
        companion = self.companion
        warm = asyncio.ensure_future(companion.warm_up())
        current = await self.session.conversation()
        earlier = await companion.history(current)
        out.print(f"[dim]conversation {current} · {len(earlier)} earlier turns · /help[/]")
        await self.refresh_name()
        await self.initiatives()
        first = await companion.greeting(current)
        if first is not None:
            out.print(f"[bold magenta]{escaped(self.name)}[/] > {escaped(first)}")
        try:
            while True:
                line = await self.read_line("[bold cyan]you[/] > ")
                if line is None:
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
                    current = await self.session.start_over()
                    out.print(f"[dim]new conversation {current}[/]")
                    continue
                if command == "/history":
                    _print_turns(await companion.history(current))
                    continue
                shown: Shown | None = None
                if command.startswith(("/look", "/keep")):
                    try:
                        photo = _photo(line)
                    except InputError as exc:
                        err.print(f"[bold red]error:[/] {escaped(str(exc))}")
                        continue
                    if photo is not None:
                        line, shown = photo
                await self.session.quiet()
                out.print(f"[bold magenta]{escaped(self.name)}[/] > ", end="")
                self.stop.clear()
                self.replying = True
                try:
                    await _speak(
                        self.session,
                        line,
                        as_json=False,
                        stop=self.stop,
                        background=True,
                        image=shown,
                    )
                finally:
                    self.replying = False
                await self.refresh_name()
        finally:
            await self.session.close()
            if not warm.done():
                warm.cancel()
            with contextlib.suppress(BaseException):
                await warm


def chat(
    conversation: ConversationOpt = None,
    new: NewOpt = False,
    server: Annotated[
        str | None, typer.Option("--server", help="Talk through an os1 server (http://HOST:PORT).")
    ] = None,
    pair: Annotated[
        str | None, typer.Option("--pair", help="Pair with the server using this one-time code.")
    ] = None,
) -> None:
    """Talk with os1 in the terminal; replies stream as they are written."""
    if server is not None:
        from os1.cli.remote import remote_chat

        with friendly_errors():
            remote_chat(server, pair, conversation, new)
        return
    with friendly_errors():
        session = open_session(conversation, new=new)
    if sys.stdin.isatty():
        import readline  # noqa: F401  (arrow keys, line editing and this session's history)
    loop = asyncio.new_event_loop()
    terminal = _Chat(session, loop)
    ending = Ending(loop, terminal.on_signal)
    try:
        with ending:
            run(loop, terminal.talk())
    finally:
        loop.run_until_complete(session.mind.aclose())
        loop.close()
    if ending.received is not None and ending.received != signal.SIGINT:
        raise typer.Exit(ending.exit_code)  # ended from outside: say so, as a killed program would


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
            _list_conversations(loop, companion, as_json)
            return
        if conversation is None:
            current = run(loop, companion.latest_conversation())
        else:
            current = run(loop, companion.resolve_conversation(conversation))
        turns = run(loop, companion.history(current)) if current is not None else []
        if as_json:
            payload = {
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
                        "parts": t.parts,
                    }
                    for t in turns
                ],
            }
            out.print(json.dumps(payload), markup=False)
            return
        if current is not None:
            out.print(f"[dim]conversation {current}[/]")
        _print_turns(turns)
    finally:
        loop.run_until_complete(companion.aclose())
        loop.close()


def _list_conversations(
    loop: asyncio.AbstractEventLoop, companion: Companion, as_json: bool
) -> None:
    records = run(loop, companion.conversations())
    if as_json:
        rows = [
            {
                "id": r.id,
                "created_at": r.created_at.isoformat(),
                "updated_at": r.updated_at.isoformat(),
                "turns": r.turn_count,
            }
            for r in records
        ]
        out.print(json.dumps(rows), markup=False)
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
