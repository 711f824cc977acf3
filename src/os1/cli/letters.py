"""``os1 letters``: clients and their people, drafts, revisions, proofreading, pages and books."""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from collections.abc import Callable, Coroutine
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.table import Table

from os1.app import open_studio
from os1.cli.params import ID, SEED
from os1.cli.runtime import err, friendly_errors, open_companion, out, run
from os1.config import resolve_paths
from os1.errors import InputError
from os1.files import check_writable, inside, read_at_most, write_file
from os1.letters.studio import Studio
from os1.private import private_dir
from os1.skills.proofread import Finding, apply_fixes, proofread
from os1.store.letters import Client, ClientHand, Letter, Recipient
from os1.terminal import clean, escaped

if TYPE_CHECKING:
    from os1.letters import RenderResult, Style
    from os1.letters.render import Format

STYLE_HELP = "The look: see `os1 letters styles` (classic, casual, elegant, neat)."
letters_app = typer.Typer(
    help="Write personal letters in a client's voice and render them as handwriting.",
    no_args_is_help=True,
)
client_app = typer.Typer(help="The people letters are written for.", no_args_is_help=True)
recipient_app = typer.Typer(help="The people a client writes to.", no_args_is_help=True)
letters_app.add_typer(client_app, name="client")
letters_app.add_typer(recipient_app, name="recipient")

T = TypeVar("T")
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
MAX_INPUT = 200_000


def _with_studio(work: Callable[[Studio, int], Coroutine[Any, Any, T]], *, talk: bool = False) -> T:
    with friendly_errors():
        companion = open_companion(talk=talk)
    loop = asyncio.new_event_loop()
    try:
        user_id = run(loop, companion.user_id())
        return run(loop, work(open_studio(companion), user_id))
    finally:
        loop.run_until_complete(companion.aclose())
        loop.close()


def _read(source: str, what: str) -> str:
    """Text from a file, or stdin for '-', checked to be text of a sane size."""
    with friendly_errors():
        try:
            data = read_at_most(sys.stdin.buffer if source == "-" else Path(source), MAX_INPUT + 1)
        except OSError as exc:
            raise InputError(f"Cannot read the {what} {source!r}: {exc.strerror}.") from None
        if len(data) > MAX_INPUT:
            raise InputError(
                f"The {what} is {len(data):,} bytes; at most {MAX_INPUT:,} are accepted.",
                "Shorten it to what matters for this letter.",
            )
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(
                f"The {what} {source!r} is not UTF-8 text.", "Save it as plain UTF-8 text."
            ) from None


def _client_dict(client: Client, recipients: list[Recipient]) -> dict[str, Any]:
    return {
        "id": client.id,
        "name": client.name,
        "about": client.about,
        "signs_as": client.signs_as,
        "address": list(client.address),
        "samples": len(client.samples),
        "hand": client.hand.as_json() if client.hand is not None else None,
        "writes_to": [
            {
                "id": r.id,
                "name": r.name,
                "relationship": r.relationship,
                "history": r.history,
                "details": list(r.details),
                "address": list(r.address),
            }
            for r in recipients
        ],
    }


def _letter_dict(letter: Letter) -> dict[str, Any]:
    return {
        "id": letter.id,
        "client_id": letter.client_id,
        "recipient_id": letter.recipient_id,
        "occasion": letter.occasion,
        "created_at": letter.created_at.isoformat(),
        "versions": [
            {
                "number": v.number,
                "instruction": v.instruction,
                "unconfirmed": list(v.unconfirmed),
                "created_at": v.created_at.isoformat(),
                "text": v.text,
            }
            for v in letter.versions
        ],
    }


def _print_json(value: object) -> None:
    sys.stdout.write(json.dumps(value, indent=2) + "\n")


# -- clients and recipients -------------------------------------------------


@client_app.command("add")
def client_add(
    name: Annotated[str, typer.Argument(help="The client's name.")],
    about: Annotated[str, typer.Option(help="Who they are, in a sentence or two.")] = "",
    signs_as: Annotated[str, typer.Option(help="How they sign their letters.")] = "",
    address: Annotated[
        list[str] | None, typer.Option(help="A line of their address (repeat for each line).")
    ] = None,
    sample: Annotated[
        list[str] | None,
        typer.Option(help="A file holding a letter they wrote, to learn their voice (repeat)."),
    ] = None,
) -> None:
    """Open a client's file."""
    samples = [_read(path, "sample letter") for path in sample or []]

    async def work(studio: Studio, user_id: int) -> Client:
        return await asyncio.to_thread(
            studio.store.add_client,
            user_id,
            name.strip(),
            studio.clock.now(),
            about=about.strip(),
            signs_as=signs_as.strip(),
            address=address or [],
            samples=samples,
        )

    with friendly_errors():
        if not name.strip():
            raise InputError("A client needs a name.")
    client = _with_studio(work)
    out.print(f"Client [bold]{escaped(client.name)}[/] added ({len(samples)} sample letters).")


@client_app.command("hand")
def client_hand(
    name: Annotated[str, typer.Argument(help="The client's name.")],
    base: Annotated[str, typer.Option(help="The style it starts from: " + STYLE_HELP)] = "classic",
    slant: Annotated[float, typer.Option(help="Degrees to the right (-15 to 30).")] = 4.0,
    size: Annotated[
        float, typer.Option(help="Larger or smaller than the base (0.7 to 1.4).")
    ] = 1.0,
    roundness: Annotated[float, typer.Option(help="Narrow 0 to round 1.")] = 0.5,
    pressure: Annotated[float, typer.Option(help="Even 0 to heavy, swelling strokes 1.")] = 0.5,
    messiness: Annotated[float, typer.Option(help="Tidy 0 to hurried 1.")] = 0.5,
) -> None:
    """Describe the client's own handwriting; their letters are then rendered in it."""
    from os1.letters import get_style

    with friendly_errors():
        get_style(base)
        hand = ClientHand(base, slant, size, roundness, pressure, messiness)

    async def work(studio: Studio, user_id: int) -> Client:
        client = await asyncio.to_thread(studio.store.client, user_id, name)
        await asyncio.to_thread(studio.store.set_hand, user_id, client.id, hand, studio.clock.now())
        return client

    client = _with_studio(work)
    out.print(
        f"{escaped(client.name)}'s letters are now written in their own hand "
        "(`--style own`, and by default)."
    )


@client_app.command("list")
def client_list(as_json: JsonOpt = False) -> None:
    """Everyone letters are written for."""

    async def work(studio: Studio, user_id: int) -> list[tuple[Client, list[Recipient]]]:
        clients = await asyncio.to_thread(studio.store.clients, user_id)
        return [
            (c, await asyncio.to_thread(studio.store.recipients, user_id, c.id)) for c in clients
        ]

    found = _with_studio(work)
    if as_json:
        _print_json([_client_dict(c, rs) for c, rs in found])
        return
    if not found:
        out.print("[dim]No clients yet: add one with `os1 letters client add NAME`.[/]")
        return
    table = Table("client", "about", "writes to")
    for client, recipients in found:
        table.add_row(
            escaped(client.name),
            escaped(client.about),
            escaped(", ".join(r.name for r in recipients)),
        )
    out.print(table)


@client_app.command("show")
def client_show(
    name: Annotated[str, typer.Argument(help="The client's name.")], as_json: JsonOpt = False
) -> None:
    """A client's file: who they are, who they write to, and their letters."""

    async def work(studio: Studio, user_id: int) -> tuple[Client, list[Recipient], list[Letter]]:
        client = await asyncio.to_thread(studio.store.client, user_id, name)
        recipients = await asyncio.to_thread(studio.store.recipients, user_id, client.id)
        letters = await asyncio.to_thread(studio.store.letters, user_id, client_id=client.id)
        return client, recipients, letters

    client, recipients, letters = _with_studio(work)
    if as_json:
        _print_json(
            {**_client_dict(client, recipients), "letters": [_letter_dict(x) for x in letters]}
        )
        return
    out.print(f"[bold]{escaped(client.name)}[/]  signs as {escaped(client.signs_as)}")
    if client.about:
        out.print(escaped(client.about))
    out.print(f"{len(client.samples)} sample letters on file.")
    for r in recipients:
        out.print(f"\n  to [bold]{escaped(r.name)}[/]" + (f" ({escaped(r.relationship)})"))
        if r.history:
            out.print(f"    {escaped(r.history)}")
        for detail in r.details:
            out.print(f"    - {escaped(detail)}")
    names = {r.id: r.name for r in recipients}
    for letter in letters:
        out.print(
            f"\n  letter {letter.id} to {escaped(names.get(letter.recipient_id, '?'))}: "
            f"{escaped(letter.occasion)} (version {letter.latest.number}, "
            f"{letter.latest.created_at:%Y-%m-%d})"
        )


@recipient_app.command("add")
def recipient_add(
    name: Annotated[str, typer.Argument(help="Who the client writes to.")],
    client: Annotated[str, typer.Option("--client", help="The client writing.")],
    relationship: Annotated[str, typer.Option(help="Who they are to the client.")] = "",
    history: Annotated[str, typer.Option(help="What the two share, in a few sentences.")] = "",
    detail: Annotated[
        list[str] | None,
        typer.Option(help="A name, date, place or in-joke worth knowing (repeat for each)."),
    ] = None,
    address: Annotated[
        list[str] | None, typer.Option(help="A line of their address (repeat for each line).")
    ] = None,
) -> None:
    """Note someone a client writes to, and what the two share."""

    async def work(studio: Studio, user_id: int) -> Recipient:
        owner = await asyncio.to_thread(studio.store.client, user_id, client)
        return await asyncio.to_thread(
            studio.store.add_recipient,
            user_id,
            owner.id,
            name.strip(),
            studio.clock.now(),
            relationship=relationship.strip(),
            history=history.strip(),
            details=[d.strip() for d in detail or [] if d.strip()],
            address=address or [],
        )

    with friendly_errors():
        if not name.strip():
            raise InputError("The person written to needs a name.")
    added = _with_studio(work)
    out.print(f"{escaped(client)} writes to [bold]{escaped(added.name)}[/].")


# -- letters ------------------------------------------------------------------


class _Progress:
    """A running word count on a terminal while the model writes, erased when it is done.

    The letter itself is shown once, as filed (shaped, signed, with its suggestions
    bracketed): streaming the raw draft as well showed it twice, and the two differed.
    """

    def __init__(self, what: str) -> None:
        self.what = what
        self.text = ""
        self.live = err.is_terminal

    def __call__(self, piece: str) -> None:
        self.text += piece
        if self.live:
            words = len(self.text.split())
            err.file.write(f"\r{self.what}… {words} words")
            err.file.flush()

    def done(self) -> None:
        """Erase the count, so only the letter stays on the screen."""
        if self.live:
            err.file.write("\r\x1b[2K")
            err.file.flush()


def _findings(findings: list[Finding], text: str) -> None:
    for f in findings:
        line = text.count("\n", 0, f.start) + 1
        fix = f" → {escaped(f.fix)}" if f.fix is not None else ""
        out.print(
            f"  line {line}: [yellow]{escaped(f.found)}[/]{fix}  [dim]{escaped(f.message)}[/]"
        )


def _report(letter: Letter, names: list[str]) -> None:
    version = letter.latest
    out.print(f"[bold]Letter {letter.id}[/], version {version.number}:\n")
    out.print(escaped(version.text))
    if version.unconfirmed:
        out.print(
            "\n[yellow]Not on file, to confirm:[/] "
            + ", ".join(f"\\[{escaped(u)}]" for u in version.unconfirmed)
        )
    findings = proofread(version.text, names)
    if findings:
        out.print(f"\n[yellow]Proofreading found {len(findings)} things to look at:[/]")
        _findings(findings, version.text)


async def _names(studio: Studio, user_id: int, letter: Letter) -> list[str]:
    client = await asyncio.to_thread(studio.store.client, user_id, letter.client_id)
    recipient = await asyncio.to_thread(
        studio.store.recipient, user_id, letter.client_id, letter.recipient_id
    )
    return [
        client.name,
        client.signs_as,
        client.about,
        recipient.name,
        recipient.history,
        *recipient.details,
    ]


@letters_app.command("write")
def write_cmd(
    client: Annotated[str, typer.Option("--client", help="Who the letter is from.")],
    to: Annotated[str, typer.Option("--to", help="Who it is to (see `recipient add`).")],
    occasion: Annotated[str, typer.Option(help='Why they write: "fiftieth anniversary".')] = "",
    notes: Annotated[
        str, typer.Option(help="A file (or - for stdin) with what the client wants to say.")
    ] = "",
    as_json: JsonOpt = False,
) -> None:
    """Draft a letter in the client's voice from what is on file and the notes."""
    material = _read(notes, "notes") if notes else ""

    progress = _Progress(f"Writing to {clean(to)} as {clean(client)}")

    async def work(studio: Studio, user_id: int) -> tuple[Letter, list[str]]:
        try:
            letter = await studio.write_letter(
                user_id, client, to, occasion.strip(), material, progress
            )
        finally:
            progress.done()
        return letter, await _names(studio, user_id, letter)

    _show_draft(*_with_studio(work, talk=True), as_json)


def _show_draft(letter: Letter, names: list[str], as_json: bool) -> None:
    if as_json:
        _print_json(_letter_dict(letter))
        return
    _report(letter, names)


@letters_app.command("revise")
def revise_cmd(
    letter_id: Annotated[int, typer.Argument(parser=ID, help="The letter to revise.")],
    instruction: Annotated[str, typer.Argument(help='What to change: "warmer, shorter".')],
    as_json: JsonOpt = False,
) -> None:
    """Apply a change to the latest version; the result is kept as the next version."""
    progress = _Progress(f"Revising letter {letter_id}")

    async def work(studio: Studio, user_id: int) -> tuple[Letter, list[str]]:
        try:
            letter = await studio.revise_letter(user_id, letter_id, instruction, progress)
        finally:
            progress.done()
        return letter, await _names(studio, user_id, letter)

    _show_draft(*_with_studio(work, talk=True), as_json)


@letters_app.command("edit")
def edit_cmd(
    letter_id: Annotated[int, typer.Argument(parser=ID, help="The letter to change.")],
    file: Annotated[str, typer.Option("--file", help="The new text (or - for stdin).")],
) -> None:
    """Keep your own edited text as the letter's next version."""
    text = _read(file, "letter text")

    async def work(studio: Studio, user_id: int) -> Letter:
        return await studio.save_text(user_id, letter_id, text, "edited by hand")

    letter = _with_studio(work)
    out.print(f"Letter {letter.id} is now at version {letter.latest.number}.")


@letters_app.command("list")
def list_cmd(
    client: Annotated[str | None, typer.Option("--client", help="Only this client's.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """The letters on file, oldest first."""

    async def work(studio: Studio, user_id: int) -> tuple[list[Letter], dict[int, str]]:
        clients = await asyncio.to_thread(studio.store.clients, user_id)
        if client is not None:
            clients = [await asyncio.to_thread(studio.store.client, user_id, client)]
        names: dict[int, str] = {}
        found: list[Letter] = []
        for c in clients:
            for r in await asyncio.to_thread(studio.store.recipients, user_id, c.id):
                names[r.id] = f"{c.name} → {r.name}"
            found += await asyncio.to_thread(studio.store.letters, user_id, client_id=c.id)
        return sorted(found, key=lambda x: x.id), names

    found, names = _with_studio(work)
    if as_json:
        _print_json([_letter_dict(x) for x in found])
        return
    if not found:
        out.print("[dim]No letters yet: write one with `os1 letters write`.[/]")
        return
    table = Table("id", "from → to", "occasion", "versions", "last change")
    for x in found:
        table.add_row(
            str(x.id),
            escaped(names.get(x.recipient_id, "?")),
            escaped(x.occasion),
            str(x.latest.number),
            f"{x.latest.created_at:%Y-%m-%d %H:%M}",
        )
    out.print(table)


@letters_app.command("show")
def show_cmd(
    letter_id: Annotated[int, typer.Argument(parser=ID, help="The letter.")],
    version: Annotated[
        int | None, typer.Option(parser=ID, help="This version, not the latest.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """A letter's text (the latest version unless one is named)."""

    async def work(studio: Studio, user_id: int) -> Letter:
        return await asyncio.to_thread(studio.store.letter, user_id, letter_id)

    letter = _with_studio(work)
    if as_json:
        _print_json(_letter_dict(letter))
        return
    with friendly_errors():
        chosen = Studio.version(letter, version)
    out.print(
        f"[bold]Letter {letter.id}[/], version {chosen.number} of {letter.latest.number} "
        f"[dim]({escaped(chosen.instruction)})[/]\n"
    )
    out.print(escaped(chosen.text))


@letters_app.command("diff")
def diff_cmd(
    letter_id: Annotated[int, typer.Argument(parser=ID, help="The letter.")],
    old: Annotated[
        int | None, typer.Option("--from", parser=ID, help="The earlier version.")
    ] = None,
    new: Annotated[int | None, typer.Option("--to", parser=ID, help="The later version.")] = None,
) -> None:
    """What changed between two versions (by default the last two)."""

    async def work(studio: Studio, user_id: int) -> str:
        letter = await asyncio.to_thread(studio.store.letter, user_id, letter_id)
        return studio.diff(letter, old, new)

    text = _with_studio(work)
    sys.stdout.write(clean(text) or "The two versions are the same.\n")


@letters_app.command("proofread")
def proofread_cmd(
    letter_id: Annotated[int, typer.Argument(parser=ID, help="The letter.")],
    fix: Annotated[
        bool, typer.Option("--fix", help="Make the sure fixes and keep them as a new version.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Check spelling, doubled words, spacing and common slips in the latest version."""

    async def work(studio: Studio, user_id: int) -> tuple[Letter, list[Finding]]:
        letter = await asyncio.to_thread(studio.store.letter, user_id, letter_id)
        findings = proofread(letter.latest.text, await _names(studio, user_id, letter))
        if fix and any(f.fix is not None for f in findings):
            fixed = apply_fixes(letter.latest.text, findings)
            letter = await studio.save_text(user_id, letter_id, fixed, "proofreading fixes")
        return letter, findings

    letter, findings = _with_studio(work)
    if as_json:
        _print_json(
            [
                {"kind": f.kind, "found": f.found, "message": f.message, "fix": f.fix}
                for f in findings
            ]
        )
        return
    if not findings:
        out.print("Nothing to correct.")
        return
    out.print(f"{len(findings)} things to look at:")
    _findings(findings, letter.versions[-2 if fix and len(letter.versions) > 1 else -1].text)
    if fix:
        out.print(f"Sure fixes made: letter {letter.id} is now at version {letter.latest.number}.")


def _letters_dir() -> Path:
    return private_dir(resolve_paths().data_dir / "letters")


def _fresh(folder: Path, stem: str, suffix: str) -> Path:
    """A file name in ``folder`` that no earlier render used, for its pages or envelope.

    Names say what they hold (letter, version, style, seed), and a second render of
    the same gets ``-2``, ``-3``… rather than writing over the first.
    """
    taken = {path.name for path in folder.iterdir()} if folder.is_dir() else set()
    for number in range(1, 10_000):
        name = stem if number == 1 else f"{stem}-{number}"
        candidate = inside(folder, name, suffix)
        prefix = candidate.with_suffix("").name
        if not any(t == candidate.name or t.startswith(f"{prefix}-page-") for t in taken) and (
            f"{prefix}-envelope.png" not in taken
        ):
            return candidate
    raise InputError(f"There are too many renders called {stem} in {folder}.", "Tidy the folder.")


def _deliver(result: RenderResult, target: Path, *, named: bool) -> RenderResult:
    """Move what was rendered in a scratch folder to ``target``'s folder, atomically, 0600."""
    moved = tuple(
        write_file(target.parent / path.name, path.read_bytes(), named=named)
        for path in result.paths
    )
    return replace(result, paths=moved)


def _what(path: Path) -> str:
    name = path.stem
    if name.endswith("-envelope"):
        return "envelope"
    if "-page-" in name:
        return "page " + name.rsplit("-page-", 1)[1]
    return "letter"


@letters_app.command("render")
def render_cmd(
    letter_id: Annotated[int, typer.Argument(parser=ID, help="The letter.")],
    style: Annotated[
        str | None,
        typer.Option(help=STYLE_HELP + " Default: the client's own hand, else classic."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="pdf or png (300 dpi).")] = "pdf",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Where to write it.")
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(parser=SEED, help="Another seed gives another hand (default: the letter id)."),
    ] = None,
    ink: Annotated[str | None, typer.Option(help="blue-black, black, sepia or blue.")] = None,
    paper: Annotated[str | None, typer.Option(help="plain, lined, cream or textured.")] = None,
    envelope: Annotated[
        bool, typer.Option(help="Add an envelope page with the addresses.")
    ] = False,
    version: Annotated[
        int | None, typer.Option(parser=ID, help="This version, not the latest.")
    ] = None,
    as_is: Annotated[
        bool, typer.Option("--as-is", help="Render even with suggestions still to confirm.")
    ] = False,
) -> None:
    """Render the letter as handwriting on paper (proofread first)."""
    with friendly_errors():
        if fmt not in ("pdf", "png"):
            raise InputError(f"Cannot render as {fmt!r}.", "Use --format pdf or --format png.")
        chosen: Format = "png" if fmt == "png" else "pdf"
        _style(style if style not in (None, "own") else "classic", ink, paper)
        if output is not None:
            check_writable(output, named=True)

    async def work(studio: Studio, user_id: int) -> tuple[RenderResult, list[Finding], str]:
        letter = await asyncio.to_thread(studio.store.letter, user_id, letter_id)
        client = await asyncio.to_thread(studio.store.client, user_id, letter.client_id)
        picked = Studio.version(letter, version)
        look = _style(Studio.look(client, style), ink, paper)
        text = picked.text
        findings = proofread(text, await _names(studio, user_id, letter))
        if envelope:
            name, address = await studio.addresses(user_id, letter_id)
            if not address:
                err.print(
                    f"[yellow]warning:[/] there is no postal address on file for "
                    f"{escaped(name)}: the envelope will carry only their name. Add it with "
                    "`os1 letters recipient add ... --address`, or leave out --envelope."
                )
        seeded = f"-seed{seed}" if seed is not None else ""
        target = output or _fresh(
            _letters_dir(), f"letter-{letter_id}-v{picked.number}-{look.name}{seeded}", f".{chosen}"
        )
        err.print("[dim]Rendering…[/]")
        with tempfile.TemporaryDirectory(prefix="os1-render-") as scratch:
            result = await studio.render(
                user_id,
                letter_id,
                Path(scratch) / target.name,
                style=look,
                seed=seed,
                fmt=chosen,
                envelope=envelope,
                version=version,
                as_is=as_is,
            )
            return _deliver(result, target, named=output is not None), findings, text

    result, findings, text = _with_studio(work)
    if findings:
        err.print(f"[yellow]Proofreading found {len(findings)} things to look at first:[/]")
        _findings(findings, text)
    for warning in result.warnings:
        if not warning.startswith("There is no postal address"):  # said before rendering
            err.print(f"[yellow]warning:[/] {escaped(warning)}")
    pages = f"{result.pages} page" + ("s" if result.pages != 1 else "")
    for path in result.paths:
        out.print(clean(str(path)), markup=False)
    if len(result.paths) > 1:
        err.print(
            "Written as: " + ", ".join(f"{_what(p)} {clean(p.name)}" for p in result.paths) + "."
        )
    err.print(f"Rendered {pages}.")


@letters_app.command("book")
def book_cmd(
    client: Annotated[str, typer.Option("--client", help="Whose letters.")],
    title: Annotated[str, typer.Option(help="The book's title.")],
    to: Annotated[str | None, typer.Option("--to", help="Only the letters to this person.")] = None,
    letter: Annotated[
        list[int] | None, typer.Option("--letter", parser=ID, help="Only these letters (repeat).")
    ] = None,
    style: Annotated[
        str | None,
        typer.Option(help=STYLE_HELP + " Default: the client's own hand, else classic."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Where to write the PDF.")
    ] = None,
) -> None:
    """Bind letters into a print-ready PDF book with a title page and contents."""
    with friendly_errors():
        if not title.strip():
            raise InputError("A book needs a title.", 'Give one with --title "...".')
        _style(style if style not in (None, "own") else "classic", None, None)
        if output is not None:
            check_writable(output, named=True)

    async def work(studio: Studio, user_id: int) -> RenderResult:
        owner = await asyncio.to_thread(studio.store.client, user_id, client)
        look = _style(Studio.look(owner, style), None, None)
        target = output or _fresh(_letters_dir(), f"book-{client}-{look.name}", ".pdf")
        err.print("[dim]Binding the book…[/]")
        with tempfile.TemporaryDirectory(prefix="os1-book-") as scratch:
            result = await studio.book(
                user_id,
                client,
                Path(scratch) / target.name,
                title=title.strip(),
                style=look,
                recipient_name=to,
                letter_ids=letter or [],
            )
            return _deliver(result, target, named=output is not None)

    result = _with_studio(work)
    out.print(clean(str(result.path)), markup=False)
    err.print(f"Bound {result.pages} pages.")


@letters_app.command("styles")
def styles_cmd() -> None:
    """The handwriting styles a letter can be rendered in."""
    from os1.letters import INKS, PAPERS, STYLES

    table = Table("style", "hand", "ink", "paper")
    inks = {colour: name for name, colour in INKS.items()}
    for name, s in STYLES.items():
        table.add_row(name, s.font.name, inks.get(s.ink, "custom"), s.paper.name)
    out.print(table)
    out.print(f"Inks: {', '.join(INKS)}.  Papers: {', '.join(PAPERS)}.")


def _style(name: Style | str, ink: str | None, paper: str | None) -> Style:
    from os1.letters import INKS, PAPERS, get_style

    chosen = get_style(name)
    if ink is not None:
        if ink not in INKS:
            raise InputError(
                f"There is no ink called {ink!r}.", f"Choose one of: {', '.join(INKS)}."
            )
        chosen = replace(chosen, ink=INKS[ink])
    if paper is not None:
        if paper not in PAPERS:
            raise InputError(
                f"There is no paper called {paper!r}.", f"Choose one of: {', '.join(PAPERS)}."
            )
        chosen = replace(chosen, paper=PAPERS[paper])
    return chosen
