"""The hand that writes: turns text into words with the small irregularities of a person.

All irregularity comes from one seeded random stream consumed in writing order, so the
same letter, style and seed give the same page, and another seed gives another page (a
different day of the same hand). Size, slant and spacing breathe slowly over the page
(smooth waves over the letters written so far), with a little more from word to word;
each letter gets its own deformation of its outline (drawn by :mod:`os1.letters.pen`),
a rise that wanders smoothly along the word, and the ink left in the pen, which runs
low letter by letter until the writer dips it again; each line gets a slow wave and
tilt of its baseline and a wavering start. Words sit on the line's baseline and only
drift with it, so the writing never jumps from word to word.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass

from os1.letters import fonts
from os1.letters.fonts import FontChain, FontFile
from os1.letters.style import Nib, Rgb, Variation

NO_NIB = Nib.none()

WARPS = 12
"""How many random numbers shape one letter's deformation (see :mod:`os1.letters.pen`)."""


@dataclass(frozen=True)
class Glyph:
    """One character as written this once: its rise, the space after it, its own shape.

    ``warp`` holds the numbers (each from -1 to 1) that bend this instance's outline;
    ``ink`` is what was left in the pen (1 just dipped, lower as it runs dry).
    """

    char: str
    rise: float
    spacing: float
    warp: tuple[float, ...] = (0.0,) * WARPS
    ink: float = 1.0


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
    nib: Nib = NO_NIB


@dataclass(frozen=True)
class PlacedWord:
    """A word at its baseline origin on a page (points from the bottom-left corner)."""

    word: Word
    x: float
    y: float


Baseline = Callable[[float], tuple[float, float]]
"""Maps a distance along a line to (vertical offset, angle in degrees) of its baseline."""


class _Breath:
    """A slow, smooth wave over the letters written: two sines of random phase, -1 to 1."""

    def __init__(self, rng: random.Random) -> None:
        self.waves = [
            (rng.uniform(0.0, 2.0 * math.pi), rng.uniform(90.0, 260.0)),
            (rng.uniform(0.0, 2.0 * math.pi), rng.uniform(30.0, 80.0)),
        ]

    def at(self, clock: float) -> float:
        (p1, l1), (p2, l2) = self.waves
        return 0.7 * math.sin(2 * math.pi * clock / l1 + p1) + 0.3 * math.sin(
            2 * math.pi * clock / l2 + p2
        )


class Hand:
    """A writer with a given steadiness, pen, ink and paper, drawing from one seeded stream."""

    def __init__(
        self,
        variation: Variation,
        ink: Rgb,
        paper: Rgb,
        slant: float,
        rng: random.Random,
        nib: Nib | None = None,
    ) -> None:
        self.variation = variation
        self.ink = ink
        self.paper = paper
        self.slant = slant
        self.rng = rng
        self.nib = nib if nib is not None else Nib.none()
        self.clock = 0.0
        self.level = 1.0
        self._size, self._slant, self._space = _Breath(rng), _Breath(rng), _Breath(rng)

    def _jitter(self, amount: float) -> float:
        return self.rng.uniform(-amount, amount) if amount else 0.0

    def snapshot(self) -> tuple[object, float, float]:
        """Where the hand is in its seeded stream, to write the same thing again from here."""
        return self.rng.getstate(), self.clock, self.level

    def restore(self, state: tuple[object, float, float]) -> None:
        """Go back to a :meth:`snapshot`."""
        rng_state, self.clock, self.level = state
        self.rng.setstate(rng_state)  # type: ignore[arg-type]  # the state is opaque

    def word(self, text: str, chain: FontChain, size: float) -> Word:
        """Write one word in the chain's fonts at about ``size`` points."""
        v = self.variation
        breath = self._size.at(self.clock)
        scale = 1.0 + v.size_jitter * (0.7 * breath + 0.3 * self.rng.uniform(-1.0, 1.0))
        lean = v.slant_jitter * (0.6 * self._slant.at(self.clock) + 0.4 * self._jitter(1.0))
        runs: list[InkRun] = []
        width = 0.0
        phase, wander = self.rng.uniform(0.0, 2.0 * math.pi), self.rng.uniform(0.5, 1.1)
        for font, part in chain.runs(text):
            glyphs = []
            for char in part:
                rise = v.letter_rise * math.sin(phase + wander * self.clock)
                spacing = self._jitter(v.letter_spacing)
                glyphs.append(Glyph(char, rise, spacing, self._warp(), self._dip()))
                self.clock += 1.0
            run_size = size * font.scale
            width += fonts.width(font, part, size) + sum(g.spacing for g in glyphs)
            runs.append(InkRun(font, run_size, tuple(glyphs)))
        return Word(
            runs=tuple(runs),
            width=width * scale,
            scale=scale,
            slant=math.tan(math.radians(self.slant + lean)),
            angle=self._jitter(v.rotation_jitter),
            offset=self._jitter(v.word_offset),
            ink=self._ink(),
            nib=self.nib,
        )

    def _warp(self) -> tuple[float, ...]:
        if not self.nib.messiness and not self.nib.pressure:
            return (0.0,) * WARPS
        uniform = self.rng.uniform
        return tuple(uniform(-1.0, 1.0) for _ in range(WARPS))

    def _dip(self) -> float:
        """The ink left for the next letter: it runs low, and the writer dips again."""
        dryness = self.nib.dryness
        if not dryness:
            return 1.0
        self.level -= dryness * self.rng.uniform(0.004, 0.014)
        if self.level < 0.35 or self.rng.random() < 0.004:
            self.level = self.rng.uniform(0.95, 1.0)
        return self.level

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
        """The gap before a word: a third of an em, breathing wider and narrower."""
        amount = self.variation.spacing_jitter
        breath = 0.6 * self._space.at(self.clock) + 0.4 * self._jitter(1.0)
        self.clock += 1.0
        return size * 0.34 * (1.0 + amount * breath)

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
