"""What a letter says, apart from how it looks: the input every renderer takes.

A frozen pydantic model, so a composer can build it from a model's JSON and a store can
keep it as JSON, and the renderer can trust it will not change under it.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict


class LetterDocument(BaseModel):
    """A personal letter: the parts a writer puts in their usual places on the page."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    date_line: str = ""
    salutation: str = ""
    body: tuple[str, ...] = ()
    closing: str = ""
    signature: str = ""
    sender_address: tuple[str, ...] = ()
    recipient_address: tuple[str, ...] = ()


class BookEntry(NamedTuple):
    """One letter in a book: the letter, the day it was written, and its contents line."""

    letter: LetterDocument
    date: dt.date | None
    heading: str
