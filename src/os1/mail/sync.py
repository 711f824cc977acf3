"""Incremental sync: fetch what the store does not hold, parse, sort, keep, batch by batch.

Each batch and the folder's new place are stored in one transaction, so a
sync cut off anywhere (a dropped connection, Ctrl-C, a crash) has kept
every batch before the cut and the next sync starts right after it; a
message fetched twice is stored once. A server that renumbers a folder (a new
UIDVALIDITY) is synced again from the start. A mail that cannot be parsed at
all is kept with its reason rather than dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from os1.clock import Clock
from os1.mail.accounts import Account, password
from os1.mail.message import ParsedMail, parse
from os1.mail.sources import Fetched, ImapSource, open_source
from os1.mail.store import Kept, MailStore
from os1.mail.triage import categorize

BATCH = 100
Progress = Callable[[int, int], None]
"""Called with (done, total) after each batch."""


@dataclass
class SyncReport:
    """What one sync did."""

    account: str
    folder: str
    fetched: int = 0
    new: int = 0
    total: int = 0
    unreadable: list[str] = field(default_factory=list)


def _read(fetched: Fetched, own_address: str, report: SyncReport) -> Kept:
    try:
        mail = parse(fetched.raw)
    except Exception as exc:  # parse reports what it can; this is the last line of defence
        reason = f"message {fetched.key} could not be read at all ({type(exc).__name__}: {exc})"
        report.unreadable.append(reason)
        mail = ParsedMail("", "", "", [], "(unreadable mail)", None, "", problems=[reason],
                          size=len(fetched.raw))  # fmt: skip
    return Kept(fetched.key, mail, categorize(mail, own_address))


def sync(
    store: MailStore,
    user_id: int,
    account: Account,
    clock: Clock,
    *,
    folder: str = "INBOX",
    progress: Progress | None = None,
    batch: int = BATCH,
    secret: Callable[[Account], str] = password,
) -> SyncReport:
    """Bring one folder of one account up to date in the store (blocking)."""
    report = SyncReport(account.name, folder)
    source = open_source(account, secret)
    try:
        validity = source.open(folder)
        place = store.place(user_id, account.id, folder)
        last_uid = 0
        if place is not None and place[0] == validity:
            last_uid = place[1]
        elif place is not None:
            store.restart(user_id, account.id, folder, validity)
        pending = source.pending(last_uid, lambda: store.known_keys(user_id, account.id, folder))
        report.total = len(pending)
        if progress is not None:
            progress(0, report.total)
        for start in range(0, len(pending), batch):
            chunk = pending[start : start + batch]
            fetched = source.fetch(chunk)
            kept = [_read(f, account.address, report) for f in fetched]
            last_uid = max([last_uid, *(p.uid for p in chunk)])
            report.new += store.keep(
                user_id, account.id, folder, (validity, last_uid), kept, clock.now()
            )
            report.fetched += len(fetched)
            if progress is not None:
                progress(min(start + batch, report.total), report.total)
    finally:
        source.close()
    return report


def watch(
    store: MailStore,
    user_id: int,
    account: Account,
    clock: Clock,
    *,
    folder: str = "INBOX",
    rounds: int | None = None,
    idle_s: float = 25 * 60,
    synced: Callable[[SyncReport], None] | None = None,
    secret: Callable[[Account], str] = password,
) -> None:
    """Sync, then wait in IMAP IDLE and sync again each time mail comes (blocking).

    ``rounds`` bounds the waits (None: until interrupted); IDLE is renewed
    every ``idle_s``, under the 29 minutes servers allow.
    """
    done = 0
    while rounds is None or done < rounds:
        report = sync(store, user_id, account, clock, folder=folder, secret=secret)
        if synced is not None:
            synced(report)
        source = open_source(account, secret)
        try:
            if not isinstance(source, ImapSource):
                return
            source.open(folder)
            place = store.place(user_id, account.id, folder)
            came = bool(source.pending(place[1] if place else 0, set))
            while not came:
                came = source.idle(idle_s)
        finally:
            source.close()
        done += 1
    if synced is not None:
        synced(sync(store, user_id, account, clock, folder=folder, secret=secret))
