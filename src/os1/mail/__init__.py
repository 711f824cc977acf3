"""Mail: accounts, sync from IMAP, Maildir or mbox, triage, the quarantined reader, replies.

Every mail is a stranger's text: it is parsed without fetching anything,
stored, sorted by code, read into typed fields by the quarantined reader,
shown attributed to its sender, and never obeyed. Sending happens only after
the person's yes to the exact recipients and text.
"""

from os1.mail.accounts import Account
from os1.mail.inbox import Inbox
from os1.mail.message import ParsedMail, parse
from os1.mail.reader import Reading
from os1.mail.store import Draft, MailStore, StoredMail
from os1.mail.sync import SyncReport

__all__ = [
    "Account",
    "Draft",
    "Inbox",
    "MailStore",
    "ParsedMail",
    "Reading",
    "StoredMail",
    "SyncReport",
    "parse",
]
