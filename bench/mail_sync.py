"""How fast does os1 index mail from a real IMAP server? Against a plain imaplib loop.

A throwaway Dovecot (the tests' own, ``tests/mailservers.py``) gets 10,000
generated messages written straight into its Maildir: plain and HTML mails,
some with a small attachment, a few with another charset. Dovecot indexes the
folder once before anything is timed. Then, in the same run:

- imaplib: log in, ``UID SEARCH ALL``, ``UID FETCH`` 100 at a time
  (``BODY.PEEK[]``), nothing else: the floor any IMAP client pays;
- os1: ``Inbox.sync`` into a fresh SQLite store: fetch the same way, parse
  (MIME, charsets, HTML to text), triage, and store each batch with the
  folder's place in one transaction;
- os1 again: the incremental sync with nothing new.

Last line: ``os1_msgs_per_s=… imaplib_msgs_per_s=… ratio=… resync_s=…``.
Run: ``.venv/bin/python bench/mail_sync.py [--messages N]``.
"""

from __future__ import annotations

import argparse
import imaplib
import os
import random
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from mailservers import PASSWORD, USER, Dovecot, start_dovecot
from os1.clock import SystemClock
from os1.mail import Account, Inbox, MailStore
from os1.store import Journal

WORDS = (
    "contract", "meeting", "friday", "invoice", "dinner", "report", "project", "budget",
    "travel", "school", "garden", "review", "lunch", "team", "update", "photos", "tickets",
)  # fmt: skip


def generated(n: int, rng: random.Random) -> bytes:
    """One varied message: plain or HTML, sometimes an attachment or another charset."""
    msg = EmailMessage()
    msg["From"] = f"Sender {n % 97} <sender{n % 97}@example.com>"
    msg["To"] = "me@example.org"
    msg["Subject"] = " ".join(rng.choice(WORDS) for _ in range(4)).capitalize()
    msg["Date"] = f"Mon, {1 + n % 28:02d} Nov 2026 {n % 24:02d}:{n % 60:02d}:00 +0000"
    msg["Message-ID"] = f"<gen-{n}@example.com>"
    text = "\n".join(" ".join(rng.choice(WORDS) for _ in range(12)) for _ in range(8))
    if n % 5 == 0:
        msg.set_content(f"<html><body><p>{text}</p><img src='http://x/p.gif'></body></html>",
                        subtype="html")  # fmt: skip
    elif n % 11 == 0:
        msg.set_content(text + " café crème", charset="iso-8859-1")
    else:
        msg.set_content(text + "\nCould you reply?" * (n % 3 == 0))
    if n % 10 == 0:
        msg.add_attachment(rng.randbytes(8000), maintype="application", subtype="pdf",
                           filename=f"doc{n}.pdf")  # fmt: skip
    return msg.as_bytes()


def fill(server: Dovecot, count: int) -> None:
    rng = random.Random(7)
    for n in range(count):
        server.deliver(generated(n, rng), f"{1_700_000_000 + n}.gen{n:05d}")


def imaplib_loop(server: Dovecot) -> int:
    imap = imaplib.IMAP4("127.0.0.1", server.port)
    imap.login(USER, PASSWORD)
    imap.select("INBOX", readonly=True)
    _, data = imap.uid("SEARCH", "ALL")
    uids = data[0].split()
    fetched = 0
    for start in range(0, len(uids), 100):
        _, got = imap.uid("FETCH", b",".join(uids[start : start + 100]), "(UID BODY.PEEK[])")
        fetched += sum(1 for item in got if isinstance(item, tuple))
    imap.logout()
    return fetched


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    args = parser.parse_args()
    server = start_dovecot()
    work = Path(tempfile.mkdtemp(prefix="os1-mail-sync-"))
    try:
        started = time.perf_counter()
        fill(server, args.messages)
        print(f"wrote {args.messages} messages in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        imap = imaplib.IMAP4("127.0.0.1", server.port)
        imap.login(USER, PASSWORD)
        imap.select("INBOX", readonly=True)
        imap.logout()
        print(f"Dovecot indexed the folder in {time.perf_counter() - started:.1f} s")

        started = time.perf_counter()
        fetched = imaplib_loop(server)
        plain_s = time.perf_counter() - started
        print(f"imaplib: {fetched} fetched in {plain_s:.1f} s")

        os.environ["BENCH_MAILPW"] = PASSWORD
        journal = Journal.open("", work / "os1.db")
        clock = SystemClock()
        user_id = journal.user_id("me", clock.now())
        inbox = Inbox(MailStore(journal.engine), clock)
        inbox.add(
            user_id,
            Account(
                0,
                "bench",
                "imap",
                "me@example.org",
                "127.0.0.1",
                server.port,
                "none",
                USER,
                "env:BENCH_MAILPW",
            ),
        )
        started = time.perf_counter()
        (report,) = inbox.sync(user_id)
        os1_s = time.perf_counter() - started
        print(f"os1: {report.new} new of {report.fetched} fetched in {os1_s:.1f} s "
              f"({len(report.unreadable)} unreadable)")  # fmt: skip
        started = time.perf_counter()
        (again,) = inbox.sync(user_id)
        resync_s = time.perf_counter() - started
        print(
            f"os1 again: {again.new} new in {resync_s:.2f} s; stored {inbox.store.count(user_id)}"
        )
        journal.close()
        ours, plain = report.new / os1_s, fetched / plain_s
        print(
            f"os1_msgs_per_s={ours:.0f} imaplib_msgs_per_s={plain:.0f} "
            f"ratio={ours / plain:.2f} resync_s={resync_s:.2f}"
        )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
