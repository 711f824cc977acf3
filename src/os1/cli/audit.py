"""``os1 audit``: every action os1 proposed or took, step by step."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

import typer
from rich.table import Table

from os1.cli.params import COUNT
from os1.cli.runtime import friendly_errors, open_companion, out, run
from os1.store.audit import AuditEntry
from os1.terminal import escaped


def _row(entry: AuditEntry) -> dict[str, object]:
    return {
        "id": entry.id,
        "at": entry.at.isoformat(),
        "conversation_id": entry.conversation_id,
        "action_id": entry.action_id,
        "skill": entry.skill,
        "arguments": entry.arguments,
        "status": entry.status,
        "result": entry.result,
        "confirmed_by": entry.confirmed_by,
    }


def audit(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    last: Annotated[
        int | None, typer.Option("--last", parser=COUNT, help="Only the newest N entries.")
    ] = None,
) -> None:
    """Every action os1 proposed or took: when, which skill, with what, result, on whose word."""
    with friendly_errors():
        companion = open_companion(talk=False)
    loop = asyncio.new_event_loop()
    try:

        async def entries() -> list[AuditEntry]:
            user_id = await companion.user_id()
            return await asyncio.to_thread(companion.gate.audit.entries, user_id, last)

        found = run(loop, entries())
    finally:
        loop.run_until_complete(companion.aclose())
        loop.close()
    if as_json:
        out.print(json.dumps([_row(e) for e in found]), markup=False)
        return
    if not found:
        out.print("[dim]Nothing proposed or done yet.[/]")
        return
    table = Table("when", "action", "skill", "status", "arguments", "result", "confirmed by")
    for entry in found:
        table.add_row(
            entry.at.astimezone().strftime("%Y-%m-%d %H:%M:%S"),
            "" if entry.action_id is None else str(entry.action_id),
            escaped(entry.skill),
            escaped(entry.status),
            escaped(json.dumps(entry.arguments, ensure_ascii=False)),
            escaped(entry.result),
            escaped(entry.confirmed_by),
        )
    out.print(table)
