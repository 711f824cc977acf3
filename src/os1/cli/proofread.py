"""``os1 proofread FILE|-``: spelling, grammar and style as changes with reasons, the text fixed.

Only sure fixes are made; what has none is listed to look at. ``--apply``
writes the corrected text over the file, after keeping the original beside
it (``FILE.orig``, or ``FILE.orig.2`` and on if that exists), so nothing is
lost.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from os1.cli.runtime import err, friendly_errors, out
from os1.errors import InputError
from os1.files import read_at_most, write_file
from os1.skills.proofread import Finding, apply_fixes
from os1.skills.proofread import proofread as check
from os1.terminal import escaped, inert_json

MOST_BYTES = 2_000_000


def _read(source: Path) -> str:
    """The text to check from a file or standard input, or a clear error."""
    try:
        data = read_at_most(sys.stdin.buffer if str(source) == "-" else source, MOST_BYTES + 1)
    except OSError as exc:
        raise InputError(f"{source} cannot be read ({exc.strerror}).", "Check the path.") from exc
    if len(data) > MOST_BYTES:
        raise InputError(
            f"{source} is over {MOST_BYTES // 1_000_000} MB.", "Proofread it in parts."
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{source} is not UTF-8 text (byte {exc.start} cannot be read).",
            "Save it as UTF-8 text (a .docx or .pdf is not text).",
        ) from exc


def _kept(path: Path) -> Path:
    """Where the original goes: FILE.orig, or the first FILE.orig.N not taken."""
    candidate = path.with_name(path.name + ".orig")
    number = 2
    while candidate.exists():
        candidate = path.with_name(f"{path.name}.orig.{number}")
        number += 1
    return candidate


def _where(text: str, finding: Finding) -> str:
    line = text.count("\n", 0, finding.start) + 1
    column = finding.start - (text.rfind("\n", 0, finding.start) + 1) + 1
    return f"line {line}, column {column}"


def proofread(
    source: Annotated[
        Path, typer.Argument(help="The text file to check, or - for standard input.")
    ],
    apply: Annotated[
        bool,
        typer.Option("--apply", help="Write the corrected text to the file, keeping the original."),
    ] = False,
    known: Annotated[
        list[str] | None,
        typer.Option("--known", help="A name or word that is right as written (repeatable)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """Proofread a text: spelling, grammar and style as changes with reasons, and the text fixed."""
    with friendly_errors():
        if apply and str(source) == "-":
            raise InputError("--apply needs a file to write to.", "Give a path instead of -.")
        text = _read(source)
        findings = check(text, known or [])
        corrected = apply_fixes(text, findings)
        kept: Path | None = None
        if apply and corrected != text:
            kept = _kept(source)
            mode = os.stat(source).st_mode & 0o777
            write_file(kept, text.encode("utf-8"), mode=mode)
            write_file(source, corrected.encode("utf-8"), mode=mode)
    if as_json:
        report = {
            "changes": [
                {"kind": f.kind, "line": text.count("\n", 0, f.start) + 1, "found": f.found,
                 "fix": f.fix, "reason": f.message}
                for f in findings
            ],
            "corrected": corrected,
            "original_kept_as": str(kept) if kept else None,
        }  # fmt: skip
        sys.stdout.write(inert_json(json.dumps(report, indent=2, ensure_ascii=False)) + "\n")
        return
    sure = [f for f in findings if f.fix is not None]
    loose = [f for f in findings if f.fix is None]
    if not findings:
        err.print("Nothing to fix.")
    if sure:
        out.print(f"[bold]{len(sure)} change{'s' if len(sure) != 1 else ''}:[/]")
        for f in sure:
            out.print(
                f"  {_where(text, f)}: {escaped(repr(f.found))} → {escaped(repr(f.fix))} "
                f"[dim]({escaped(f.message)})[/]"
            )
    if loose:
        out.print(f"[bold]To look at ({len(loose)}, no sure fix):[/]")
        for f in loose:
            out.print(
                f"  {_where(text, f)}: {escaped(repr(f.found))} [dim]({escaped(f.message)})[/]"
            )
    if kept is not None:
        out.print(
            f"Corrected {escaped(str(source))}; the original is kept as {escaped(str(kept))}."
        )
    elif apply:
        out.print("Nothing was changed.")
    else:
        if findings:
            out.print("[bold]Corrected text:[/]")
        out.print(escaped(corrected), end="" if corrected.endswith("\n") else "\n")
