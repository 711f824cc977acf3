"""Puts placed words on a reportlab canvas as real PDF text.

Each word is drawn as text (not outlines) under its own text matrix, which carries the
word's size, slant and rotation: the page stays small, sharp at any zoom, searchable and
copyable, and one text object per page keeps drawing a 30-page letter fast.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from reportlab.pdfgen.canvas import Canvas

from os1.letters.handwriting import PlacedWord


def draw_words(canvas: Canvas, words: Iterable[PlacedWord]) -> None:
    """Draw words in their fonts, ink and posture."""
    text = canvas.beginText()
    for placed in words:
        word = placed.word
        radians = math.radians(word.angle)
        cos, sin = math.cos(radians), math.sin(radians)
        k, shear = word.scale, word.slant
        # Scale, then shear (slant), then rotate, in PDF's row-vector convention.
        text.setTextTransform(
            k * cos, k * sin, k * (shear * cos - sin), k * (shear * sin + cos), placed.x, placed.y
        )
        text.setFillColorRGB(*word.ink)
        for run in word.runs:
            text.setFont(run.font.name, run.size)
            for glyph in run.glyphs:
                text.setRise(glyph.rise)
                text.setCharSpace(glyph.spacing)
                text.textOut(glyph.char)
    canvas.drawText(text)
