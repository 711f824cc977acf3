"""How a letter looks: handwriting, ink, paper, margins and how unsteady the hand is.

Styles are plain frozen values so a caller can derive its own with
``dataclasses.replace(STYLES["classic"], ink=INKS["sepia"])`` and a stored letter can
name the style it was written in.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from reportlab.lib.pagesizes import A4

from os1.errors import LetterError
from os1.letters.fonts import (
    DANCING_SCRIPT,
    DANCING_SCRIPT_BOLD,
    DKG_HANDWRITING,
    FALLBACKS,
    RUFSCRIPT,
    FontFile,
)
from os1.store.letters import ClientHand

Rgb = tuple[float, float, float]

INKS: Mapping[str, Rgb] = MappingProxyType(
    {
        "blue-black": (0.10, 0.14, 0.30),
        "black": (0.09, 0.09, 0.10),
        "sepia": (0.38, 0.23, 0.12),
        "blue": (0.09, 0.23, 0.60),
    }
)


@dataclass(frozen=True)
class Paper:
    """A sheet: its colour, and whether it is ruled or shows fibres."""

    name: str
    colour: Rgb = (1.0, 1.0, 1.0)
    ruled: bool = False
    rule_colour: Rgb = (0.66, 0.77, 0.88)
    textured: bool = False


PAPERS: Mapping[str, Paper] = MappingProxyType(
    {
        "plain": Paper("plain"),
        "lined": Paper("lined", colour=(0.995, 0.995, 0.985), ruled=True),
        "cream": Paper("cream", colour=(0.985, 0.955, 0.885)),
        "textured": Paper("textured", colour=(0.965, 0.935, 0.865), textured=True),
    }
)


@dataclass(frozen=True)
class Margins:
    """Blank space around the writing, in points."""

    top: float = 78.0
    right: float = 66.0
    bottom: float = 70.0
    left: float = 74.0


@dataclass(frozen=True)
class Variation:
    """How unsteady the hand is; lengths in points, angles in degrees, the rest fractions.

    Every amount is a maximum: each word, letter and line draws its own value from the
    seed, so a repeated word never looks stamped and a page never looks typeset.
    """

    baseline_drift: float = 1.2
    line_tilt: float = 0.5
    word_offset: float = 0.12
    size_jitter: float = 0.04
    slant_jitter: float = 3.0
    rotation_jitter: float = 0.35
    letter_rise: float = 0.25
    letter_spacing: float = 0.12
    spacing_jitter: float = 0.3
    margin_waver: float = 3.0
    ink_jitter: float = 0.14

    @classmethod
    def none(cls) -> Variation:
        """A perfectly steady hand: type, not handwriting (for typeset parts and baselines)."""
        return cls(**{name: 0.0 for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Nib:
    """How the pen lays ink: the shape of each letter and the weight of each stroke.

    ``messiness`` (0 to 1) is how far each letter's outline is bent from the font's,
    differently every time it is written; ``pressure`` (0 to 1) how much a stroke
    swells and thins along its length; ``weight`` thickens (or, below 0, thins) every
    stroke, in ems; ``roundness`` (0 to 1) narrows or widens the letters; ``joins``
    draws the connecting strokes a print hand makes between letters of a word;
    ``dryness`` (0 to 1) how fast the pen runs dry between dips.
    """

    messiness: float = 0.5
    pressure: float = 0.5
    weight: float = 0.0
    roundness: float = 0.5
    joins: bool = False
    dryness: float = 0.5

    @classmethod
    def none(cls) -> Nib:
        """Type: the font's own outlines, unbent, in even ink."""
        return cls(messiness=0.0, pressure=0.0, dryness=0.0)


@dataclass(frozen=True)
class Style:
    """Everything that decides how a letter looks, apart from the seed."""

    name: str
    font: FontFile
    signature_font: FontFile
    ink: Rgb
    paper: Paper
    font_size: float = 17.0
    line_height: float = 1.55
    signature_size: float = 30.0
    slant: float = 0.0
    margins: Margins = field(default_factory=Margins)
    page_size: tuple[float, float] = A4
    variation: Variation = field(default_factory=Variation)
    nib: Nib = field(default_factory=Nib)
    fallbacks: tuple[FontFile, ...] = FALLBACKS

    @property
    def line_pitch(self) -> float:
        """The distance between baselines (and between the rules of lined paper)."""
        return self.font_size * self.line_height


STYLES: Mapping[str, Style] = MappingProxyType(
    {
        "classic": Style(
            name="classic",
            font=DANCING_SCRIPT,
            signature_font=DANCING_SCRIPT_BOLD,
            ink=INKS["blue-black"],
            paper=PAPERS["cream"],
            font_size=18.0,
            variation=Variation(letter_spacing=0.03, letter_rise=0.15),
            nib=Nib(messiness=0.55, pressure=0.6),
        ),
        "casual": Style(
            name="casual",
            font=DKG_HANDWRITING,
            signature_font=DKG_HANDWRITING,
            ink=INKS["blue"],
            paper=PAPERS["lined"],
            font_size=15.0,
            line_height=1.75,
            slant=4.0,
            variation=Variation(
                baseline_drift=0.7, line_tilt=0.2, margin_waver=4.0, ink_jitter=0.05
            ),
            nib=Nib(messiness=0.6, pressure=0.5, weight=0.004, joins=True, dryness=0.2),
        ),
        "elegant": Style(
            name="elegant",
            font=DANCING_SCRIPT,
            signature_font=DANCING_SCRIPT_BOLD,
            ink=INKS["sepia"],
            paper=PAPERS["textured"],
            font_size=17.0,
            line_height=1.65,
            signature_size=34.0,
            margins=Margins(top=90.0, right=78.0, bottom=80.0, left=90.0),
            variation=Variation(
                letter_spacing=0.03, letter_rise=0.15, size_jitter=0.03, slant_jitter=2.0
            ),
            nib=Nib(messiness=0.4, pressure=0.9, dryness=0.35),
        ),
        "neat": Style(
            name="neat",
            font=RUFSCRIPT,
            signature_font=RUFSCRIPT,
            ink=INKS["black"],
            paper=PAPERS["plain"],
            font_size=14.0,
            line_height=1.7,
            variation=Variation(
                baseline_drift=0.6,
                line_tilt=0.2,
                size_jitter=0.02,
                slant_jitter=1.2,
                rotation_jitter=0.4,
                margin_waver=1.5,
                ink_jitter=0.08,
            ),
            nib=Nib(messiness=0.45, pressure=0.35, weight=-0.012, joins=True, dryness=0.3),
        ),
    }
)


def own_style(hand: ClientHand) -> Style:
    """A client's own hand: a base style given their slant, size, roundness, pressure and mess.

    Messiness scales every unsteadiness of the base style (from 0.4 times to 1.6 times)
    as well as how far each letter is bent, so a tidy writer's page is tidy throughout.
    """
    base = get_style(hand.base)
    unsteady = 0.4 + 1.2 * hand.messiness
    variation = Variation(
        **{
            name: getattr(base.variation, name) * unsteady
            for name in Variation.__dataclass_fields__
        }
    )
    return dataclasses.replace(
        base,
        name="own",
        slant=hand.slant,
        font_size=base.font_size * hand.size,
        signature_size=base.signature_size * hand.size,
        variation=variation,
        nib=dataclasses.replace(
            base.nib,
            messiness=hand.messiness,
            pressure=hand.pressure,
            roundness=hand.roundness,
        ),
    )


def get_style(style: Style | str) -> Style:
    """The style itself, or the named one; an unknown name's error lists the known ones."""
    if isinstance(style, Style):
        return style
    try:
        return STYLES[style]
    except KeyError:
        names = ", ".join(sorted(STYLES))
        raise LetterError(
            f"There is no letter style called {style!r}.", f"Choose one of: {names}."
        ) from None
