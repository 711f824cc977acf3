"""Glyph outlines as the skeletons a pen deforms: read once per glyph with fontTools.

A handwriting font gives every instance of a letter the same shape. The pen takes each
glyph's outline (its contours as lines and cubic curves, in ems from the glyph's origin),
with the outward normal at every point, and deforms a fresh copy for every letter it
writes. Quadratic TrueType curves are raised to cubics exactly, so one path syntax serves
every font; the normals let the pen thicken or thin a stroke where the hand presses.
"""

from __future__ import annotations

import functools
import io
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
from fontTools.pens.basePen import BasePen
from fontTools.ttLib import TTFont as OpenTypeFont

from os1.letters.fonts import FontFile

Point = tuple[float, float]


@dataclass(frozen=True)
class Outline:
    """One glyph's contours: ``ops`` ('m', 'l', 'c', 'h') consume ``points`` in order.

    ``points`` and ``normals`` are arrays of shape (n, 2) in ems, y up from the baseline;
    a normal points away from the ink, so moving a point along it makes the stroke bolder.
    """

    ops: tuple[str, ...]
    points: np.ndarray[Any, np.dtype[np.float64]]
    normals: np.ndarray[Any, np.dtype[np.float64]]
    advance: float

    @property
    def empty(self) -> bool:
        """A space or another glyph with no ink."""
        return len(self.points) == 0


class _Recorder(BasePen):  # type: ignore[misc]  # fontTools is untyped
    """Collects contours as moves, lines and cubics (BasePen raises quadratics to cubics)."""

    def __init__(self, glyph_set: Any, scale: float) -> None:
        super().__init__(glyph_set)
        self.scale = scale
        self.contours: list[tuple[list[str], list[Point]]] = []

    def _p(self, point: Point) -> Point:
        return (point[0] * self.scale, point[1] * self.scale)

    def _moveTo(self, pt: Point) -> None:  # fontTools' pen protocol
        self.contours.append((["m"], [self._p(pt)]))

    def _lineTo(self, pt: Point) -> None:
        self.contours[-1][0].append("l")
        self.contours[-1][1].append(self._p(pt))

    def _curveToOne(self, pt1: Point, pt2: Point, pt3: Point) -> None:
        self.contours[-1][0].append("c")
        self.contours[-1][1].extend([self._p(pt1), self._p(pt2), self._p(pt3)])

    def _closePath(self) -> None:
        self.contours[-1][0].append("h")

    def _endPath(self) -> None:
        self.contours[-1][0].append("h")


class _Face:
    """A font file opened with fontTools, its glyphs read lazily and kept."""

    def __init__(self, font: FontFile) -> None:
        # Read into memory: a lazily read font would hold its file open for the process.
        data = io.BytesIO(font.path.read_bytes())
        self.otf = OpenTypeFont(data, fontNumber=font.subfont, lazy=True)
        self.cmap: dict[int, str] = self.otf.getBestCmap() or {}
        self.glyph_set = self.otf.getGlyphSet()
        self.scale = 1.0 / float(self.otf["head"].unitsPerEm)
        self.metrics = self.otf["hmtx"]
        self.lock = threading.Lock()
        self.cache: dict[str, Outline] = {}

    def outline(self, char: str) -> Outline:
        with self.lock:
            found = self.cache.get(char)
            if found is None:
                found = self.cache[char] = self._read(char)
            return found

    def _read(self, char: str) -> Outline:
        name = self.cmap.get(ord(char), ".notdef")
        recorder = _Recorder(self.glyph_set, self.scale)
        self.glyph_set[name].draw(recorder)
        ops: list[str] = []
        points: list[Point] = []
        normals: list[Point] = []
        contours = [c for c in recorder.contours if len(c[1]) > 1]
        for contour_ops, contour_points in contours:
            hole = (
                sum(
                    _inside(contour_points[0], other)
                    for _, other in contours
                    if other is not contour_points
                )
                % 2
                == 1
            )
            ops.extend(contour_ops)
            points.extend(contour_points)
            normals.extend(_normals(contour_points, hole))
        advance = self.metrics[name][0] * self.scale
        return Outline(
            tuple(ops),
            np.array(points, dtype=np.float64).reshape(-1, 2),
            np.array(normals, dtype=np.float64).reshape(-1, 2),
            advance,
        )


def _area(points: list[Point]) -> float:
    """Twice the signed area: positive when the points run counter-clockwise."""
    total = 0.0
    for (x0, y0), (x1, y1) in zip(points, [*points[1:], points[0]], strict=True):
        total += x0 * y1 - x1 * y0
    return total


def _inside(point: Point, polygon: list[Point]) -> bool:
    """Whether ``point`` lies inside ``polygon`` (even-odd rule on its points)."""
    x, y = point
    inside = False
    for (x0, y0), (x1, y1) in zip(polygon, [*polygon[1:], polygon[0]], strict=True):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside


def _normals(points: list[Point], hole: bool) -> list[Point]:
    """Unit normals pointing out of the ink, from each point's neighbours on its contour.

    Fonts disagree on which way contours run (and some disagree with themselves), so
    the side of the ink is found from each contour's own direction and whether it is a
    hole inside another contour.
    """
    count = len(points)
    clockwise = _area(points) < 0
    sign = 1.0 if clockwise != hole else -1.0
    out: list[Point] = []
    for index in range(count):
        before = points[index - 1]
        after = points[(index + 1) % count]
        tx, ty = after[0] - before[0], after[1] - before[1]
        length = (tx * tx + ty * ty) ** 0.5 or 1.0
        out.append((-ty / length * sign, tx / length * sign))
    return out


_faces_lock = threading.Lock()


@functools.cache
def _face(font: FontFile) -> _Face:
    return _Face(font)


def outline(font: FontFile, char: str) -> Outline:
    """The outline of ``char`` in ``font`` (its ``.notdef`` if the font lacks it)."""
    with _faces_lock:
        face = _face(font)
    return face.outline(char)
