"""Where mail comes from: an IMAP server, a local Maildir or an mbox file.

A source opens a folder, says which messages the store does not hold yet,
and fetches them in batches. IMAP messages are keyed by UIDVALIDITY and UID
(the folder's place is the highest UID kept); Maildir messages by their file
key; mbox messages by a digest of their bytes. Network faults and refused
sign-ins become :class:`~os1.errors.MailError` with the server, the cause and
what to do; nothing is fetched that is not asked for (``BODY.PEEK`` leaves
mails unread on the server).
"""

from __future__ import annotations

import hashlib
import imaplib
import mailbox
import re
import ssl
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from os1.errors import MailError
from os1.mail.accounts import Account

TIMEOUT_S = 60.0
_UID = re.compile(rb"UID (\d+)")


@dataclass(frozen=True)
class Pending:
    """A message the store does not hold yet: its key and its UID (0 for local mail)."""

    key: str
    uid: int


@dataclass(frozen=True)
class Fetched:
    """A fetched message's bytes."""

    key: str
    uid: int
    raw: bytes


class Source(Protocol):
    """A mail folder to sync; one required step per stage, all blocking (run in a thread)."""

    def open(self, folder: str) -> int:
        """Open the folder; its UIDVALIDITY (0 where there is none)."""
        ...

    def pending(self, last_uid: int, known: Callable[[], set[str]]) -> list[Pending]:
        """The messages after ``last_uid`` (IMAP) or not among ``known()`` keys (local)."""
        ...

    def fetch(self, batch: Sequence[Pending]) -> list[Fetched]:
        """The messages' bytes."""
        ...

    def close(self) -> None:
        """Let go of the connection or file."""
        ...


def _dropped(account: Account, exc: BaseException) -> MailError:
    return MailError(
        f"The connection to {account.host}:{account.port} was lost ({exc or type(exc).__name__}).",
        "What was fetched before is kept; run os1 mail sync again to go on from there.",
    )


class ImapSource:
    """A folder on an IMAP server, read with the standard library's ``imaplib``."""

    def __init__(self, account: Account, password: str) -> None:
        self.account = account
        self._imap = self._connect(password)
        self._validity = 0

    def _connect(self, password: str) -> imaplib.IMAP4:
        a = self.account
        try:
            if a.security == "ssl":
                imap: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                    a.host, a.port, ssl_context=ssl.create_default_context(), timeout=TIMEOUT_S
                )
            else:
                imap = imaplib.IMAP4(a.host, a.port, timeout=TIMEOUT_S)
                if a.security == "starttls":
                    imap.starttls(ssl.create_default_context())
        except (OSError, imaplib.IMAP4.error) as exc:
            raise MailError(
                f"Cannot reach the mail server {a.host}:{a.port} ({exc}).",
                "Check the host, the port and --security (ssl, starttls or none), "
                "and that this machine is online.",
            ) from exc
        try:
            imap.login(a.username, password)
        except imaplib.IMAP4.error as exc:
            imap.shutdown()
            reason = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else exc
            raise MailError(
                f"{a.host} refused the sign-in for {a.username!r} ({reason}).",
                "Check the user name and the password (many providers need an app password).",
            ) from exc
        except OSError as exc:
            raise _dropped(a, exc) from exc
        return imap

    def open(self, folder: str) -> int:
        """Select the folder read-only; its UIDVALIDITY."""
        try:
            typ, data = self._imap.select(_quoted(folder), readonly=True)
            if typ != "OK":
                raise MailError(
                    f"{self.account.host} has no folder {folder!r} ({_said(data)}).",
                    "Name an existing folder with --folder.",
                )
            _, found = self._imap.response("UIDVALIDITY")
        except (OSError, imaplib.IMAP4.abort) as exc:
            raise _dropped(self.account, exc) from exc
        value = found[0] if found and found[0] else b"0"
        self._validity = int(value if isinstance(value, bytes) else b"0")
        return self._validity

    def pending(self, last_uid: int, known: Callable[[], set[str]]) -> list[Pending]:
        """UIDs above ``last_uid`` (``n:*`` also answers the last UID, so it is filtered)."""
        try:
            typ, data = self._imap.uid("SEARCH", f"UID {last_uid + 1}:*")
        except (OSError, imaplib.IMAP4.abort) as exc:
            raise _dropped(self.account, exc) from exc
        if typ != "OK":
            raise MailError(f"{self.account.host} refused to list messages ({_said(data)}).")
        uids = sorted(int(u) for u in (data[0] or b"").split() if int(u) > last_uid)
        return [Pending(f"{self._validity}:{u}", u) for u in uids]

    def fetch(self, batch: Sequence[Pending]) -> list[Fetched]:
        """The batch's full messages, by UID, without marking them read."""
        if not batch:
            return []
        ids = ",".join(str(p.uid) for p in batch)
        try:
            typ, data = self._imap.uid("FETCH", ids, "(UID BODY.PEEK[])")
        except (OSError, imaplib.IMAP4.abort) as exc:
            raise _dropped(self.account, exc) from exc
        if typ != "OK":
            raise MailError(f"{self.account.host} refused to send messages ({_said(data)}).")
        fetched: list[Fetched] = []
        for item in data:
            if not isinstance(item, tuple):
                continue
            uid = _UID.search(item[0])
            if uid is not None:
                value = int(uid.group(1))
                fetched.append(Fetched(f"{self._validity}:{value}", value, item[1]))
        return sorted(fetched, key=lambda f: f.uid)

    def idle(self, seconds: float) -> bool:
        """Wait in IMAP IDLE up to ``seconds``; True as soon as the server says mail came.

        ``imaplib`` has no IDLE before Python 3.14, so the command is written
        with its public ``send``/``readline`` (RFC 2177: the server answers
        ``+``, reports ``* N EXISTS`` when a message arrives, ``DONE`` ends it).
        """
        imap = self._imap
        arrived = False
        try:
            imap.send(b"OS1IDLE IDLE\r\n")
            if not imap.readline().startswith(b"+"):
                raise MailError(f"{self.account.host} does not offer IDLE.",
                                "Sync with os1 mail sync now and then instead.")  # fmt: skip
            imap.sock.settimeout(seconds)
            try:
                while not arrived:
                    line = imap.readline()
                    if not line:
                        raise _dropped(self.account, EOFError("the server closed it"))
                    arrived = line.startswith(b"* ") and line.rstrip().endswith(b"EXISTS")
            except TimeoutError:
                pass
            imap.sock.settimeout(TIMEOUT_S)
            imap.send(b"DONE\r\n")
            while not imap.readline().startswith(b"OS1IDLE "):
                continue
        except (OSError, imaplib.IMAP4.abort) as exc:
            raise _dropped(self.account, exc) from exc
        return arrived

    def close(self) -> None:
        """Log out, or just close if the connection is already gone."""
        try:
            self._imap.logout()
        except (OSError, imaplib.IMAP4.error):
            self._imap.shutdown()


class MaildirSource:
    """A local Maildir (``cur`` and ``new``), keyed by each message's file key."""

    def __init__(self, path: Path) -> None:
        if not (path / "cur").is_dir() and not (path / "new").is_dir():
            raise MailError(f"{path} is not a Maildir (no cur or new folder in it).",
                            "Give the folder that holds cur, new and tmp.")  # fmt: skip
        self._box = mailbox.Maildir(path, factory=None, create=False)

    def open(self, folder: str) -> int:
        """A Maildir has no UIDVALIDITY."""
        return 0

    def pending(self, last_uid: int, known: Callable[[], set[str]]) -> list[Pending]:
        """Keys not stored yet, oldest first (a Maildir key starts with its delivery time)."""
        held = known()
        return [Pending(k, 0) for k in sorted(self._box.keys()) if k not in held]

    def fetch(self, batch: Sequence[Pending]) -> list[Fetched]:
        """The messages' bytes; one removed meanwhile is skipped."""
        fetched = []
        for p in batch:
            try:
                fetched.append(Fetched(p.key, 0, self._box.get_bytes(p.key)))
            except KeyError:
                continue
        return fetched

    def close(self) -> None:
        """Nothing is held open."""


class MboxSource:
    """A local mbox file, each message keyed by a digest of its bytes and its repeat count."""

    def __init__(self, path: Path) -> None:
        if not path.is_file():
            raise MailError(f"{path} is not an mbox file.", "Give the path of the mbox file.")
        self._box = mailbox.mbox(path, factory=None, create=False)

    def open(self, folder: str) -> int:
        """An mbox has no UIDVALIDITY."""
        return 0

    def _keyed(self) -> Iterator[tuple[str, bytes]]:
        seen: dict[str, int] = {}
        for key in self._box.iterkeys():
            raw = self._box.get_bytes(key)
            digest = hashlib.sha256(raw).hexdigest()[:40]
            seen[digest] = seen.get(digest, 0) + 1
            yield f"{digest}.{seen[digest]}", raw

    def pending(self, last_uid: int, known: Callable[[], set[str]]) -> list[Pending]:
        """Messages whose key is not stored yet, in file order."""
        held = known()
        return [Pending(k, 0) for k, _ in self._keyed() if k not in held]

    def fetch(self, batch: Sequence[Pending]) -> list[Fetched]:
        """The batch's messages, read again from the file."""
        wanted = {p.key for p in batch}
        return [Fetched(k, 0, raw) for k, raw in self._keyed() if k in wanted]

    def close(self) -> None:
        """Let go of the file."""
        self._box.close()


def open_source(account: Account, password: Callable[[Account], str]) -> Source:
    """The source an account names; ``password`` is asked only for a server."""
    if account.kind == "maildir":
        return MaildirSource(account.local)
    if account.kind == "mbox":
        return MboxSource(account.local)
    return ImapSource(account, password(account))


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _said(data: Sequence[object]) -> str:
    first = data[0] if data else b""
    return first.decode("utf-8", "replace") if isinstance(first, bytes) else "no reason given"
