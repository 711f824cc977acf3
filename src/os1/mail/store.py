"""Mail as os1 keeps it: accounts, each folder's place in the sync, messages, drafts.

A sync stores each batch of messages and moves the folder's place (the
highest IMAP UID it holds) in one transaction, so a sync cut off anywhere
resumes after the last batch it kept, and a message is unique by account,
folder and key: fetching one again stores nothing twice. A draft is sent by a
conditional update from ``draft`` to ``sending``, so it goes out once however
many devices say yes. Every query takes the person's id.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, and_, delete, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Row

from os1.errors import MailError, NotFound
from os1.mail.accounts import Account
from os1.mail.message import ParsedMail
from os1.mail.reader import shown_name
from os1.store.database import aware, translate_errors
from os1.store.schema import mail_accounts, mail_drafts, mail_folders, mail_messages


@dataclass(frozen=True)
class StoredMail:
    """A mail in the store: its id for the person, where it is, and what was read from it."""

    id: int
    account_id: int
    folder: str
    message_id: str
    sender_name: str
    sender_addr: str
    recipients: list[str]
    subject: str
    sent_at: datetime | None
    body: str
    attachments: list[dict[str, Any]]
    calendar: str | None
    problems: list[str]
    headers: dict[str, str]
    size: int
    category: str | None
    reading: dict[str, Any] | None

    @property
    def sender(self) -> str:
        """The sender as shown: name and address (a name that speaks to an assistant dropped)."""
        name = shown_name(self.sender_name)
        if name and name.lower() != self.sender_addr:
            return f"{name} <{self.sender_addr}>"
        return self.sender_addr or "(unknown sender)"


@dataclass(frozen=True)
class Draft:
    """A reply or new mail waiting for the person's yes, exactly as it would go out."""

    id: int
    account_id: int
    reply_to: int | None
    recipients: list[str]
    subject: str
    body: str
    status: str
    created_at: datetime
    sent_at: datetime | None


@dataclass(frozen=True)
class Kept:
    """One fetched message to store: its key in the folder and what was parsed from it."""

    key: str
    mail: ParsedMail
    category: str


def _mail(row: Row[Any]) -> StoredMail:
    return StoredMail(
        row.id,
        row.account_id,
        row.folder,
        row.message_id,
        row.sender_name,
        row.sender_addr,
        list(row.recipients),
        row.subject,
        aware(row.sent_at) if row.sent_at else None,
        row.body,
        list(row.attachments),
        row.calendar,
        list(row.problems),
        dict(row.headers),
        int(row.size),
        row.category,
        row.reading,
    )


def _account(row: Row[Any]) -> Account:
    return Account(
        row.id,
        row.name,
        row.kind,
        row.address,
        row.host,
        row.port,
        row.security,
        row.username,
        row.secret,
        row.path,
        row.smtp_host,
        row.smtp_port,
        row.smtp_security,
    )


def _draft(row: Row[Any]) -> Draft:
    return Draft(
        row.id,
        row.account_id,
        row.reply_to,
        list(row.recipients),
        row.subject,
        row.body,
        row.status,
        aware(row.created_at),
        aware(row.sent_at) if row.sent_at else None,
    )


class MailStore:
    """Reads and writes one person's mail; every method takes their id."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._where = engine.url.render_as_string(hide_password=True)
        self._dialect = sqlite if engine.dialect.name == "sqlite" else postgresql

    # accounts

    def add_account(self, user_id: int, account: Account, at: datetime) -> Account:
        """Keep an account (its password stays where ``account.secret`` says)."""
        values = {k: v for k, v in dataclasses.asdict(account).items() if k != "id"}
        with translate_errors(self._where), self.engine.begin() as conn:
            taken = conn.execute(
                select(mail_accounts.c.id).where(
                    mail_accounts.c.user_id == user_id, mail_accounts.c.name == account.name
                )
            ).first()
            if taken is not None:
                raise MailError(
                    f"There is already a mail account named {account.name!r}.",
                    "Pick another name with --name, or remove it with os1 mail remove.",
                )
            new_id = conn.execute(
                insert(mail_accounts)
                .values(user_id=user_id, created_at=at, **values)
                .returning(mail_accounts.c.id)
            ).scalar_one()
        return dataclasses.replace(account, id=int(new_id))

    def accounts(self, user_id: int) -> list[Account]:
        """The person's accounts by name."""
        with translate_errors(self._where), self.engine.connect() as conn:
            rows = conn.execute(
                select(mail_accounts)
                .where(mail_accounts.c.user_id == user_id)
                .order_by(mail_accounts.c.name)
            ).all()
        return [_account(r) for r in rows]

    def account(self, user_id: int, name: str | None = None) -> Account:
        """The named account, or the only one; a clear error when that is not one account."""
        found = self.accounts(user_id)
        if name is not None:
            found = [a for a in found if a.name == name]
        if len(found) == 1:
            return found[0]
        if not found:
            raise NotFound(
                "No mail account" + (f" named {name!r}." if name else " is set up yet."),
                "Add one with os1 mail add (see os1 mail add --help).",
            )
        names = ", ".join(a.name for a in found)
        raise MailError(f"There are several mail accounts ({names}).", "Name one with --account.")

    def account_by_id(self, user_id: int, account_id: int) -> Account:
        """One of the person's accounts by its id."""
        for account in self.accounts(user_id):
            if account.id == account_id:
                return account
        raise NotFound(f"No mail account {account_id}.", "See os1 mail accounts.")

    def remove_account(self, user_id: int, name: str) -> bool:
        """Forget an account and everything synced from it."""
        with translate_errors(self._where), self.engine.begin() as conn:
            return bool(
                conn.execute(
                    delete(mail_accounts).where(
                        mail_accounts.c.user_id == user_id, mail_accounts.c.name == name
                    )
                ).rowcount
            )

    # sync state and messages

    def place(self, user_id: int, account_id: int, folder: str) -> tuple[int, int] | None:
        """The folder's UIDVALIDITY and the highest UID stored, if it was synced before."""
        with translate_errors(self._where), self.engine.connect() as conn:
            row = conn.execute(
                select(mail_folders.c.uidvalidity, mail_folders.c.last_uid).where(
                    mail_folders.c.user_id == user_id,
                    mail_folders.c.account_id == account_id,
                    mail_folders.c.folder == folder,
                )
            ).first()
        return None if row is None else (int(row.uidvalidity), int(row.last_uid))

    def known_keys(self, user_id: int, account_id: int, folder: str) -> set[str]:
        """Keys of the messages stored from a folder (for sources without UIDs)."""
        with translate_errors(self._where), self.engine.connect() as conn:
            rows = conn.execute(
                select(mail_messages.c.key).where(
                    mail_messages.c.user_id == user_id,
                    mail_messages.c.account_id == account_id,
                    mail_messages.c.folder == folder,
                )
            ).all()
        return {r.key for r in rows}

    def restart(self, user_id: int, account_id: int, folder: str, validity: int) -> None:
        """The server renumbered the folder (new UIDVALIDITY): forget its place and messages."""
        with translate_errors(self._where), self.engine.begin() as conn:
            where = and_(
                mail_messages.c.user_id == user_id,
                mail_messages.c.account_id == account_id,
                mail_messages.c.folder == folder,
            )
            conn.execute(delete(mail_messages).where(where))
            conn.execute(
                delete(mail_folders).where(
                    mail_folders.c.user_id == user_id,
                    mail_folders.c.account_id == account_id,
                    mail_folders.c.folder == folder,
                )
            )

    def keep(
        self,
        user_id: int,
        account_id: int,
        folder: str,
        place: tuple[int, int],
        batch: Sequence[Kept],
        at: datetime,
    ) -> int:
        """Store a batch and the folder's new place in one transaction; how many were new."""
        validity, last_uid = place
        rows = [
            {
                "user_id": user_id,
                "account_id": account_id,
                "folder": folder,
                "key": kept.key,
                "message_id": kept.mail.message_id,
                "sender_name": kept.mail.sender_name,
                "sender_addr": kept.mail.sender_addr[:320],
                "recipients": kept.mail.recipients,
                "subject": kept.mail.subject,
                "sent_at": kept.mail.sent_at,
                "body": kept.mail.body,
                "attachments": [dataclasses.asdict(a) for a in kept.mail.attachments],
                "calendar": kept.mail.calendar,
                "problems": kept.mail.problems,
                "headers": kept.mail.headers,
                "size": kept.mail.size,
                "category": kept.category,
                "fetched_at": at,
            }
            for kept in batch
        ]
        added = 0
        with translate_errors(self._where), self.engine.begin() as conn:
            if rows:
                added = len(
                    conn.execute(
                        self._dialect.insert(mail_messages)
                        .values(rows)
                        .on_conflict_do_nothing()
                        .returning(mail_messages.c.id)
                    ).all()
                )
            conn.execute(
                self._dialect.insert(mail_folders)
                .values(
                    user_id=user_id,
                    account_id=account_id,
                    folder=folder,
                    uidvalidity=validity,
                    last_uid=last_uid,
                    synced_at=at,
                )
                .on_conflict_do_update(
                    index_elements=["account_id", "folder"],
                    set_={"uidvalidity": validity, "last_uid": last_uid, "synced_at": at},
                )
            )
        return added

    def recent(
        self,
        user_id: int,
        limit: int = 20,
        *,
        category: str | None = None,
        since: datetime | None = None,
    ) -> list[StoredMail]:
        """The newest mails first, optionally of one category or since a moment."""
        query = select(mail_messages).where(mail_messages.c.user_id == user_id)
        if category is not None:
            query = query.where(mail_messages.c.category == category)
        if since is not None:
            query = query.where(mail_messages.c.fetched_at >= since)
        query = query.order_by(
            mail_messages.c.sent_at.desc().nulls_last(), mail_messages.c.id.desc()
        ).limit(limit)
        with translate_errors(self._where), self.engine.connect() as conn:
            return [_mail(r) for r in conn.execute(query).all()]

    def count(self, user_id: int) -> int:
        """How many mails are stored for the person."""
        with translate_errors(self._where), self.engine.connect() as conn:
            return int(
                conn.execute(
                    select(func.count())
                    .select_from(mail_messages)
                    .where(mail_messages.c.user_id == user_id)
                ).scalar_one()
            )

    def get(self, user_id: int, mail_id: int) -> StoredMail:
        """One of the person's mails."""
        with translate_errors(self._where), self.engine.connect() as conn:
            row = conn.execute(
                select(mail_messages).where(
                    mail_messages.c.user_id == user_id, mail_messages.c.id == mail_id
                )
            ).first()
        if row is None:
            raise NotFound(f"No mail {mail_id}.", "See os1 mail list for the numbers.")
        return _mail(row)

    def search(
        self, user_id: int, words: Sequence[str], sender: str = "", limit: int = 20
    ) -> list[StoredMail]:
        """Mails holding every word (subject, sender or text), from ``sender`` if given."""
        query = select(mail_messages).where(mail_messages.c.user_id == user_id)
        for word in words:
            pattern = f"%{_like(word)}%"
            query = query.where(
                or_(
                    mail_messages.c.subject.ilike(pattern, escape="\\"),
                    mail_messages.c.body.ilike(pattern, escape="\\"),
                    mail_messages.c.sender_name.ilike(pattern, escape="\\"),
                    mail_messages.c.sender_addr.ilike(pattern, escape="\\"),
                )
            )
        if sender:
            pattern = f"%{_like(sender)}%"
            query = query.where(
                or_(
                    mail_messages.c.sender_name.ilike(pattern, escape="\\"),
                    mail_messages.c.sender_addr.ilike(pattern, escape="\\"),
                )
            )
        query = query.order_by(
            mail_messages.c.sent_at.desc().nulls_last(), mail_messages.c.id.desc()
        ).limit(limit)
        with translate_errors(self._where), self.engine.connect() as conn:
            return [_mail(r) for r in conn.execute(query).all()]

    def set_reading(self, user_id: int, mail_id: int, reading: dict[str, Any]) -> None:
        """Keep what the quarantined reader found in a mail, so it is read once."""
        with translate_errors(self._where), self.engine.begin() as conn:
            conn.execute(
                update(mail_messages)
                .where(mail_messages.c.user_id == user_id, mail_messages.c.id == mail_id)
                .values(reading=reading)
            )

    # drafts

    def add_draft(
        self,
        user_id: int,
        account_id: int,
        recipients: list[str],
        subject: str,
        body: str,
        at: datetime,
        reply_to: int | None = None,
    ) -> Draft:
        """Keep a draft; nothing is sent."""
        with translate_errors(self._where), self.engine.begin() as conn:
            new_id = conn.execute(
                insert(mail_drafts)
                .values(
                    user_id=user_id,
                    account_id=account_id,
                    reply_to=reply_to,
                    recipients=recipients,
                    subject=subject,
                    body=body,
                    status="draft",
                    created_at=at,
                )
                .returning(mail_drafts.c.id)
            ).scalar_one()
        return self.draft(user_id, int(new_id))

    def draft(self, user_id: int, draft_id: int) -> Draft:
        """One of the person's drafts."""
        with translate_errors(self._where), self.engine.connect() as conn:
            row = conn.execute(
                select(mail_drafts).where(
                    mail_drafts.c.user_id == user_id, mail_drafts.c.id == draft_id
                )
            ).first()
        if row is None:
            raise NotFound(f"No draft {draft_id}.", "See os1 mail drafts.")
        return _draft(row)

    def drafts(self, user_id: int) -> list[Draft]:
        """The person's drafts, newest first."""
        with translate_errors(self._where), self.engine.connect() as conn:
            rows = conn.execute(
                select(mail_drafts)
                .where(mail_drafts.c.user_id == user_id)
                .order_by(mail_drafts.c.id.desc())
            ).all()
        return [_draft(r) for r in rows]

    def claim_draft(self, user_id: int, draft_id: int) -> bool:
        """Mark a draft as going out; False if it was already sent or is being sent."""
        with translate_errors(self._where), self.engine.begin() as conn:
            return bool(
                conn.execute(
                    update(mail_drafts)
                    .where(
                        mail_drafts.c.user_id == user_id,
                        mail_drafts.c.id == draft_id,
                        mail_drafts.c.status == "draft",
                    )
                    .values(status="sending")
                ).rowcount
            )

    def settle_draft(self, user_id: int, draft_id: int, sent_at: datetime | None) -> None:
        """After sending: ``sent`` with its time, or back to ``draft`` when it failed."""
        with translate_errors(self._where), self.engine.begin() as conn:
            conn.execute(
                update(mail_drafts)
                .where(mail_drafts.c.user_id == user_id, mail_drafts.c.id == draft_id)
                .values(status="sent" if sent_at else "draft", sent_at=sent_at)
            )


def _like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
