"""Where an account's password is kept: the OS keyring or an environment variable, never a file.

A calendar, address book or mail account stores only a reference (``secret``):
``env:NAME`` reads the variable ``NAME`` when the password is needed;
``keyring`` reads the OS keyring entry ``os1`` / ``<account>``; empty means the
server needs no password. So a backup, the config file or the database never
hold a password in plain text.
"""

from __future__ import annotations

import os
import re

from os1.errors import ConfigError

SERVICE = "os1"
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def env_secret(variable: str) -> str:
    """The reference to a password read from the environment variable ``variable``."""
    if not _ENV_NAME.match(variable):
        raise ConfigError(
            f"{variable!r} is not an environment variable name.",
            "Use letters, digits and underscores, such as OS1_CALDAV_PASSWORD.",
        )
    return f"env:{variable}"


def keep_in_keyring(account: str, password: str) -> str:
    """Put ``password`` in the OS keyring under ``account``; the reference to store instead."""
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(SERVICE, account, password)
    except (KeyringError, RuntimeError) as exc:
        raise ConfigError(
            f"The OS keyring cannot keep the password for {account} ({exc}).",
            "Pass --password-env VARIABLE and keep the password in that variable instead.",
        ) from exc
    return "keyring"


def password_for(secret: str, account: str) -> str | None:
    """The password ``secret`` refers to (None: none needed), or an error naming what is missing."""
    if not secret:
        return None
    if secret.startswith("env:"):
        variable = secret[4:]
        value = os.environ.get(variable)
        if value is None:
            raise ConfigError(
                f"The password for {account} is read from ${variable}, which is not set.",
                f"Set {variable} in the environment os1 runs in.",
            )
        return value
    if secret == "keyring":
        import keyring
        from keyring.errors import KeyringError

        try:
            value = keyring.get_password(SERVICE, account)
        except (KeyringError, RuntimeError) as exc:
            raise ConfigError(
                f"The OS keyring cannot be read for {account} ({exc}).",
                "Unlock the keyring, or add the account again with --password-env.",
            ) from exc
        if value is None:
            raise ConfigError(
                f"The OS keyring holds no password for {account}.",
                "Add the account again to store its password.",
            )
        return value
    raise ConfigError(
        f"The password reference {secret!r} of {account} is not understood.",
        "Add the account again with --password-env VARIABLE or a keyring password.",
    )
