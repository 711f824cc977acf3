"""Mail accounts and where their passwords live: the OS keyring or a variable, never the config.

An account row holds the server, the user name and a *reference* to the
password: ``keyring`` (the OS keyring, service ``os1-mail``) or ``env:NAME``
(an environment variable, for servers and CI). The password itself is read
at the moment of signing in and kept nowhere else.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import keyring
import keyring.errors
from keyring.backends import fail

from os1.errors import MailError

KEYRING_SERVICE = "os1-mail"
KINDS = ("imap", "maildir", "mbox")
SECURITY = ("ssl", "starttls", "none")
_ENV = re.compile(r"^env:([A-Za-z_][A-Za-z0-9_]*)$")


@dataclass(frozen=True)
class Account:
    """A mail account: an IMAP server (with SMTP for sending) or a local Maildir or mbox."""

    id: int
    name: str
    kind: str
    address: str
    host: str = ""
    port: int = 0
    security: str = "ssl"
    username: str = ""
    secret: str = ""
    """``keyring``, ``env:NAME``, or empty for local mail."""
    path: str = ""
    smtp_host: str = ""
    smtp_port: int = 0
    smtp_security: str = "starttls"

    @property
    def keyring_user(self) -> str:
        """The keyring entry's user: the account's user name at its server."""
        return f"{self.username}@{self.host}"

    @property
    def local(self) -> Path:
        """A local Maildir or mbox's path."""
        return Path(self.path).expanduser()


def keyring_usable() -> bool:
    """Whether this machine has an OS keyring os1 can keep a password in."""
    return not isinstance(keyring.get_keyring(), fail.Keyring)


def no_keyring() -> MailError:
    """The error for a machine without a keyring (a headless box, a container)."""
    return MailError(
        "This machine has no OS keyring to keep the mail password in "
        "(no Secret Service, KWallet or macOS Keychain is running).",
        "Put the password in an environment variable and add the account with "
        "--password-env NAME instead.",
    )


def keep_password(account: Account, password: str) -> None:
    """Store the password in the OS keyring under the account's user name and server."""
    if not keyring_usable():
        raise no_keyring()
    try:
        keyring.set_password(KEYRING_SERVICE, account.keyring_user, password)
    except keyring.errors.KeyringError as exc:
        raise MailError(
            f"The keyring refused the password: {exc}.", "Unlock it and retry."
        ) from exc


def password(account: Account) -> str:
    """The account's password, read now from where the account says it is kept."""
    env = _ENV.match(account.secret)
    if env:
        value = os.environ.get(env.group(1))
        if not value:
            raise MailError(
                f"The password of mail account {account.name!r} is read from the environment "
                f"variable {env.group(1)}, which is not set.",
                f"Set {env.group(1)} before running os1.",
            )
        return value
    if account.secret != "keyring":
        raise MailError(f"Mail account {account.name!r} has no password source.",
                        "Add it again with os1 mail add.")  # fmt: skip
    if not keyring_usable():
        raise no_keyring()
    try:
        found = keyring.get_password(KEYRING_SERVICE, account.keyring_user)
    except keyring.errors.KeyringError as exc:
        raise MailError(f"The keyring could not be read: {exc}.", "Unlock it and retry.") from exc
    if not found:
        raise MailError(
            f"The keyring holds no password for {account.keyring_user}.",
            "Add the account again with os1 mail add to store it.",
        )
    return found


def check_secret(secret: str) -> str:
    """A password reference as given on the command line, or a clear error."""
    if secret == "keyring" or _ENV.match(secret):
        return secret
    raise MailError(f"{secret!r} is not a password source.", "Use keyring or env:NAME.")
