"""One document being written: the PDF canvas, the hand, the fonts and the paper together.

Letters, envelopes and books are all written at a desk, so they share one seeded hand
(the same seed gives the same document, byte for byte, since the canvas is invariant),
one set of font chains (so what could not be drawn is reported once for the whole
document) and one sheet of paper.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from reportlab import rl_config
from reportlab.pdfgen.canvas import Canvas

from os1.errors import LetterError
from os1.letters.fonts import PLACEHOLDER, FontChain, FontFile
from os1.letters.handwriting import Hand, PlacedWord
from os1.letters.layout import Frame, Writer
from os1.letters.paper import Sheet
from os1.letters.pen import draw_words
from os1.letters.style import Style

rl_config.useA85 = 0
"""Page streams are written binary (Flate only): reportlab's ASCII85 step runs in pure
Python here, took a third of a page's render time and made the file a quarter larger."""


@dataclass(frozen=True)
class RenderResult:
    """What was written: the files, how many pages, and anything that could not be drawn.

    ``pages`` counts every page of the PDF, an envelope page included; ``warnings`` name
    each character shown as a placeholder; ``fonts`` are the font files the text used,
    so a caller can tell which characters fell back.
    """

    paths: tuple[Path, ...]
    pages: int
    warnings: tuple[str, ...] = ()
    fonts: tuple[str, ...] = ()

    @property
    def path(self) -> Path:
        """The first (for a PDF, the only) file written."""
        return self.paths[0]


class Desk:
    """Writes the pages of one PDF in one style, from one seed."""

    def __init__(self, path: Path, style: Style, seed: int, title: str = "") -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise LetterError(
                f"Cannot create the folder {path.parent} for the letter: {error.strerror}.",
                "Choose an output path in a folder you can write to.",
            ) from error
        self.path = path
        self.style = style
        self.chains: list[FontChain] = []
        self.chain = self.new_chain(style.font)
        self.signature_chain = self.new_chain(style.signature_font)
        # The text layer's first font is the style's own (embedded), never Helvetica.
        self.canvas = Canvas(
            str(path),
            pagesize=style.page_size,
            invariant=True,
            initialFontName=style.font.name,  # type: ignore[arg-type]  # the stub is wrong
        )
        self.canvas.setTitle(title)
        self.canvas.setCreator("os1")
        self.hand = Hand(
            style.variation,
            style.ink,
            style.paper.colour,
            style.slant,
            random.Random(seed),
            style.nib,
        )
        self.sheet = Sheet(self.canvas, style.paper, seed)
        self.pages = 0

    def new_chain(self, font: FontFile) -> FontChain:
        """A chain from ``font`` to the style's fallbacks, reported on by :meth:`finish`."""
        chain = FontChain(font, self.style.fallbacks)
        self.chains.append(chain)
        return chain

    def frame(self, page_size: tuple[float, float] | None = None) -> Frame:
        """The style's writable area on a page of this size (the style's by default)."""
        width, height = page_size or self.style.page_size
        return Frame(width, height, self.style.margins, self.style.line_pitch)

    def writer(self, frame: Frame, start_slot: int = 0) -> Writer:
        """A writer on this desk's hand, for one flow of lines across pages."""
        return Writer(frame, self.hand, start_slot)

    def page(
        self,
        frame: Frame,
        words: Sequence[PlacedWord],
        *,
        ruled: bool = True,
        unruled_top: int = 0,
        marks: Callable[[Canvas], None] | None = None,
    ) -> None:
        """Lay a sheet of the frame's size, write the words on it, and turn the page.

        ``unruled_top`` line slots at the top stay free of rules (a book's heading sits
        there); ``marks`` draws anything printed on the sheet itself (a stamp box, a
        rule), between the paper and the ink.
        """
        self.canvas.setPageSize((frame.width, frame.height))
        rules = frame.baselines[unruled_top:] if ruled else ()
        self.sheet.draw(frame.width, frame.height, rules)
        if marks is not None:
            marks(self.canvas)
        draw_words(self.canvas, words, self.style.paper.colour)
        self.canvas.showPage()
        self.pages += 1

    def finish(self) -> RenderResult:
        """Write the PDF file and report what could not be drawn."""
        try:
            self.canvas.save()
        except OSError as error:
            raise LetterError(
                f"Cannot write {self.path}: {error.strerror}.",
                "Choose an output path in a folder you can write to.",
            ) from error
        missing = sorted(set().union(*(chain.missing for chain in self.chains)))
        warnings = tuple(
            f"No installed font can draw {char!r} (U+{ord(char):04X}); "
            f"it is shown as {PLACEHOLDER}."
            for char in missing
        )
        used = sorted({font.path.name for chain in self.chains for font in chain.used})
        return RenderResult((self.path,), self.pages, warnings, tuple(used))
