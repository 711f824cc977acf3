"""The pen: each letter drawn as its own deformed outline, in ink that swells and runs dry.

A font stamps the same shape every time; a hand never does. So the writing is not PDF
text but filled vector paths: each letter's outline (:mod:`os1.letters.outlines`) is
bent by a smooth field of its own (a few low-frequency waves across the glyph, a small
stretch and lean) drawn from the seed, so no two instances of a letter can be laid over
each other, and a curve stays a curve. Every outline point is also moved along its
normal by the pen's pressure, which varies smoothly along a stroke and presses harder on
the upright strokes, so the ink thickens and thins as a nib's does; as the pen runs dry
a letter comes out paler and finer, until the writer dips again. Print hands get the
connecting strokes a writer makes between letters of a word.

Under the ink, each word is also written as invisible text (render mode 3) in its
embedded font, so the page can still be searched, copied and read aloud.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from reportlab.pdfgen.canvas import Canvas

from os1.letters.handwriting import Glyph, PlacedWord
from os1.letters.outlines import Outline, outline
from os1.letters.style import Nib, Rgb

Array = np.ndarray[Any, np.dtype[np.float64]]

TAU = 2.0 * math.pi
BEND = 0.035
"""The largest bend of a letter's outline, in ems, at messiness 1."""
PRESS = 0.014
"""How much pressure thickens a stroke's edge, in ems, at pressure 1."""
DRY = 0.008
"""How much finer a stroke is when the pen has run dry, in ems."""

_CURVE = "{:.2f} {:.2f} {:.2f} {:.2f} {:.2f} {:.2f} c"
_STROKE = "{:.2f} {:.2f} m {:.2f} {:.2f} {:.2f} {:.2f} {:.2f} {:.2f} c S"
_EXITS_HIGH = frozenset("bovwr")
"""Letters a hand leaves from the top, so the next letter is not joined from the baseline."""


def draw_words(canvas: Canvas, words: Iterable[PlacedWord], paper: Rgb) -> None:
    """Draw words in ink with each word's pen, and as invisible text beneath for searching."""
    placed = list(words)
    _text_layer(canvas, placed)
    code: list[str] = []
    for word in placed:
        _ink_word(code, word, paper, word.word.nib)
    canvas.addLiteral("\n".join(code))


def _text_layer(canvas: Canvas, words: Sequence[PlacedWord]) -> None:
    if not words:
        return
    text = canvas.beginText()
    text.setTextRenderMode(3)
    for placed in words:
        a, b, c, d = _matrix(placed)
        text.setTextTransform(a, b, c, d, placed.x, placed.y)
        for run in placed.word.runs:
            text.setFont(run.font.name, run.size)
            for glyph in run.glyphs:
                text.setRise(glyph.rise)
                text.setCharSpace(glyph.spacing)
                text.textOut(glyph.char)
    canvas.drawText(text)


def _matrix(placed: PlacedWord) -> tuple[float, float, float, float]:
    """The word's size, slant and rotation as a 2x2 matrix in PDF's row-vector convention."""
    word = placed.word
    radians = math.radians(word.angle)
    cos, sin = math.cos(radians), math.sin(radians)
    k, shear = word.scale, word.slant
    return k * cos, k * sin, k * (shear * cos - sin), k * (shear * sin + cos)


@dataclass(frozen=True)
class Stroke:
    """One letter as the pen wrote it: its outline on the page, and where it sat in its word.

    ``local`` is the same outline in the word's own frame (points along the word's
    baseline), where the joins between letters are found.
    """

    char: str
    glyph: Glyph
    size: float
    ops: tuple[str, ...]
    page: Array
    local: Array


def strokes(placed: PlacedWord) -> Iterator[Stroke]:
    """Each inked letter of a placed word, bent as this instance is (see :func:`_bend`)."""
    a, b, c, d = _matrix(placed)
    transform = np.array([[a, b], [c, d]])
    origin = np.array([placed.x, placed.y])
    nib = placed.word.nib
    cursor = 0.0
    for run in placed.word.runs:
        for glyph in run.glyphs:
            shape = outline(run.font, glyph.char)
            drawn = outline(run.font, dict(run.font.swaps).get(glyph.char, glyph.char))
            if not drawn.empty:
                em = _bend(drawn, glyph, nib)
                centre = (shape.advance - drawn.advance) * run.size / 2
                local = em * run.size + (cursor + centre, glyph.rise)
                yield Stroke(
                    glyph.char, glyph, run.size, drawn.ops, local @ transform + origin, local
                )
            cursor += shape.advance * run.size + glyph.spacing


def _ink_word(code: list[str], placed: PlacedWord, paper: Rgb, nib: Nib) -> None:
    a, b, c, d = _matrix(placed)
    transform = np.array([[a, b], [c, d]])
    origin = np.array([placed.x, placed.y])
    previous: Stroke | None = None
    for stroke in strokes(placed):
        colour = _colour(placed.word.ink, paper, stroke.glyph.ink, nib)
        if nib.joins and previous is not None:
            code.append(f"{colour} RG")
            _join(code, previous, stroke, transform, origin)
        code.append(f"{colour} rg")
        code.append(_path(stroke.ops, stroke.page) + " f")
        previous = stroke


def _colour(ink: Rgb, paper: Rgb, level: float, nib: Nib) -> str:
    """The word's ink, paler as the pen runs dry."""
    fade = (1.0 - level) * 0.4 * (1.0 if nib.dryness else 0.0)
    r, g, b = (i + (p - i) * fade for i, p in zip(ink, paper, strict=True))
    return f"{r:.3f} {g:.3f} {b:.3f}"


def _bend(shape: Outline, glyph: Glyph, nib: Nib) -> Array:
    """The letter as written this once: its outline bent, stretched and pressed, in ems."""
    points, normals = shape.points, shape.normals
    w = glyph.warp
    u, v = points[:, 0], points[:, 1]
    m = BEND * nib.messiness
    dx = m * (w[0] * np.sin(TAU * (0.55 * v + w[1])) + 0.6 * w[2] * np.sin(TAU * (0.8 * u + w[3])))
    dy = m * (0.8 * w[4] * np.sin(TAU * (0.6 * u + w[5])) + 0.5 * w[6] * np.sin(TAU * (v + w[7])))
    along = np.sin(TAU * (0.9 * v + 0.6 * u + w[11]))
    upright = 0.3 + 0.7 * np.abs(normals[:, 0])
    edge = nib.weight + PRESS * nib.pressure * (0.2 + 0.8 * along) * upright
    edge = edge - DRY * (1.0 - glyph.ink) * (1.0 if nib.dryness else 0.0)
    x = u + dx + normals[:, 0] * edge
    y = v + dy + normals[:, 1] * edge
    stretch = 1.0 + (nib.roundness - 0.5) * 0.24 + 1.5 * m * w[8]
    lean = 3.0 * m * w[10]
    return np.column_stack((x * stretch + lean * y, y * (1.0 + 1.5 * m * w[9])))


def _path(ops: Sequence[str], page: Array) -> str:
    """PDF path operators for an outline whose points are already on the page."""
    flat = page.ravel().tolist()
    parts: list[str] = []
    at = 0
    for op in ops:
        if op == "c":
            parts.append(_CURVE.format(*flat[at : at + 6]))
            at += 6
        elif op == "h":
            parts.append("h")
        else:
            parts.append(f"{flat[at]:.2f} {flat[at + 1]:.2f} {op}")
            at += 2
    return " ".join(parts)


def _join(
    code: list[str], previous: Stroke, stroke: Stroke, transform: Array, origin: Array
) -> None:
    """The stroke a print hand makes from the foot of one letter into the next.

    Only between two lower-case letters that follow each other in the word (a space or
    a mark between them leaves a gap), and only when they nearly touch already.
    """
    before, left, left_size = previous.char, previous.local, previous.size
    char, local, size = stroke.char, stroke.local, stroke.size
    if not (before.isalpha() and before.islower() and char.isalpha() and char.islower()):
        return
    if before in _EXITS_HIGH:
        return
    low = left[left[:, 1] < 0.12 * left_size]
    entry = local[(local[:, 1] > 0.02 * size) & (local[:, 1] < 0.30 * size)]
    if not len(low) or not len(entry):
        return
    start = low[np.argmax(low[:, 0])]
    end = entry[np.argmin(entry[:, 0])]
    gap = end[0] - start[0]
    if not 0.0 < gap < 0.35 * size:
        return
    rise = end[1] - start[1]
    curve = np.array(
        [
            start,
            start + np.array((gap * 0.45, -0.01 * size)),
            end - np.array((gap * 0.35, rise * 0.6)),
            end,
        ]
    )
    page = (curve @ transform + origin).ravel().tolist()
    code.append(f"{0.045 * size:.2f} w 1 J")
    code.append(_STROKE.format(*page))
