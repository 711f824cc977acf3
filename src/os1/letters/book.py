"""A book of letters: title page, contents with page numbers, then each letter in turn.

Books are A5, the size of a bound keepsake, with the style scaled down to match. The
letters are laid out before anything is drawn, so the contents can give the page each
letter starts on. The book's own parts (contents, headings, dates, page numbers) are
typeset in DejaVu Serif, so the handwriting stays the letters' own.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import random
from collections.abc import Sequence
from pathlib import Path

from reportlab.lib.pagesizes import A5
from reportlab.pdfgen.canvas import Canvas

from os1.letters.desk import Desk, RenderResult
from os1.letters.document import LetterDocument
from os1.letters.fonts import DEJAVU_SERIF, FontChain
from os1.letters.handwriting import Hand, PlacedWord
from os1.letters.layout import (
    Frame,
    lay_out_letter,
    line_width,
    set_line,
    words_of,
    wrapped,
)
from os1.letters.style import Margins, Style, Variation, get_style

HEADING_SLOTS = 4
"""Line slots at the top of a letter's first page: a heading of up to two lines, the
date, a blank line; the rules of lined paper begin below them."""

EN_DASH = "\u2013"
_TYPE_INK = (0.2, 0.2, 0.22)
_ENTRY_PITCH = 30.0


def book_style(style: Style) -> Style:
    """The style scaled from a letter sheet down to an A5 book page."""
    m = style.margins
    return dataclasses.replace(
        style,
        page_size=A5,
        font_size=style.font_size * 0.8,
        signature_size=style.signature_size * 0.8,
        margins=Margins(m.top * 0.7, m.right * 0.7, m.bottom * 0.8, m.left * 0.7),
    )


def render_book(
    title: str,
    letters: Sequence[tuple[LetterDocument, dt.date | None, str]],
    style: Style | str,
    seed: int,
    path: Path | str,
) -> RenderResult:
    """Write a print-ready PDF book of ``(letter, date, heading)`` entries, in order.

    Page 1 is the title page, the contents follow, and each letter starts on a new page
    under its heading and date; every page after the title carries its number.
    """
    desk = Desk(Path(path), book_style(get_style(style)), seed, title=title)
    frame = desk.frame()
    serif = desk.new_chain(DEJAVU_SERIF)
    typeset = Hand(Variation.none(), _TYPE_INK, desk.style.paper.colour, 0.0, random.Random(0))
    laid = [
        lay_out_letter(
            doc.model_copy(update={"date_line": ""}),  # the heading carries the date
            desk.writer(frame, start_slot=HEADING_SLOTS),
            desk.chain,
            desk.signature_chain,
            desk.style.font_size,
            desk.style.signature_size,
        )
        for doc, _, _ in letters
    ]
    per_page = max(1, int((frame.height - frame.margins.top * 2.2) // _ENTRY_PITCH))
    contents_pages = max(1, math.ceil(len(letters) / per_page))
    starts: list[int] = []
    page = 2 + contents_pages
    for pages in laid:
        starts.append(page)
        page += len(pages)

    _title_page(desk, frame, typeset, serif, title, [date for _, date, _ in letters])
    entries = [
        (heading, date, start) for (_, date, heading), start in zip(letters, starts, strict=True)
    ]
    for index in range(contents_pages):
        chunk = entries[index * per_page : (index + 1) * per_page]
        _contents_page(desk, frame, typeset, serif, chunk, first=index == 0, number=2 + index)
    for (_, date, heading), pages, start in zip(letters, laid, starts, strict=True):
        for offset, words in enumerate(pages):
            extra = _page_number(typeset, serif, frame, start + offset)
            if offset == 0:
                extra += _heading(typeset, serif, frame, heading, date)
            unruled = HEADING_SLOTS if offset == 0 else 0
            desk.page(frame, [*words, *extra], unruled_top=unruled)
    return desk.finish()


def _date_text(date: dt.date | None) -> str:
    return f"{date.day} {date:%B %Y}" if date else ""


def _centred(
    hand: Hand, text: str, chain: FontChain, size: float, frame: Frame, y: float
) -> list[PlacedWord]:
    placed: list[PlacedWord] = []
    for line in wrapped(hand, text, chain, size, frame.right - frame.left):
        placed += set_line(hand, line, (frame.width - line_width(line)) / 2, y)
        y -= size * 1.3
    return placed


def _title_page(
    desk: Desk,
    frame: Frame,
    typeset: Hand,
    serif: FontChain,
    title: str,
    dates: list[dt.date | None],
) -> None:
    size = desk.style.signature_size * 1.3
    words = _centred(desk.hand, title, desk.signature_chain, size, frame, frame.height * 0.62)
    known = sorted(date for date in dates if date)
    if known:
        span = f"{known[0].year}" if known[0].year == known[-1].year else ""
        span = span or f"{known[0].year} {EN_DASH} {known[-1].year}"
        words += _centred(typeset, span, serif, 11.0, frame, frame.height * 0.62 - size * 1.6)
    desk.page(frame, words, ruled=False)


def _contents_page(
    desk: Desk,
    frame: Frame,
    hand: Hand,
    chain: FontChain,
    entries: list[tuple[str, dt.date | None, int]],
    *,
    first: bool,
    number: int,
) -> None:
    words: list[PlacedWord] = []
    y = frame.height - frame.margins.top
    if first:
        words += _centred(hand, "Contents", chain, 15.0, frame, y)
    y -= _ENTRY_PITCH * 1.2
    leaders: list[tuple[float, float, float]] = []
    for heading, date, start in entries:
        room = frame.right - frame.left - 40.0
        line = wrapped(hand, heading, chain, 10.5, room)[0]
        words += set_line(hand, line, frame.left, y)
        digits = words_of(hand, str(start), chain, 10.5)
        right = frame.right - line_width(digits)
        words += set_line(hand, digits, right, y)
        leaders.append((frame.left + line_width(line) + 4.0, right - 4.0, y))
        if date:
            words += set_line(
                hand, words_of(hand, _date_text(date), chain, 8.0), frame.left, y - 11
            )
        y -= _ENTRY_PITCH
    words += _page_number(hand, chain, frame, number)

    def dotted(canvas: Canvas) -> None:
        canvas.saveState()
        canvas.setStrokeColorRGB(0.55, 0.55, 0.55)
        canvas.setLineWidth(0.6)
        canvas.setDash(0.6, 3.4)
        for start_x, end_x, at in leaders:
            if end_x > start_x:
                canvas.line(start_x, at + 1.5, end_x, at + 1.5)
        canvas.restoreState()

    desk.page(frame, words, ruled=False, marks=dotted)


def _heading(
    hand: Hand, chain: FontChain, frame: Frame, heading: str, date: dt.date | None
) -> list[PlacedWord]:
    """The letter's heading (at most two lines) and its date, each on a slot of its own."""
    words: list[PlacedWord] = []
    slot = 0
    for line in wrapped(hand, heading, chain, 12.0, frame.right - frame.left)[:2]:
        x = (frame.width - line_width(line)) / 2
        words += set_line(hand, line, x, frame.baselines[slot])
        slot += 1
    if date:
        words += _centred(hand, _date_text(date), chain, 8.5, frame, frame.baselines[slot])
    return words


def _page_number(hand: Hand, chain: FontChain, frame: Frame, number: int) -> list[PlacedWord]:
    line = words_of(hand, str(number), chain, 9.0)
    return set_line(hand, line, (frame.width - line_width(line)) / 2, frame.margins.bottom * 0.45)
