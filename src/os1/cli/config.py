"""``os1 config``: what the settings are and where each came from."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from os1.cli.runtime import friendly_errors, out
from os1.config import hide_passwords, load_settings, resolve_paths, setting_sources
from os1.terminal import escaped

config_app = typer.Typer(help="Inspect the settings.", no_args_is_help=True)

_SECRET = {"openai_api_key", "vision_api_key"}


def _shown(value: object) -> object:
    """A setting as it may be shown: any password inside a URL masked."""
    return hide_passwords(value) if isinstance(value, str) else value


@config_app.command("show")
def show(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Print the effective settings, each with its source (env, config file or default)."""
    with friendly_errors():
        settings = load_settings()
        sources = setting_sources(settings)
        paths = resolve_paths()
        values = {
            name: ("***" if name in _SECRET and value else _shown(value))
            for name, value in settings.model_dump().items()
        }
        locations = {
            "config_file": str(paths.config_file),
            "data_dir": str(paths.data_dir),
            "models_dir": str(paths.models_dir),
            "log_file": str(paths.log_file),
        }
        if as_json:
            out.print(
                json.dumps(
                    {
                        "settings": {
                            n: {"value": v, "source": sources[n]} for n, v in values.items()
                        },
                        "paths": locations,
                    }
                ),
                markup=False,
            )
            return
        table = Table("setting", "value", "from")
        for name, value in values.items():
            table.add_row(name, escaped(str(value)), escaped(sources[name]))
        out.print(table)
        for name, where in locations.items():
            out.print(f"[dim]{name}:[/] {escaped(where)}")
