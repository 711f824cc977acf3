"""A photo in a conversation: looked at, kept only if the person says so, remembered when it fits.

A front door hands the turn a :class:`Shown` (the picture, read in memory,
and whether the person asked to keep it). :class:`Eyes` looks at it with the
configured backend (made on first use, so a vision setting that cannot work
fails that turn, with its fix, and nothing else), writes the image under the
person's own folder only when asked, and turns the look into the turn's parts:
an image part of the person's, and the text read from it as outside content.
A photo the person described ("the menu at the ramen place") is remembered
as an event in their words, with what it read quoted, never as an instruction.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from os1.content import Origin, Part, defuse
from os1.files import write_file
from os1.private import private_dir
from os1.store.memories import NewMemory
from os1.vision import Observation, Picture, Vision

NO_WORDS = "(a photo)"
"""What a turn stores as the person's words when a photo came without any."""
MEMORY_TEXT_CHARS = 240
_REMEMBER = re.compile(r"\b(remember|keep|note|save|don'?t forget)\b", re.IGNORECASE)
_ASKING = re.compile(
    r"^\s*(what|which|who|where|when|why|how|can|could|do|does|is|are|read|tell)\b", re.IGNORECASE
)


@dataclass(frozen=True)
class Shown:
    """A picture the person showed with a message, and whether they allowed keeping it."""

    picture: Picture
    keep: bool = False


@dataclass(frozen=True)
class Seen:
    """A look at a shown picture: what was found, and where the image is kept ('' if not)."""

    observation: Observation
    kept: str = ""

    def parts(self) -> list[Part]:
        """The turn's parts for the photo: the image (the person's), what it read (outside)."""
        found = self.observation
        parts = [
            Part(
                "image",
                Origin.PERSON,
                ref=self.kept,
                source=found.backend,
                data={
                    "size": list(found.size),
                    "kept": bool(self.kept),
                    **({"sent_to": found.sent_to} if found.sent_to else {}),
                    **({"codes": list(found.codes)} if found.codes else {}),
                    **({"colours": list(found.colours)} if found.colours else {}),
                    **({"faces": found.faces} if found.faces is not None else {}),
                },
            )
        ]
        if found.text:
            parts.append(Part("text", Origin.OUTSIDE, found.text, source="image"))
        if found.caption:
            parts.append(Part("text", Origin.OUTSIDE, found.caption, source=found.backend))
        return parts


class Eyes:
    """The companion's way of seeing: the backend, made on first use, and where kept images go."""

    def __init__(self, make: Callable[[], Vision], folder: Path) -> None:
        self._make = make
        self._vision: Vision | None = None
        self.folder = folder

    @property
    def vision(self) -> Vision:
        """The configured backend (a ``ConfigError`` here if the setting cannot work)."""
        if self._vision is None:
            self._vision = self._make()
        return self._vision

    async def look(self, shown: Shown, question: str, user_id: int, now: datetime) -> Seen:
        """Look at the picture; keep it (as PNG, no metadata) only if the person allowed it."""
        observation = await self.vision.look(shown.picture, question)
        kept = self._keep(shown.picture, user_id, now) if shown.keep else ""
        return Seen(observation, kept)

    def _keep(self, picture: Picture, user_id: int, now: datetime) -> str:
        data = picture.png()
        name = f"{now:%Y%m%d-%H%M%S}-{hashlib.sha256(data).hexdigest()[:12]}.png"
        folder = private_dir(self.folder / str(user_id))
        write_file(folder / name, data)
        return str(folder / name)


def fits_memory(said: str, observation: Observation) -> bool:
    """Whether a photo is worth remembering: it held words, and the person said what it was.

    A bare question ("what does this say?") is about the moment; a description
    ("the menu at the ramen place") or "remember this" is something to keep.
    """
    if not (observation.texts or observation.codes or observation.caption):
        return False
    words = " ".join(said.split())
    if words == NO_WORDS:
        return False
    if _REMEMBER.search(words):
        return True
    return not words.endswith("?") and not _ASKING.match(words) and len(words.split()) >= 3


def memory_of(said: str, observation: Observation, turn_id: int) -> NewMemory:
    """The memory of a photo: the person's words about it, and what it read, quoted."""
    read = (
        "; ".join([found.text for found in observation.texts] + list(observation.codes))
        or observation.caption
    )
    quoted = defuse(read, MEMORY_TEXT_CHARS).replace('"', "'")
    about = defuse(" ".join(said.split()), 200)
    return NewMemory(
        kind="event",
        about="the user",
        aspect="photo",
        content=f'Showed me a photo ("{about}"); it read: "{quoted}"',
        importance=3,
        confidence=1.0,
        source="photo",
        source_turn_id=turn_id,
    )
