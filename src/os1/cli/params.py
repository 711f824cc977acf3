"""Whole numbers on the command line: ASCII digits only, within what the store can hold.

``int()`` reads an Arabic-indic one (U+0661) as 1, so ``os1 memory forget`` with
it would have forgotten memory 1; it refuses a superscript two only after
``str.isdigit`` said yes; and a number past SQLite's 64-bit integers failed
deep in the database. Every id, count and seed the CLI takes is read here
instead (``typer.Argument(parser=ID)``), and anything else is a usage error
that names the argument.
"""

from __future__ import annotations

from collections.abc import Callable

import typer

__all__ = ["COUNT", "ID", "IMPORTANCE", "LARGEST", "SEED", "as_id", "whole"]

LARGEST = 2**63 - 1  # SQLite's and Postgres's bigint


def _digits(text: str) -> int | None:
    text = text.strip()
    if not text or not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    return int(text)


def as_id(text: str) -> int | None:
    """``text`` as an id (1 to 2**63-1, ASCII digits), or None if it is anything else."""
    number = _digits(text)
    return number if number is not None and 1 <= number <= LARGEST else None


def whole(low: int, high: int, what: str) -> Callable[[str], int]:
    """A parser for a whole number from ``low`` to ``high`` written in ASCII digits."""

    def parse(value: str | int) -> int:
        number = value if isinstance(value, int) else _digits(str(value))
        if number is None or not low <= number <= high:
            raise typer.BadParameter(
                f"{str(value)!r} is not {what}: use the digits 0-9, from {low} to {high}."
            )
        return number

    return parse


ID = whole(1, LARGEST, "an id")
COUNT = whole(1, 100_000, "a count")
SEED = whole(0, LARGEST, "a seed")
IMPORTANCE = whole(1, 5, "an importance")
