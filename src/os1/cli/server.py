"""``os1 serve``, ``os1 user`` and ``os1 device``: the server, its accounts and paired devices."""

from __future__ import annotations

import asyncio
import ipaddress
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, TypeVar

import typer
from rich.table import Table

from os1.cli.runtime import err, friendly_errors, open_companion, out
from os1.clock import clock_from_env
from os1.config import Settings, load_settings, resolve_paths
from os1.errors import ConfigError, InputError, NotFound
from os1.store import Journal
from os1.store.accounts import AccountStore
from os1.terminal import escaped

user_app = typer.Typer(help="Who may sign in to `os1 serve`.", no_args_is_help=True)
device_app = typer.Typer(help="Devices paired with an account.", no_args_is_help=True)
T = TypeVar("T")

UserOpt = Annotated[
    str | None, typer.Option("--user", help="The account (default: the `user` setting).")
]


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable only from this machine."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, settings: Settings, insecure_lan: bool) -> str | None:
    """Refuse to serve the network in the clear; return a warning when told to anyway."""
    if is_loopback(host) or (settings.tls_certfile and settings.tls_keyfile):
        return None
    if not insecure_lan:
        raise ConfigError(
            f"Serving on {host} would send passwords and conversations over the network "
            "unencrypted.",
            "Set tls_certfile and tls_keyfile (OS1_TLS_CERTFILE, OS1_TLS_KEYFILE), or pass "
            "--insecure-lan on a network you trust.",
        )
    return (
        f"Serving on {host} without TLS: anyone on this network can read what is said "
        "and sign-ins. Use it only on a network you trust."
    )


def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.", min=1, max=65535)] = None,
    insecure_lan: Annotated[
        bool,
        typer.Option("--insecure-lan", help="Allow a non-loopback address without TLS."),
    ] = False,
) -> None:
    """Serve the web app, the API and the live socket (default http://127.0.0.1:8316)."""
    import uvicorn

    from os1.server import create_app

    with friendly_errors():
        settings = load_settings()
        host = host or settings.server_host
        port = port or settings.server_port
        warning = check_bind(host, settings, insecure_lan)
        companion = open_companion()
    if warning:
        err.print(f"[bold yellow]warning:[/] {escaped(warning)}")
    app = create_app(settings, companion, owns_companion=True)
    tls = bool(settings.tls_certfile and settings.tls_keyfile)
    shown = f"[{host}]" if ":" in host else host
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        ws_max_size=max(4 * settings.max_frame_bytes, 1 << 20),
        ssl_certfile=settings.tls_certfile or None,
        ssl_keyfile=settings.tls_keyfile or None,
        server_header=False,
    )
    out.print(f"os1 is listening on {'https' if tls else 'http'}://{shown}:{port}", markup=False)
    accounts = AccountStore(companion.journal.engine).accounts()
    if any(a.has_password for a in accounts):
        out.print("Ctrl-C stops.", markup=False)
    else:
        out.print("No one can sign in yet: add someone with `os1 user add NAME`.", markup=False)
    uvicorn.Server(config).run()


@contextmanager
def _accounts() -> Iterator[AccountStore]:
    with friendly_errors():
        settings = load_settings()
        journal = Journal.open(settings.database_url, resolve_paths().database_file)
    try:
        yield AccountStore(journal.engine)
    finally:
        journal.close()


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = typer.prompt("Password", hide_input=True)
    again = typer.prompt("Again", hide_input=True)
    if first != again:
        with friendly_errors():
            raise InputError("The two passwords differ.", "Run the command again.")
    return str(first)


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="The account's name (the terminal's is `me`).")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Create an account, or set a new password; an existing person keeps all their data."""
    from os1.server.auth import hash_password

    password = _read_password(password_stdin)
    with friendly_errors():
        hashed = hash_password(password)
    with _accounts() as accounts, friendly_errors():
        known = {a.name for a in accounts.accounts()}
        accounts.set_password(name, hashed, clock_from_env().now())
    if name in known:
        out.print(f"{name} can now sign in, with everything os1 knows of them.", markup=False)
    else:
        out.print(f"Account {name} created.", markup=False)


@user_app.command("list")
def user_list() -> None:
    """Everyone this os1 knows, and whether they can sign in."""
    with _accounts() as accounts, friendly_errors():
        found = accounts.accounts()
    table = Table("name", "since", "can sign in")
    for account in found:
        table.add_row(
            escaped(account.name),
            f"{account.created_at.astimezone():%Y-%m-%d}",
            "yes" if account.has_password else "no (terminal only)",
        )
    out.print(table)


@user_app.command("remove")
def user_remove(
    name: Annotated[str, typer.Argument(help="The account to delete.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask.")] = False,
) -> None:
    """Delete an account with everything that is theirs: conversations, memories, letters."""
    if not yes and not typer.confirm(f"Delete {name} and everything os1 keeps of them?"):
        raise typer.Exit(1)
    with _accounts() as accounts, friendly_errors():
        if not accounts.remove(name):
            raise NotFound(f"There is no account {name}.", "See `os1 user list`.")
    out.print(f"{name} and their data are gone.", markup=False)


def _user_id(accounts: AccountStore, name: str | None) -> int:
    wanted = name or load_settings().user
    for account in accounts.accounts():
        if account.name == wanted:
            return account.id
    raise NotFound(f"There is no account {wanted}.", "Create it with `os1 user add NAME`.")


def _with_user(name: str | None, work: Callable[[AccountStore, int], T]) -> T:
    with _accounts() as accounts, friendly_errors():
        return work(accounts, _user_id(accounts, name))


@device_app.command("pair")
def device_pair(user: UserOpt = None) -> None:
    """Show a one-time code that pairs a new device (type it on the sign-in page)."""
    from os1.server.auth import Auth

    def work(accounts: AccountStore, user_id: int) -> tuple[str, int]:
        auth = Auth(accounts, clock_from_env(), 1, secure_cookies=False)
        return asyncio.run(auth.pairing_code(user_id))

    code, minutes = _with_user(user, work)
    out.print(f"Pairing code: {code[:4]}-{code[4:]}", markup=False)
    out.print(f"Type it on the new device within {minutes} minutes; it works once.", markup=False)


@device_app.command("list")
def device_list(user: UserOpt = None) -> None:
    """The devices paired with an account."""
    found = _with_user(user, lambda accounts, user_id: accounts.devices(user_id))
    if not found:
        out.print("No devices paired yet; `os1 device pair` shows a code.", markup=False)
        return
    table = Table("id", "name", "paired", "last seen", "status")
    for d in found:
        table.add_row(
            str(d.id),
            escaped(d.name),
            f"{d.created_at.astimezone():%Y-%m-%d %H:%M}",
            f"{d.last_seen_at.astimezone():%Y-%m-%d %H:%M}" if d.last_seen_at else "never",
            "revoked" if d.revoked else "active",
        )
    out.print(table)


@device_app.command("revoke")
def device_revoke(
    device_id: Annotated[int, typer.Argument(help="The device's id (see `os1 device list`).")],
    user: UserOpt = None,
) -> None:
    """Revoke a device: its key and sign-ins stop working at once."""

    def work(accounts: AccountStore, user_id: int) -> bool:
        return accounts.revoke(user_id, device_id, clock_from_env().now())

    if not _with_user(user, work):
        with friendly_errors():
            raise NotFound(f"There is no active device {device_id}.", "See `os1 device list`.")
    out.print("Revoked.", markup=False)
