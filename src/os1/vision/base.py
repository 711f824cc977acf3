"""What seeing is to os1: a picture and a question in, a typed observation out.

Every backend (on this machine, or a multimodal model the person configured)
answers :meth:`Vision.look` with an :class:`Observation`: the text found and
where, the codes decoded, the main colours, faces and people counted, and a
caption when a model provides one. Everything in it that came from the image
(text, codes, a model's words about it) is outside content: it reaches a
prompt only through :func:`os1.content.fence`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Protocol, runtime_checkable

from os1.vision.picture import Picture


@dataclass(frozen=True)
class TextFound:
    """One line of text in the image, with its corners in the image's own pixels."""

    text: str
    box: tuple[tuple[int, int], ...]
    confidence: float


@dataclass(frozen=True)
class Observation:
    """What one look at one image found, and what the backend could not see."""

    backend: str
    texts: tuple[TextFound, ...] = ()
    codes: tuple[str, ...] = ()
    """Decoded QR codes and barcodes, as their text."""
    colours: tuple[str, ...] = ()
    """The main colours, most of the image first."""
    faces: int | None = None
    """None when the backend does not count faces."""
    people: int | None = None
    caption: str = ""
    """A vision model's description of the image, or its answer to the question."""
    cannot: tuple[str, ...] = ()
    """What this backend cannot see, in a sentence each, to be said plainly."""
    notes: tuple[str, ...] = ()
    """What was changed to read the image (an animation's first frame, CMYK colours)."""
    sent_to: str = ""
    """Where the image was sent, when it left this machine; '' when it did not."""
    size: tuple[int, int] = (0, 0)
    timings_ms: dict[str, float] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The text found, one line per line, in reading order."""
        return "\n".join(found.text for found in self.texts)

    @property
    def empty(self) -> bool:
        """Whether nothing at all was made out."""
        return not (self.texts or self.codes or self.caption or self.faces or self.people)

    def to_json(self) -> dict[str, Any]:
        """The observation as plain JSON (``os1 look --json``, the turn's image part)."""
        data = asdict(self)
        data["texts"] = [
            {"text": t.text, "box": [list(p) for p in t.box], "confidence": round(t.confidence, 3)}
            for t in self.texts
        ]
        data["size"] = list(self.size)
        data["timings_ms"] = {k: round(v, 1) for k, v in self.timings_ms.items()}
        return data


@runtime_checkable
class Vision(Protocol):
    """A way of seeing; backends register under the ``os1.vision`` entry-point group."""

    name: str
    sends_to: str
    """Where images go ('' for this machine only): said to the person every time."""

    async def look(self, picture: Picture, question: str = "") -> Observation:
        """What is in ``picture``, with ``question`` (the person's words) to answer if it can."""
        ...
