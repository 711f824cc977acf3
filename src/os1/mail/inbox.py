"""The person's mail as one thing: add accounts, sync, what's new, triage, search, reply.

Every front door (the ``os1 mail`` commands, the mail skills in conversation)
goes through :class:`Inbox`, so they behave alike. Sending is the one
outward step here, and :meth:`Inbox.send` is only called once the person has
said yes to the exact recipients and text that :func:`shown` printed.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from os1.clock import Clock
from os1.errors import MailError, Os1Error
from os1.mail.accounts import Account, keep_password, password
from os1.mail.drafting import Write, draft_reply, first_name
from os1.mail.message import reply_message
from os1.mail.reader import AskJson, Reading, read_mail, shown_name, shown_subject
from os1.mail.send import send
from os1.mail.sources import open_source
from os1.mail.store import Draft, MailStore, StoredMail
from os1.mail.sync import Progress, SyncReport, sync
from os1.mail.triage import CATEGORIES, LABELS, urgent
from os1.terminal import clean

log = logging.getLogger(__name__)

_FROM = re.compile(r"\b(?:from|by)\s+(?P<sender>[\w.@+-]+)", re.IGNORECASE)
_ABOUT = re.compile(r"\b(?:about|on|re|regarding|titled|subject)\s+(?P<topic>.+)$", re.I)
_FILLER = frozenset(
    ("a", "an", "the", "my", "our", "mail", "mails", "email", "emails", "message", "messages",
     "letter", "that", "this", "his", "her", "their", "about", "from", "with", "of", "to",
     "for", "and", "find", "show", "me", "search")
)  # fmt: skip


@dataclass(frozen=True)
class Query:
    """A search in the person's words: who it is from and the words it holds."""

    sender: str
    words: list[str]


def understand(text: str) -> Query:
    """Read "the mail from Paul about the contract" as sender Paul, word contract."""
    sender_match = _FROM.search(text)
    sender = sender_match.group("sender") if sender_match else ""
    about = _ABOUT.search(text)
    rest = about.group("topic") if about else _FROM.sub(" ", text)
    words = [w for w in re.findall(r"[\w'@.+-]+", rest.lower()) if w not in _FILLER]
    return Query(sender, [w for w in words if w != sender.lower()][:6])


def line(mail: StoredMail) -> str:
    """One mail in one line: number, when, sender, subject (the sender's words, cleaned)."""
    when = mail.sent_at.astimezone().strftime("%d %b %H:%M") if mail.sent_at else "no date"
    subject = clean(shown_subject(mail.subject)).replace("\n", " ") or "(no subject)"
    return f"#{mail.id} {when} · {clean(mail.sender)} · {subject}"


def shown(draft: Draft, sender: str) -> list[str]:
    """Exactly what would go out, as the person is shown it before saying yes."""
    return [
        f"From: {sender}",
        f"To: {', '.join(draft.recipients)}",
        f"Subject: {clean(draft.subject)}",
        "",
        *clean(draft.body).splitlines(),
    ]


class Inbox:
    """One person's mail across their accounts, over the store, a clock and (optionally) a model.

    ``ask_json`` is the quarantined reader's model call; ``write`` drafts
    replies. Both may be None: then mails are sorted by code only and a
    reply is the person's words as they said them.
    """

    def __init__(
        self,
        store: MailStore,
        clock: Clock,
        ask_json: AskJson | None = None,
        write: Write | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.ask_json = ask_json
        self.write = write

    def add(self, user_id: int, account: Account, secret: str | None = None) -> Account:
        """Check the account signs in (servers only), keep its password where it says, store it."""
        if secret is not None and account.secret == "keyring":
            keep_password(account, secret)
        given: Callable[[Account], str] = (lambda _: secret) if secret is not None else password
        open_source(account, given).close()
        return self.store.add_account(user_id, account, self.clock.now())

    def sync(
        self,
        user_id: int,
        name: str | None = None,
        *,
        folder: str = "INBOX",
        progress: Callable[[Account], Progress | None] | None = None,
    ) -> list[SyncReport]:
        """Sync the named account, or every account (blocking)."""
        accounts = [self.store.account(user_id, name)] if name else self.store.accounts(user_id)
        if not accounts:
            self.store.account(user_id)  # raises the "no account yet" error
        return [
            sync(
                self.store,
                user_id,
                a,
                self.clock,
                folder=folder,
                progress=progress(a) if progress else None,
            )
            for a in accounts
        ]

    async def reading(self, user_id: int, mail: StoredMail) -> Reading | None:
        """What the quarantined reader found in a mail (read once, then kept); None without it."""
        if mail.reading is not None:
            return Reading.from_json(mail.reading)
        if self.ask_json is None:
            return None
        try:
            found = await read_mail(
                self.ask_json,
                mail.sender,
                mail.subject,
                mail.body,
                hidden=any("hidden HTML" in p for p in mail.problems),
            )
        except (Os1Error, ValueError) as exc:  # the brief goes on without this mail's reading
            log.warning("mail %s could not be read by the model: %s", mail.id, exc)
            return None
        await asyncio.to_thread(self.store.set_reading, user_id, mail.id, found.to_json())
        return found

    def groups(self, mails: Sequence[StoredMail]) -> dict[str, list[StoredMail]]:
        """Mails by triage category, in the categories' order."""
        found: dict[str, list[StoredMail]] = {c: [] for c in CATEGORIES}
        for mail in mails:
            found.setdefault(mail.category or "fyi", []).append(mail)
        return {c: m for c, m in found.items() if m}

    async def brief(self, user_id: int, mails: Sequence[StoredMail], *, read: int = 5) -> str:
        """Mails sorted by triage, urgent ones first, the first ``read`` read by the reader."""
        if not mails:
            return "No mail to show."
        lines: list[str] = []
        budget = read
        for category, members in self.groups(mails).items():
            lines.append(f"{LABELS.get(category, category)} ({len(members)}):")
            ordered = sorted(members, key=lambda m: not urgent(m.subject, m.body, m.category))
            for mail in ordered:
                pressing = urgent(mail.subject, mail.body, mail.category)
                lines.append(("- URGENT " if pressing else "- ") + line(mail))
                if category in ("newsletter", "spam") or budget <= 0:
                    continue
                found = await self.reading(user_id, mail)
                budget -= 1
                if found is not None:
                    lines.extend(f"    {x}" for x in described(mail, found))
        return "\n".join(lines)

    def find(self, user_id: int, text: str, limit: int = 10) -> list[StoredMail]:
        """Mails matching a request in the person's words."""
        query = understand(text)
        found = self.store.search(user_id, query.words, query.sender, limit)
        if not found and query.words:
            found = self.store.search(user_id, [], query.sender, limit) if query.sender else []
        return found

    async def draft(self, user_id: int, mail: StoredMail, said: str) -> Draft:
        """A reply to ``mail`` saying what the person said, kept as a draft (nothing is sent).

        It goes to the address the mail came from, never to a Reply-To the
        sender set, and its text comes from the person's words.
        """
        if not mail.sender_addr or "@" not in mail.sender_addr:
            raise MailError(f"Mail #{mail.id} has no sender address to reply to.")
        name = first_name(mail.sender_name, mail.sender_addr)
        body = await draft_reply(self.write, said, name, mail.subject)
        subject = mail.subject if mail.subject.lower().startswith("re:") else f"Re: {mail.subject}"
        return await asyncio.to_thread(
            self.store.add_draft,
            user_id,
            mail.account_id,
            [mail.sender_addr],
            clean(subject).replace("\n", " ")[:300],
            body,
            self.clock.now(),
            mail.id,
        )

    def send(self, user_id: int, draft_id: int) -> Draft:
        """Send a draft the person said yes to, once; a failure puts it back as a draft."""
        draft = self.store.draft(user_id, draft_id)
        if not self.store.claim_draft(user_id, draft_id):
            raise MailError(f"Draft {draft_id} was already sent (or is being sent).")
        account = self.store.account_by_id(user_id, draft.account_id)
        in_reply_to = self.store.get(user_id, draft.reply_to).message_id if draft.reply_to else ""
        message = reply_message(
            account.address, draft.recipients, draft.subject, draft.body, in_reply_to=in_reply_to
        )
        try:
            send(account, message)
        except BaseException:
            self.store.settle_draft(user_id, draft_id, None)
            raise
        now: datetime = self.clock.now()
        self.store.settle_draft(user_id, draft_id, now)
        return self.store.draft(user_id, draft_id)


def described(mail: StoredMail, found: Reading) -> list[str]:
    """The reader's fields as lines, each said as the sender's, never as os1's own."""
    if found.for_assistant:
        return [
            f"{found.summary}. It holds instructions meant for an assistant (or hidden "
            "text); I did not follow them and won't repeat them."
        ]
    who = clean(shown_name(mail.sender_name) or mail.sender_addr)
    lines = [f"{who} writes: {clean(found.summary)}"]
    lines += [f"asks you: {clean(a)}" for a in found.asks]
    lines += [f"date: {clean(d['when'])} ({clean(d['what'])})" for d in found.dates]
    lines += [f"amount: {clean(a)}" for a in found.amounts]
    return lines
