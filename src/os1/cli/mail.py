"""``os1 mail``: add an account, sync, list, show, triage, search, draft a reply, send it."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from os1.cli.params import COUNT, ID
from os1.cli.runtime import err, friendly_errors, open_companion, out
from os1.clock import clock_from_env
from os1.companion.skills.mail import inbox_for, shown_mail
from os1.config import load_settings, resolve_paths
from os1.errors import InputError, MailError
from os1.mail import Account, Inbox, StoredMail
from os1.mail.accounts import KINDS, SECURITY, check_secret, keyring_usable, no_keyring
from os1.mail.inbox import line, shown
from os1.mail.sync import Progress as SyncProgress
from os1.mail.sync import SyncReport, watch
from os1.mail.triage import CATEGORIES
from os1.phrases import Reply, read_reply
from os1.private import secure_home
from os1.store import Journal
from os1.store.audit import DECLINED, DONE, FAILED, AuditLog
from os1.terminal import escaped

mail_app = typer.Typer(help="Your mail: accounts, sync, triage, search, replies.",
                       no_args_is_help=True)  # fmt: skip
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
AccountOpt = Annotated[str | None, typer.Option("--account", help="Which account (by name).")]


@dataclass
class Desk:
    """What a mail command works with: the person's id, their inbox, the audit log."""

    user_id: int
    inbox: Inbox
    audit: AuditLog


@contextlib.contextmanager
def _desk(*, model: bool = False) -> Iterator[Desk]:
    """The inbox on the store; with ``model`` the chat model reads and drafts too."""
    with friendly_errors():
        if model:
            companion = open_companion(talk=True)
            journal, clock, llm = companion.journal, companion.clock, companion.llm
        else:
            settings = load_settings()
            paths = resolve_paths()
            secure_home(paths)
            journal = Journal.open(settings.database_url, paths.database_file)
            clock, llm = clock_from_env(), None
        user_id = journal.user_id(load_settings().user, clock.now())
    try:
        with friendly_errors():
            yield Desk(user_id, inbox_for(journal, clock, llm), AuditLog(journal.engine))
    finally:
        if model:
            asyncio.run(companion.aclose())
        else:
            journal.close()


def _row(mail: StoredMail) -> dict[str, Any]:
    return {
        "id": mail.id,
        "sender": mail.sender,
        "subject": mail.subject,
        "sent_at": mail.sent_at.isoformat() if mail.sent_at else None,
        "category": mail.category,
        "attachments": mail.attachments,
        "problems": mail.problems,
        "reading": mail.reading,
    }


def _print_json(value: object) -> None:
    out.print(json.dumps(value, ensure_ascii=False), markup=False)


@mail_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="A short name for the account, e.g. work.")],
    address: Annotated[str, typer.Option("--address", help="Your own mail address.")],
    imap: Annotated[str | None, typer.Option("--imap", help="The IMAP server's host.")] = None,
    port: Annotated[int, typer.Option("--port", help="IMAP port (993 for ssl).")] = 993,
    security: Annotated[str, typer.Option("--security", help="ssl, starttls or none.")] = "ssl",
    user: Annotated[str | None, typer.Option("--user", help="Sign-in name (the address).")] = None,
    password_env: Annotated[
        str | None,
        typer.Option("--password-env", help="Read the password from this variable, when needed."),
    ] = None,
    maildir: Annotated[Path | None, typer.Option("--maildir", help="A local Maildir.")] = None,
    mbox: Annotated[Path | None, typer.Option("--mbox", help="A local mbox file.")] = None,
    smtp_host: Annotated[str, typer.Option("--smtp-host", help="SMTP server to send by.")] = "",
    smtp_port: Annotated[int, typer.Option("--smtp-port", help="SMTP port.")] = 587,
    smtp_security: Annotated[
        str, typer.Option("--smtp-security", help="ssl, starttls or none.")
    ] = "starttls",
) -> None:
    """Connect a mail account: an IMAP server (password in the keyring or a variable) or local mail.

    Without --password-env the password is asked for once and kept in the OS
    keyring; it is never written to os1's files.
    """
    chosen = [k for k, v in (("imap", imap), ("maildir", maildir), ("mbox", mbox)) if v]
    with friendly_errors():
        if len(chosen) != 1:
            raise InputError("Give exactly one of --imap HOST, --maildir PATH or --mbox PATH.")
        for value in (security, smtp_security):
            if value not in SECURITY:
                raise InputError(f"{value!r} is not a security mode.", "Use ssl, starttls or none.")
        kind = chosen[0]
        assert kind in KINDS
        secret = ""
        typed: str | None = None
        if kind == "imap":
            secret = check_secret(f"env:{password_env}" if password_env else "keyring")
            if not password_env:
                if not keyring_usable():
                    raise no_keyring()
                typed = typer.prompt(f"Password for {user or address}", hide_input=True)
        local = maildir or mbox
        account = Account(
            0,
            name,
            kind,
            address.strip().lower(),
            imap or "",
            port if imap else 0,
            security,
            user or address,
            secret,
            str(local.expanduser().resolve()) if local else "",
            smtp_host,
            smtp_port if smtp_host else 0,
            smtp_security,
        )
    with _desk() as desk:
        made = desk.inbox.add(desk.user_id, account, typed)
    where = f"{made.host}:{made.port}" if made.kind == "imap" else made.path
    source = {"keyring": "the OS keyring"}.get(made.secret, f"${password_env}")
    kept = f" (password read from {source})" if made.kind == "imap" else ""
    out.print(f"Added {escaped(made.name)}: {escaped(where)}{escaped(kept)}. "
              "Run os1 mail sync to fetch it.")  # fmt: skip


@mail_app.command("accounts")
def accounts(as_json: JsonOpt = False) -> None:
    """Your mail accounts (passwords are never shown: only where they are kept)."""
    with _desk() as desk:
        found = desk.inbox.store.accounts(desk.user_id)
    rows = [
        {"name": a.name, "kind": a.kind, "address": a.address, "host": a.host, "port": a.port,
         "path": a.path, "password_from": a.secret, "smtp": f"{a.smtp_host}:{a.smtp_port}"}
        for a in found
    ]  # fmt: skip
    if as_json:
        _print_json(rows)
        return
    if not rows:
        out.print("[dim]No mail account yet: os1 mail add --help.[/]")
    for r in rows:
        where = f"{r['host']}:{r['port']}" if r["kind"] == "imap" else r["path"]
        out.print(escaped(f"{r['name']}: {r['kind']} {where} as {r['address']}"))


@mail_app.command("remove")
def remove(name: Annotated[str, typer.Argument(help="The account's name.")]) -> None:
    """Forget an account and the mail synced from it (nothing on the server changes)."""
    with _desk() as desk:
        gone = desk.inbox.store.remove_account(desk.user_id, name)
    out.print(f"Removed {escaped(name)}." if gone else f"No account named {escaped(name)}.")
    if not gone:
        raise typer.Exit(1)


def _bars(progress: Progress) -> Callable[[Account], SyncProgress]:
    def for_account(account: Account) -> SyncProgress:
        task = progress.add_task(escaped(account.name), total=None)

        def report(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        return report

    return for_account


@mail_app.command("sync")
def sync(
    account: AccountOpt = None,
    folder: Annotated[str, typer.Option("--folder", help="The folder to sync.")] = "INBOX",
    as_json: JsonOpt = False,
    keep_watching: Annotated[
        bool,
        typer.Option(
            "--watch", help="Then wait for new mail (IMAP IDLE) and fetch it as it comes."
        ),
    ] = False,
) -> None:
    """Fetch new mail into os1 (only what it does not have yet), with a progress bar."""
    if keep_watching:
        _watch(account, folder)
        return
    with _desk() as desk:
        bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                       TimeRemainingColumn(), console=err, disable=as_json)  # fmt: skip
        with bar:
            reports = desk.inbox.sync(desk.user_id, account, folder=folder, progress=_bars(bar))
    if as_json:
        _print_json([r.__dict__ for r in reports])
        return
    for r in reports:
        out.print(escaped(f"{r.account}/{r.folder}: {r.new} new ({r.fetched} fetched)."))
        for reason in r.unreadable:
            out.print(f"  [yellow]kept unreadable:[/] {escaped(reason)}")


def _watch(name: str | None, folder: str) -> None:
    def said(report: SyncReport) -> None:
        if report.new:
            out.print(escaped(f"{report.account}/{report.folder}: {report.new} new."))

    with _desk() as desk:
        account = desk.inbox.store.account(desk.user_id, name)
        if account.kind != "imap":
            raise MailError(f"{account.name!r} is local mail; --watch needs an IMAP account.")
        err.print(f"Watching {escaped(account.name)}/{escaped(folder)}; Ctrl-C to stop.")
        with contextlib.suppress(KeyboardInterrupt):
            watch(desk.inbox.store, desk.user_id, account, desk.inbox.clock, folder=folder,
                  synced=said)  # fmt: skip


@mail_app.command("list")
def list_mail(
    category: Annotated[
        str | None, typer.Option("--category", help=f"Only one of: {', '.join(CATEGORIES)}.")
    ] = None,
    last: Annotated[int, typer.Option("--last", parser=COUNT, help="How many.")] = 20,
    as_json: JsonOpt = False,
) -> None:
    """The newest mails first."""
    with friendly_errors():
        if category is not None and category not in CATEGORIES:
            raise InputError(f"{category!r} is not a category.", f"Use one of {CATEGORIES}.")
    with _desk() as desk:
        found = desk.inbox.store.recent(desk.user_id, last, category=category)
    if as_json:
        _print_json([_row(m) for m in found])
        return
    if not found:
        out.print("[dim]No mail yet: os1 mail sync.[/]")
    for mail in found:
        out.print(escaped(f"{line(mail)}  [{mail.category}]"))


@mail_app.command("show")
def show(mail_id: Annotated[int, typer.Argument(parser=ID, help="The mail's number.")],
         as_json: JsonOpt = False) -> None:  # fmt: skip
    """One mail's text as its sender wrote it (cleaned for the terminal; nothing fetched)."""
    with _desk() as desk:
        mail = desk.inbox.store.get(desk.user_id, mail_id)
    if as_json:
        _print_json({**_row(mail), "body": mail.body, "recipients": mail.recipients})
        return
    out.print(escaped(shown_mail(mail)))


@mail_app.command("triage")
def triage(
    last: Annotated[int, typer.Option("--last", parser=COUNT, help="How many mails.")] = 30,
    read: Annotated[
        int,
        typer.Option("--read", help="Summarise this many with the model (quarantined reader)."),
    ] = 0,
) -> None:
    """Your recent mail sorted: needs a reply, waiting, FYI, newsletters, probably spam."""
    with _desk(model=read > 0) as desk:
        mails = desk.inbox.store.recent(desk.user_id, last)
        text = asyncio.run(desk.inbox.brief(desk.user_id, mails, read=read))
    out.print(escaped(text))


@mail_app.command("search")
def search(
    words: Annotated[list[str], typer.Argument(help='e.g. "from Paul about the contract".')],
    as_json: JsonOpt = False,
) -> None:
    """Find mails by sender and words: os1 mail search from paul about the contract."""
    with _desk() as desk:
        found = desk.inbox.find(desk.user_id, " ".join(words), 20)
    if as_json:
        _print_json([_row(m) for m in found])
        return
    if not found:
        out.print("[dim]Nothing found.[/]")
    for mail in found:
        out.print(escaped(line(mail)))


@mail_app.command("draft")
def draft(
    mail_id: Annotated[int, typer.Argument(parser=ID, help="The mail to reply to.")],
    say: Annotated[str, typer.Option("--say", help="What to answer, in your words.")],
    model: Annotated[
        bool, typer.Option("--model/--no-model", help="Let the model dress your words as a mail.")
    ] = True,
) -> None:
    """Draft a reply from your words (nothing is sent; os1 mail send DRAFT sends it)."""
    with friendly_errors():
        if not say.strip():
            raise InputError("--say is empty.", "Say what the reply should answer.")
    with _desk(model=model) as desk:
        mail = desk.inbox.store.get(desk.user_id, mail_id)
        made = asyncio.run(desk.inbox.draft(desk.user_id, mail, say))
        account = desk.inbox.store.account_by_id(desk.user_id, made.account_id)
    out.print(f"Draft {made.id} (not sent):")
    out.print(escaped("\n".join(shown(made, account.address))))
    out.print(f"\nSend it with: os1 mail send {made.id}")


@mail_app.command("drafts")
def drafts(as_json: JsonOpt = False) -> None:
    """Your drafts and what became of them."""
    with _desk() as desk:
        found = desk.inbox.store.drafts(desk.user_id)
    if as_json:
        _print_json([{"id": d.id, "to": d.recipients, "subject": d.subject, "status": d.status}
                     for d in found])  # fmt: skip
        return
    for d in found:
        out.print(escaped(f"{d.id} [{d.status}] to {', '.join(d.recipients)}: {d.subject}"))


@mail_app.command("send")
def send(draft_id: Annotated[int, typer.Argument(parser=ID, help="The draft to send.")]) -> None:
    """Send a draft after showing exactly what goes to whom and reading your yes."""
    with _desk() as desk:
        made = desk.inbox.store.draft(desk.user_id, draft_id)
        if made.status != "draft":
            raise MailError(f"Draft {draft_id} is {made.status}, not waiting to be sent.")
        account = desk.inbox.store.account_by_id(desk.user_id, made.account_id)
        err.print(escaped("\n".join(shown(made, account.address))))
        err.print("\nSend exactly this? (yes/no) ", end="")
        answer = sys.stdin.readline().strip()
        arguments = {"draft_id": draft_id, "to": made.recipients}
        now = desk.inbox.clock.now()
        if read_reply(answer) is not Reply.YES:
            desk.audit.record(desk.user_id, now, conversation_id=None, skill="mail_send",
                              arguments=arguments, status=DECLINED, result="not sent",
                              confirmed_by=answer[:200])  # fmt: skip
            out.print("Not sent; the draft is kept.")
            raise typer.Exit(1)
        try:
            sent = desk.inbox.send(desk.user_id, draft_id)
        except MailError as exc:
            desk.audit.record(desk.user_id, desk.inbox.clock.now(), conversation_id=None,
                              skill="mail_send", arguments=arguments, status=FAILED,
                              result=exc.problem[:200], confirmed_by=answer[:200])  # fmt: skip
            raise
        desk.audit.record(desk.user_id, desk.inbox.clock.now(), conversation_id=None,
                          skill="mail_send", arguments=arguments, status=DONE,
                          result=f"sent to {', '.join(sent.recipients)}",
                          confirmed_by=answer[:200])  # fmt: skip
    out.print(escaped(f"Sent to {', '.join(sent.recipients)}."))
