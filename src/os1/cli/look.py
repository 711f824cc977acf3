"""``os1 look IMAGE``: what os1 can see in an image, and with ``--ask``, its answer about it.

On its own the command only looks: the configured vision backend reads the
image in memory and the findings are printed (text, codes, colours, faces, and
what it cannot see), with no chat model and nothing stored. With ``--ask`` the
photo and the question become a turn of the conversation, as
``os1 say --image``, answered in os1's own voice. The image goes nowhere
unless a remote ``vision`` backend is set, and then the command says where
before it is sent.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from os1.cli.conversation import ConversationOpt, NewOpt, one_turn
from os1.cli.runtime import err, friendly_errors, out
from os1.companion.sight import Shown
from os1.config import load_settings, resolve_paths
from os1.files import read_at_most
from os1.terminal import clean, escaped, inert_json
from os1.vision import Picture, create_vision, describe, read_picture, read_picture_file
from os1.vision.picture import MAX_BYTES


def _picture(image: str) -> Picture:
    if image == "-":
        return read_picture(read_at_most(sys.stdin.buffer, MAX_BYTES + 1), "standard input")
    return read_picture_file(Path(image).expanduser())


def look(
    image: Annotated[
        str, typer.Argument(help="The image file ('-' reads it from standard input).")
    ],
    ask: Annotated[
        str | None,
        typer.Option("--ask", help="Ask os1 about the image; the answer is a conversation turn."),
    ] = None,
    keep: Annotated[
        bool, typer.Option("--keep", help="With --ask, keep the image with the conversation.")
    ] = False,
    conversation: ConversationOpt = None,
    new: NewOpt = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the observation (or, with --ask, the events).")
    ] = False,
) -> None:
    """Say what is in an image: text, codes, colours, faces; --ask to talk about it."""
    if ask is not None:
        with friendly_errors():
            shown = Shown(_picture(image), keep=keep)
        one_turn(ask, conversation, new=new, as_json=as_json, remember=True, shown=shown)
        return
    with friendly_errors():
        picture = _picture(image)
        vision = create_vision(load_settings(), resolve_paths())
        if vision.sends_to:
            err.print(
                f"[yellow]note:[/] sending the image to {escaped(vision.sends_to)} to be seen."
            )
        observation = asyncio.run(vision.look(picture))
    if as_json:
        out.print(inert_json(json.dumps(observation.to_json())), markup=False)
        return
    out.print(clean(describe(observation)), markup=False)
