"""The sheet under the writing: its colour, its rules, and the fibres of textured paper.

The fibres are drawn once per document as a PDF form (vectors, no image) and reused on
every page turned or flipped one of four ways, so a long letter on textured paper costs
little more than a short one and neighbouring pages do not look photocopied.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from reportlab.pdfgen.canvas import Canvas

from os1.letters.style import Paper, Rgb


def _shade(colour: Rgb, amount: float) -> Rgb:
    return (
        min(1.0, max(0.0, colour[0] + amount)),
        min(1.0, max(0.0, colour[1] + amount)),
        min(1.0, max(0.0, colour[2] + amount * 1.2)),
    )


class Sheet:
    """Draws one kind of paper on the pages of one document."""

    def __init__(self, canvas: Canvas, paper: Paper, seed: int) -> None:
        self.canvas = canvas
        self.paper = paper
        self.rng = random.Random(f"paper-{seed}")
        self._forms: dict[tuple[float, float], str] = {}

    def draw(self, width: float, height: float, rules: Sequence[float] = ()) -> None:
        """Lay the sheet under the page about to be written; ``rules`` are baselines."""
        canvas = self.canvas
        if self.paper.colour != (1.0, 1.0, 1.0):
            canvas.setFillColorRGB(*self.paper.colour)
            canvas.rect(0, 0, width, height, stroke=0, fill=1)
        if self.paper.textured:
            self._texture(width, height)
        if self.paper.ruled and rules:
            self._rules(width, height, rules)

    def _rules(self, width: float, height: float, rules: Sequence[float]) -> None:
        canvas = self.canvas
        pitch = rules[0] - rules[1] if len(rules) > 1 else 20.0
        canvas.setLineWidth(0.45)
        canvas.setStrokeColorRGB(*self.paper.rule_colour)
        y = rules[0] + pitch
        while y - pitch > 18.0:
            y -= pitch
            canvas.line(0, y, width, y)
        canvas.setStrokeColorRGB(0.90, 0.62, 0.66)
        canvas.line(width * 0.085, 0, width * 0.085, height)

    def _texture(self, width: float, height: float) -> None:
        canvas = self.canvas
        name = self._forms.get((width, height))
        if name is None:
            name = f"fibres{len(self._forms)}"
            canvas.saveState()
            canvas.beginForm(name, 0, 0, width, height)
            self._fibres(width, height)
            canvas.endForm()
            canvas.restoreState()
            self._forms[(width, height)] = name
        flip_x, flip_y = self.rng.random() < 0.5, self.rng.random() < 0.5
        canvas.saveState()
        canvas.translate(width if flip_x else 0, height if flip_y else 0)
        canvas.scale(-1 if flip_x else 1, -1 if flip_y else 1)
        canvas.doForm(name)
        canvas.restoreState()

    def _fibres(self, width: float, height: float) -> None:
        canvas, rng, base = self.canvas, self.rng, self.paper.colour
        area = width * height / (595.0 * 842.0)
        for _ in range(int(260 * area)):
            canvas.setStrokeColorRGB(*_shade(base, rng.uniform(-0.1, 0.03)))
            canvas.setLineWidth(rng.uniform(0.15, 0.45))
            x, y = rng.uniform(0, width), rng.uniform(0, height)
            dx, dy = rng.uniform(-22, 22), rng.uniform(-10, 10)
            path = canvas.beginPath()
            path.moveTo(x, y)
            path.curveTo(
                x + dx * 0.3 + rng.uniform(-4, 4),
                y + dy * 0.3 + rng.uniform(-4, 4),
                x + dx * 0.7 + rng.uniform(-4, 4),
                y + dy * 0.7 + rng.uniform(-4, 4),
                x + dx,
                y + dy,
            )
            canvas.drawPath(path, stroke=1, fill=0)
        for _ in range(int(700 * area)):
            canvas.setFillColorRGB(*_shade(base, rng.uniform(-0.09, 0.03)))
            canvas.circle(
                rng.uniform(0, width), rng.uniform(0, height), rng.uniform(0.2, 0.7), 0, 1
            )
