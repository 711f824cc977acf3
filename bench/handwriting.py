"""Does the writing vary like a hand, stay readable, and render fast? Each style against its font.

Renders the same paragraph in every style and, in the same run, in each style's font
set plainly (no bending, pressure, dry pen, breathing or wavering: ``Nib.none()`` and
``Variation.none()``), and measures:

- **variation**: every instance of the letters ``a e o n t s r i`` in the paragraph,
  as the pen wrote it (the same outlines the page is drawn from), is drawn alone at
  300 dpi, aligned on its ink's bounding-box centre, and compared with every other
  instance of the same letter: the share of ink pixels that differ (1 - intersection
  over union), averaged over pairs. A font stamps identical letters, so the plain
  rendering gives 0.
- **legibility**: Debian ``tesseract`` (English) reads the 300 dpi page; word accuracy
  is the share of the paragraph's words it recovers in order. The figure is each
  style's accuracy over its plain font's, averaged over the styles.
- **time per page**: the median warm render of the one-page letter as PDF (and, for
  reference, with the 300 dpi PNG), beside the plain rendering's.

    .venv/bin/python bench/handwriting.py [--reps N] [--keep DIR]

The last line is ``glyph_variation=<0..1> legibility=<0..1> page_ms=<n>``; it takes
about a minute on 2 shared cores, most of it in tesseract.
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import itertools
import random
import re
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageChops, ImageDraw

from os1.letters import STYLES, LetterDocument, Style, Variation, render_letter
from os1.letters.fonts import FontChain
from os1.letters.handwriting import Hand, PlacedWord
from os1.letters.layout import tokens
from os1.letters.pen import Stroke, strokes
from os1.letters.style import Nib

PARAGRAPH = (
    "I have been sitting here thinking about all the things I wanted to say to you, and "
    "how I never quite found the words when you were in front of me. It is strange how a "
    "blank page makes it easier. Do you remember the summer we drove up the coast with "
    "the windows down, singing badly to the radio, stopping at every little cafe along "
    "the way? I still have the ticket from the ferry. I keep it in the book you gave me, "
    "the one with the blue cover. Whatever happens next, wherever we both end up, I want "
    "you to know that I am grateful."
)
LETTER = LetterDocument(
    salutation="Dear Catherine,",
    body=(PARAGRAPH,),
    closing="With all my love,",
    signature="Theodore",
)
LETTERS = "aeontsri"
DPI = 300
SCALE = DPI / 72.0


def plain(style: Style) -> Style:
    """The style's font set as type: the rendering every instance of a letter matches."""
    return dataclasses.replace(
        style, name=f"{style.name}-plain", variation=Variation.none(), nib=Nib.none()
    )


def instances(style: Style, seed: int) -> dict[str, list[Stroke]]:
    """Every instance of the measured letters in the paragraph, as this style's pen bends it."""
    hand = Hand(
        style.variation, style.ink, style.paper.colour, style.slant, random.Random(seed), style.nib
    )
    chain = FontChain(style.font, style.fallbacks)
    found: dict[str, list[Stroke]] = {char: [] for char in LETTERS}
    for token in tokens(PARAGRAPH):
        word = hand.word(token.text, chain, style.font_size)
        hand.space(style.font_size)
        for stroke in strokes(PlacedWord(word, 0.0, 0.0)):
            if stroke.char in found:
                found[stroke.char].append(stroke)
    return found


def _flatten(ops: tuple[str, ...], points: np.ndarray) -> list[list[tuple[float, float]]]:
    contours: list[list[tuple[float, float]]] = []
    at = 0
    for op in ops:
        if op == "m":
            contours.append([tuple(points[at])])
            at += 1
        elif op == "l":
            contours[-1].append(tuple(points[at]))
            at += 1
        elif op == "c":
            p0 = np.array(contours[-1][-1])
            p1, p2, p3 = points[at], points[at + 1], points[at + 2]
            for t in np.linspace(0.125, 1.0, 8):
                u = 1 - t
                q = u**3 * p0 + 3 * u * u * t * p1 + 3 * u * t * t * p2 + t**3 * p3
                contours[-1].append((float(q[0]), float(q[1])))
            at += 3
    return contours


def bitmap(stroke: Stroke, size: int = 160) -> Image.Image:
    """One letter alone at 300 dpi, its ink's bounding box centred (even-odd fill)."""
    pixels = stroke.page * SCALE
    low, high = pixels.min(axis=0), pixels.max(axis=0)
    shift = size / 2 - (low + high) / 2
    image = Image.new("1", (size, size), 0)
    for contour in _flatten(stroke.ops, pixels + shift):
        layer = Image.new("1", (size, size), 0)
        ImageDraw.Draw(layer).polygon([(x, size - y) for x, y in contour], fill=1)
        image = ImageChops.logical_xor(image, layer)
    return image


def difference(a: Image.Image, b: Image.Image) -> float:
    """The share of the two letters' ink that only one of them has (1 - IoU)."""
    x, y = np.asarray(a, dtype=bool), np.asarray(b, dtype=bool)
    union = np.logical_or(x, y).sum()
    return float(np.logical_xor(x, y).sum() / union) if union else 0.0


def variation(style: Style, seed: int, pairs: int = 40) -> float:
    """The mean difference between aligned instances of the same letter."""
    scores: list[float] = []
    for found in instances(style, seed).values():
        drawn = [bitmap(stroke) for stroke in found[:10]]
        for a, b in itertools.islice(itertools.combinations(drawn, 2), pairs):
            scores.append(difference(a, b))
    return statistics.fmean(scores) if scores else 0.0


def ocr_accuracy(png: Path) -> float:
    """The share of the letter's words tesseract reads back, in order."""
    read = subprocess.run(
        ["tesseract", str(png), "-", "-l", "eng"], capture_output=True, text=True, check=True
    ).stdout
    said = re.findall(r"[a-z]+", read.lower())
    wanted = re.findall(r"[a-z]+", " ".join([LETTER.salutation, PARAGRAPH]).lower())
    matcher = difflib.SequenceMatcher(a=wanted, b=said, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / len(wanted)


def timed(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


@dataclasses.dataclass(frozen=True)
class Row:
    style: str
    variation: float
    plain_variation: float
    ocr: float
    plain_ocr: float
    page_ms: float
    plain_page_ms: float
    png_ms: float


def median_ms(style: Style, reps: int, out: Path) -> float:
    """The median warm render of the one-page letter as PDF, in milliseconds."""
    render_letter(LETTER, style, 0, out / "warm.pdf")  # fonts loaded once
    seconds = []
    for seed in range(reps):
        started = time.perf_counter()
        render_letter(LETTER, style, seed, out / f"t{seed}.pdf")
        seconds.append(time.perf_counter() - started)
    return 1000 * statistics.median(seconds)


def measure(name: str, style: Style, reps: int, out: Path) -> Row:
    typeset = plain(style)
    page_ms, plain_ms = median_ms(style, reps, out), median_ms(typeset, reps, out)
    png_s = timed(lambda: render_letter(LETTER, style, 7, out / f"{name}.png", fmt="png"))
    render_letter(LETTER, typeset, 7, out / f"{name}-plain.png", fmt="png")
    return Row(
        name,
        variation(style, 7),
        variation(typeset, 7),
        ocr_accuracy(out / f"{name}.png"),
        ocr_accuracy(out / f"{name}-plain.png"),
        page_ms,
        plain_ms,
        png_s * 1000,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="keep the rendered pages in this folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="os1-bench-hand-") as scratch:
        out = args.keep or Path(scratch)
        out.mkdir(parents=True, exist_ok=True)
        rows = [measure(name, style, args.reps, out) for name, style in STYLES.items()]
    print(
        f"{'style':<9}{'variation':>10}{'plain':>7}{'ocr':>7}{'plain':>7}"
        f"{'page ms':>9}{'plain':>7}{'+png ms':>9}"
    )
    for r in rows:
        print(
            f"{r.style:<9}{r.variation:>10.3f}{r.plain_variation:>7.3f}"
            f"{r.ocr:>7.2f}{r.plain_ocr:>7.2f}{r.page_ms:>9.0f}"
            f"{r.plain_page_ms:>7.0f}{r.png_ms:>9.0f}"
        )
    glyph_variation = statistics.fmean(r.variation for r in rows)
    legibility = statistics.fmean(min(1.0, r.ocr / max(r.plain_ocr, 1e-9)) for r in rows)
    page_ms = statistics.median(r.page_ms for r in rows)
    plain_ms = statistics.median(r.plain_page_ms for r in rows)
    plain_variation = statistics.fmean(r.plain_variation for r in rows)
    print(f"plain font: glyph_variation={plain_variation:.3f} page_ms={plain_ms:.0f}")
    print(
        f"glyph_variation={glyph_variation:.3f} legibility={legibility:.3f} page_ms={page_ms:.0f}"
    )


if __name__ == "__main__":
    main()
