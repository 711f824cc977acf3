"""``os1 memory`` and ``os1 reflect``: see, search, correct, export and forget memories."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable, Coroutine
from datetime import date
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.table import Table

from os1.cli.params import COUNT, ID, IMPORTANCE, as_id
from os1.cli.runtime import err, friendly_errors, open_companion, out, run
from os1.companion import Companion
from os1.errors import ConfigError, InputError
from os1.files import check_writable, read_json, write_file
from os1.memory import Memory
from os1.memory.dates import resolve_when
from os1.store import MemoryRecord
from os1.terminal import clean, escaped, inert_json

memory_app = typer.Typer(help="See and control what os1 remembers.", no_args_is_help=True)
T = TypeVar("T")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


def _with_memory(
    work: Callable[[Memory, int, Companion], Coroutine[Any, Any, T]], *, talk: bool = False
) -> T:
    """Open the companion, hand its memory and user id to ``work``, close everything."""
    with friendly_errors():
        companion = open_companion(talk=talk)
    loop = asyncio.new_event_loop()
    try:
        memory = companion.memory
        if memory is None:
            with friendly_errors():
                raise ConfigError("Memory is switched off (memory = false).", "Turn it on first.")
        assert memory is not None
        user_id = run(loop, companion.user_id())
        return run(loop, work(memory, user_id, companion))
    finally:
        loop.run_until_complete(companion.aclose())
        loop.close()


def _as_dict(record: MemoryRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "kind": record.kind,
        "about": record.about,
        "aspect": record.aspect,
        "content": record.content,
        "importance": record.importance,
        "confidence": round(record.confidence, 2),
        "happens_on": record.happens_on.isoformat() if record.happens_on else None,
        "source": record.source,
        "source_turn_id": record.source_turn_id,
        "derived_from": list(record.derived_from),
        "created_at": record.created_at.isoformat(),
        "updated_at": record.updated_at.isoformat(),
        "active": record.active,
        "superseded_by": record.superseded_by,
    }


def _table(records: list[MemoryRecord], scores: dict[int, float] | None = None) -> None:
    if not records:
        out.print("[dim]Nothing remembered yet.[/]")
        return
    table = Table("id", "kind", "memory", "when", "sure", "from", *(["score"] if scores else []))
    for r in records:
        origin = f"turn {r.source_turn_id}" if r.source_turn_id else r.source
        row = [
            str(r.id),
            escaped(r.kind),
            escaped(r.content) + ("" if r.active else " [dim](no longer true)[/]"),
            r.happens_on.isoformat() if r.happens_on else "",
            f"{r.confidence:.0%}",
            f"{escaped(origin)}, {r.created_at.astimezone():%Y-%m-%d}",
        ]
        if scores:
            row.append(f"{scores[r.id]:.2f}")
        table.add_row(*row)
    out.print(table)


@memory_app.command("list")
def list_cmd(
    as_json: JsonOpt = False,
    everything: Annotated[
        bool, typer.Option("--all", help="Include facts that were replaced by newer ones.")
    ] = False,
) -> None:
    """List what os1 remembers, newest first, with where each memory came from."""

    async def work(memory: Memory, user_id: int, _: Companion) -> list[MemoryRecord]:
        return await asyncio.to_thread(memory.store.records, user_id, include_superseded=everything)

    records = _with_memory(work)
    if as_json:
        out.print(json.dumps([_as_dict(r) for r in records]), markup=False)
    else:
        _table(records)


@memory_app.command("search")
def search_cmd(
    query: Annotated[str, typer.Argument(help="Words or a question.")],
    limit: Annotated[int, typer.Option(parser=COUNT, help="How many results.")] = 10,
    as_json: JsonOpt = False,
) -> None:
    """Find memories by meaning and by words, as os1 does before it answers."""

    async def work(memory: Memory, user_id: int, _: Companion) -> list[Any]:
        return await memory.search(user_id, query, limit)

    found = _with_memory(work)
    if as_json:
        out.print(
            json.dumps([{**_as_dict(f.record), "score": round(f.score, 3)} for f in found]),
            markup=False,
        )
    else:
        _table([f.record for f in found], {f.record.id: f.score for f in found})


@memory_app.command("show")
def show_cmd(
    memory_id: Annotated[int, typer.Argument(parser=ID, help="The memory's id.")],
    as_json: JsonOpt = False,
) -> None:
    """Show one memory: where it came from, how sure os1 is, and what it replaced."""

    async def work(memory: Memory, user_id: int, companion: Companion) -> dict[str, Any]:
        record = await memory.get(user_id, memory_id)
        earlier = await asyncio.to_thread(memory.store.earlier_versions, user_id, memory_id)
        said = None
        if record.source_turn_id is not None:
            turns = await asyncio.to_thread(companion.journal.turn, user_id, record.source_turn_id)
            said = turns.user_text if turns else None
        return {**_as_dict(record), "earlier": [_as_dict(e) for e in earlier], "said": said}

    shown = _with_memory(work)
    if as_json:
        out.print(json.dumps(shown), markup=False)
        return
    out.print(f"[bold]{escaped(shown['content'])}[/]")
    for key in ("kind", "about", "aspect", "happens_on", "importance", "confidence", "source"):
        if shown[key] not in (None, ""):
            out.print(f"[dim]{key}:[/] {escaped(str(shown[key]))}")
    origin = f"turn {shown['source_turn_id']}" if shown["source_turn_id"] else shown["source"]
    out.print(f"[dim]from:[/] {escaped(str(origin))}, {shown['created_at']}")
    if shown["said"]:
        out.print(f"[dim]you said:[/] {escaped(shown['said'])}")
    if not shown["active"]:
        out.print(f"[yellow]No longer true: replaced by memory {shown['superseded_by']}.[/]")
    for old in shown["earlier"]:
        out.print(
            f"[dim]earlier:[/] {escaped(old['content'])} [dim](until {old['updated_at'][:10]})[/]"
        )


@memory_app.command("edit")
def edit_cmd(
    memory_id: Annotated[int, typer.Argument(parser=ID, help="The memory's id.")],
    content: Annotated[str | None, typer.Option(help="The corrected sentence.")] = None,
    about: Annotated[str | None, typer.Option(help="Who or what it is about.")] = None,
    importance: Annotated[
        int | None, typer.Option(parser=IMPORTANCE, help="1 (trivia) to 5 (core).")
    ] = None,
    when: Annotated[
        str | None, typer.Option(help="A date (2026-03-05) or words like 'next Friday'.")
    ] = None,
) -> None:
    """Correct a memory; your correction is taken as certain."""
    if content is None and about is None and importance is None and when is None:
        with friendly_errors():
            raise InputError(
                "Nothing to change.", "Give --content, --about, --importance or --when."
            )

    async def work(memory: Memory, user_id: int, _: Companion) -> MemoryRecord:
        happens_on: date | None = None
        if when is not None:
            happens_on = resolve_when(when, memory.clock.now().date())
            if happens_on is None:
                raise InputError(f"Cannot read {when!r} as a date.", "Use a form like 2026-03-05.")
        return await memory.edit(
            user_id, memory_id, content=content, about=about, importance=importance,
            happens_on=happens_on,
        )  # fmt: skip

    record = _with_memory(work)
    out.print(f"Memory {record.id} is now: {clean(record.content)}", markup=False)


@memory_app.command("forget")
def forget_cmd(
    target: Annotated[str, typer.Argument(help="A memory id, or words describing what to forget.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Forget a memory (by id) or everything matching some words, after showing what goes."""

    async def find(memory: Memory, user_id: int, _: Companion) -> list[MemoryRecord]:
        number = as_id(target)
        if number is not None:
            return [await memory.get(user_id, number)]
        found = await memory.search(user_id, target, limit=20)
        return [f.record for f in found if f.similarity >= 0.45 or f.score >= 0.45]

    records = _with_memory(find)
    if not records:
        out.print("Nothing matches; nothing was forgotten.")
        return
    out.print("This will be forgotten for good (with earlier versions):")
    _table(records)
    if not yes and not typer.confirm("Forget these?", default=False):
        out.print("Kept everything.")
        return

    async def forget(memory: Memory, user_id: int, companion: Companion) -> int:
        ids = [r.id for r in records]
        removed = await memory.forget(user_id, ids)
        await asyncio.to_thread(
            lambda: companion.gate.audit.record(
                user_id,
                companion.clock.now(),
                conversation_id=None,
                skill="forget",
                arguments={"topic": target, "ids": ids},
                status="done",
                result=f"Forgot {removed} memor{'y' if removed == 1 else 'ies'}.",
                confirmed_by="`os1 memory forget --yes`" if yes else "`os1 memory forget`, yes",
            )
        )
        return removed

    removed = _with_memory(forget)
    out.print(f"Forgot {removed} memor{'y' if removed == 1 else 'ies'}.")


@memory_app.command("export")
def export_cmd(
    file: Annotated[
        Path | None,
        typer.Argument(help="Where to write (0600); standard output when omitted or '-'."),
    ] = None,
) -> None:
    """Write everything os1 remembers as versioned JSON that `os1 memory import` reads back."""
    to_stdout = file is None or str(file) == "-"
    if file is not None and not to_stdout:
        with friendly_errors():
            check_writable(file, streams=True)

    async def work(memory: Memory, user_id: int, _: Companion) -> dict[str, Any]:
        return await memory.export(user_id)

    data = _with_memory(work)
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if file is None or to_stdout:
        sys.stdout.buffer.write(inert_json(text).encode("utf-8"))
        sys.stdout.flush()
        return
    with friendly_errors():
        write_file(file, text.encode("utf-8"), streams=True)
    err.print(f"Exported {len(data['memories'])} memories to {escaped(str(file))}.")


@memory_app.command("import")
def import_cmd(
    file: Annotated[
        Path, typer.Argument(help="A file made by `os1 memory export`; '-' reads standard input.")
    ],
) -> None:
    """Add memories from an export; the whole file is checked first, and all or nothing is added.

    Memories already there are not added again, so importing twice changes nothing.
    """
    with friendly_errors():
        data = read_json(
            Path("/dev/stdin") if str(file) == "-" else file, "memory export", 200_000_000
        )

    async def work(memory: Memory, user_id: int, _: Companion) -> int:
        return await memory.import_(user_id, data)

    count = _with_memory(work)
    known = len(data.get("memories", [])) - count if isinstance(data, dict) else 0
    out.print(f"Imported {count} memories" + (f"; {known} were already there." if known else "."))


@memory_app.command("catch-up")
def catch_up_cmd() -> None:
    """Remember what earlier turns said, if that was interrupted or skipped."""

    async def work(memory: Memory, user_id: int, _: Companion) -> int:
        return await memory.extract_pending(user_id)

    done = _with_memory(work, talk=True)
    out.print(f"Went through {done} turn{'s' if done != 1 else ''}.")


def reflect() -> None:
    """Think over recent memories: note patterns as insights and drop duplicates."""

    async def work(
        memory: Memory, user_id: int, companion: Companion
    ) -> tuple[list[int], int, tuple[bool, str]]:
        await memory.extract_pending(user_id)
        ids, pruned = await memory.reflect(user_id)
        return ids, pruned, await companion.grow()

    ids, pruned, (grew, why) = _with_memory(work, talk=True)

    async def show(memory: Memory, user_id: int, _: Companion) -> list[MemoryRecord]:
        return await asyncio.to_thread(memory.store.records, user_id, ids=ids)

    insights = _with_memory(show) if ids else []
    for insight in insights:
        out.print(
            f"- {escaped(insight.content)} [dim](from memories {list(insight.derived_from)})[/]"
        )
    out.print(
        f"{len(ids)} new insight{'s' if len(ids) != 1 else ''}; {pruned} duplicate(s) removed."
    )
    if grew:
        out.print(f"I've changed a little: {escaped(why)}. See `os1 journal`.")
    else:
        out.print(f"[dim]Persona: {escaped(why)}.[/]")
