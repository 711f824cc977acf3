"""``os1 service install|uninstall|status``: keep ``os1 serve`` running as a systemd user service.

The unit runs this very interpreter (``python -m os1 serve``), so the
service uses the same installation, and carries ``OS1_HOME`` and
``OS1_MODELS_DIR`` when they are set, so it serves the same data. On a
machine without systemd the unit file is still written and the commands to
start it are printed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

from os1.cli.runtime import err, friendly_errors, out
from os1.cli.server import check_bind
from os1.config import load_settings
from os1.files import write_file
from os1.terminal import escaped

service_app = typer.Typer(help="Run `os1 serve` as a service of your user.", no_args_is_help=True)
UNIT = "os1.service"
CARRIED = ("OS1_HOME", "OS1_MODELS_DIR")


def unit_path() -> Path:
    """Where systemd looks for this user's units."""
    base = os.environ.get("XDG_CONFIG_HOME", "").strip() or str(Path.home() / ".config")
    return Path(base) / "systemd" / "user" / UNIT


def _quoted(value: str) -> str:
    """A value as systemd reads it in ``Environment=`` and ``ExecStart=`` (double-quoted)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def unit_text(extra: list[str]) -> str:
    """The unit: this interpreter running ``os1 serve``, restarted if it fails."""
    command = " ".join(_quoted(part) for part in [sys.executable, "-m", "os1", "serve", *extra])
    environment = "".join(
        f"Environment={_quoted(f'{name}={os.environ[name]}')}\n"
        for name in CARRIED
        if os.environ.get(name)
    )
    return (
        "[Unit]\n"
        "Description=os1, a local-first companion (web app and API)\n"
        "After=network.target\n\n"
        "[Service]\n"
        f"ExecStart={command}\n"
        f"{environment}"
        "Restart=on-failure\n"
        "RestartSec=5\n\n"
        "[Install]\n"
        "WantedBy=default.target\n"
    )


def _systemctl(*args: str) -> subprocess.CompletedProcess[str] | None:
    """Run ``systemctl --user``; None where there is no systemd to ask."""
    if shutil.which("systemctl") is None:
        return None
    return subprocess.run(
        ["systemctl", "--user", *args], capture_output=True, text=True, check=False, timeout=60
    )


@service_app.command("install")
def install(
    insecure_lan: Annotated[
        bool,
        typer.Option("--insecure-lan", help="Serve a non-loopback address without TLS."),
    ] = False,
) -> None:
    """Write the unit, enable it and start it now and at every login."""
    with friendly_errors():
        settings = load_settings()
        warning = check_bind(settings.server_host, settings, insecure_lan)
    if warning:
        err.print(f"[bold yellow]warning:[/] {escaped(warning)}")
    path = unit_path()
    unit = unit_text(["--insecure-lan"] if insecure_lan else []).encode("utf-8")
    with friendly_errors():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_file(path, unit, named=False, mode=0o644)
    out.print(f"Wrote {path}", markup=False)
    reloaded = _systemctl("daemon-reload")
    if reloaded is None:
        out.print(
            "systemctl is not available here; start it with "
            "`systemctl --user enable --now os1.service` where systemd runs.",
            markup=False,
        )
        return
    started = _systemctl("enable", "--now", UNIT)
    if started is None or started.returncode != 0:
        problem = (started.stderr if started else reloaded.stderr).strip()
        err.print(f"[bold red]error:[/] systemd did not start os1: {escaped(problem)}")
        raise typer.Exit(1)
    host, port = settings.server_host, settings.server_port
    out.print(f"os1 is running as a service on http://{host}:{port}", markup=False)


@service_app.command("uninstall")
def uninstall() -> None:
    """Stop the service, disable it and remove its unit."""
    _systemctl("disable", "--now", UNIT)
    path = unit_path()
    if path.exists():
        path.unlink()
        _systemctl("daemon-reload")
        out.print(f"Removed {path}", markup=False)
    else:
        out.print("The os1 service is not installed.", markup=False)


@service_app.command("status")
def status() -> None:
    """Whether the service is installed and running."""
    path = unit_path()
    if not path.exists():
        out.print("Not installed; `os1 service install` sets it up.", markup=False)
        raise typer.Exit(3)
    state = _systemctl("is-active", UNIT)
    running = "unknown (no systemctl here)" if state is None else state.stdout.strip() or "unknown"
    out.print(f"Installed at {path}; {running}.", markup=False)
    if running != "active":
        raise typer.Exit(3)
