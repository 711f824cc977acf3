"""The hand that writes: turns text into words with the small irregularities of a person.

All irregularity comes from one seeded random stream consumed in writing order, so the
same letter, style and seed give the same page, and another seed gives another page.
Each word gets its own size, slant, rotation, vertical offset and ink density; each
letter its own rise and spacing; each line a slow wave and tilt of its baseline and a
wavering start. That is what keeps a word written twice from looking stamped.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass

from os1.letters import fonts
from os1.letters.fonts import FontChain, FontFile
from os1.letters.style import Rgb, Variation


@dataclass(frozen=True)
class Glyph:
    """One character, raised or lowered a little and followed by a little extra space."""

    char: str
    rise: float
    spacing: float


@dataclass(frozen=True)
class InkRun:
    """Consecutive glyphs drawn in one font."""

    font: FontFile
    size: float
    glyphs: tuple[Glyph, ...]


@dataclass(frozen=True)
class Word:
    """A written word before it is placed: its runs and its own posture and ink."""

    runs: tuple[InkRun, ...]
    width: float
    scale: float
    slant: float
    angle: float
    offset: float
    ink: Rgb


@dataclass(frozen=True)
class PlacedWord:
    """A word at its baseline origin on a page (points from the bottom-left corner)."""

    word: Word
    x: float
    y: float


Baseline = Callable[[float], tuple[float, float]]
"""Maps a distance along a line to (vertical offset, angle in degrees) of its baseline."""


class Hand:
    """A writer with a given steadiness, ink and paper, drawing from one seeded stream."""

    def __init__(
        self, variation: Variation, ink: Rgb, paper: Rgb, slant: float, rng: random.Random
    ) -> None:
        self.variation = variation
        self.ink = ink
        self.paper = paper
        self.slant = slant
        self.rng = rng

    def _jitter(self, amount: float) -> float:
        return self.rng.uniform(-amount, amount) if amount else 0.0

    def word(self, text: str, chain: FontChain, size: float) -> Word:
        """Write one word in the chain's fonts at about ``size`` points."""
        v = self.variation
        scale = 1.0 + self._jitter(v.size_jitter)
        runs: list[InkRun] = []
        width = 0.0
        for font, part in chain.runs(text):
            glyphs = tuple(
                Glyph(char, self._jitter(v.letter_rise), self._jitter(v.letter_spacing))
                for char in part
            )
            run_size = size * font.scale
            width += fonts.width(font, part, size) + sum(g.spacing for g in glyphs)
            runs.append(InkRun(font, run_size, glyphs))
        return Word(
            runs=tuple(runs),
            width=width * scale,
            scale=scale,
            slant=math.tan(math.radians(self.slant + self._jitter(v.slant_jitter))),
            angle=self._jitter(v.rotation_jitter),
            offset=self._jitter(v.word_offset),
            ink=self._ink(),
        )

    def _ink(self) -> Rgb:
        """The pen's ink, a little paler or heavier from word to word."""
        amount = self.variation.ink_jitter
        if not amount:
            return self.ink
        toward_paper = self.rng.uniform(0.0, amount)
        if self.rng.random() < 0.08:
            return (self.ink[0] * 0.8, self.ink[1] * 0.8, self.ink[2] * 0.85)
        return (
            self.ink[0] + (self.paper[0] - self.ink[0]) * toward_paper,
            self.ink[1] + (self.paper[1] - self.ink[1]) * toward_paper,
            self.ink[2] + (self.paper[2] - self.ink[2]) * toward_paper,
        )

    def space(self, size: float) -> float:
        """The gap before a word: a quarter of an em, never quite the same twice."""
        return size * 0.28 * (1.0 + self._jitter(self.variation.spacing_jitter))

    def margin(self, line: int) -> float:
        """How far this line starts from the margin: a slow waver plus a little noise."""
        amount = self.variation.margin_waver
        if not amount:
            return 0.0
        return amount * (0.6 * math.sin(line * 0.45) + 0.4 * self.rng.uniform(-1.0, 1.0))

    def baseline(self) -> Baseline:
        """A new line's baseline: a slight overall tilt and a slow wave along it."""
        v = self.variation
        tilt = math.radians(self._jitter(v.line_tilt))
        amplitude = self.rng.uniform(0.3, 1.0) * v.baseline_drift
        wavelength = self.rng.uniform(180.0, 420.0)
        phase = self.rng.uniform(0.0, 2.0 * math.pi)
        start = amplitude * math.sin(phase)

        def along(x: float) -> tuple[float, float]:
            turn = 2.0 * math.pi * x / wavelength + phase
            dy = x * math.tan(tilt) + amplitude * math.sin(turn) - start
            slope = math.tan(tilt) + amplitude * 2.0 * math.pi / wavelength * math.cos(turn)
            return dy, math.degrees(math.atan(slope))

        return along
