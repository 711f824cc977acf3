"""Where the words of a letter go: lines, paragraphs, pages, the usual places of its parts.

Writing happens on line slots a fixed pitch apart, so text on lined paper sits on the
rules; a line never starts a page with a blank, and the closing and the signature are
kept together on one page the way a writer would turn the sheet before signing.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from dataclasses import dataclass
from typing import Any

from os1.letters import fonts
from os1.letters.document import LetterDocument
from os1.letters.fonts import FontChain
from os1.letters.handwriting import Hand, PlacedWord, Word
from os1.letters.style import Margins


@dataclass(frozen=True)
class Frame:
    """A page's size, its writable area and the baselines of its line slots."""

    width: float
    height: float
    margins: Margins
    pitch: float

    @property
    def left(self) -> float:
        """Where lines start."""
        return self.margins.left

    @property
    def right(self) -> float:
        """Where lines must end."""
        return self.width - self.margins.right

    @property
    def baselines(self) -> tuple[float, ...]:
        """Baselines from the top of the writable area down, as many as fit."""
        top = self.height - self.margins.top
        count = int((top - self.margins.bottom) // self.pitch) + 1
        return tuple(top - i * self.pitch for i in range(count))


@dataclass(frozen=True)
class Token:
    """A piece of text written as one word; ``joined`` when no space comes before it."""

    text: str
    joined: bool


def tokens(paragraph: str) -> list[Token]:
    """Words split on white space; Chinese, Japanese and Korean characters one by one.

    Those scripts put no spaces between words, and a line may break between any two.
    """
    out: list[Token] = []
    for chunk in paragraph.split():
        piece = ""
        first = True
        for char in chunk:
            if unicodedata.east_asian_width(char) in ("W", "F"):
                if piece:
                    out.append(Token(piece, joined=not first))
                    first = False
                out.append(Token(char, joined=not first))
                first = False
                piece = ""
            else:
                piece += char
        if piece:
            out.append(Token(piece, joined=not first))
    return out


class Writer:
    """Places lines of words on line slots, turning to a new page when one is full.

    ``breaks`` are line numbers (counted from 0 over the whole flow) that start a new
    page even if they would fit, so a closing never stands alone on its last sheet.
    """

    def __init__(
        self, frame: Frame, hand: Hand, start_slot: int = 0, breaks: frozenset[int] = frozenset()
    ) -> None:
        self.frame = frame
        self.hand = hand
        self.baselines = frame.baselines
        self.pages: list[list[PlacedWord]] = [[]]
        self.start_slot = start_slot
        self.slot = start_slot
        self.lines = 0
        self.breaks = breaks
        self.page_of_line: list[int] = []

    def again(self, breaks: frozenset[int]) -> Writer:
        """A fresh writer over the same page, to lay the same flow out with other breaks."""
        return Writer(self.frame, self.hand, self.start_slot, breaks)

    def ensure(self, slots: int) -> None:
        """Turn the page unless ``slots`` more lines fit on this one."""
        if self.slot + slots > len(self.baselines) and self.slot > 0:
            self.pages.append([])
            self.slot = 0

    def skip(self, slots: int = 1) -> None:
        """Leave blank lines, except at the top of a page."""
        if self.slot > 0:
            self.slot += slots

    def line(self, words: list[tuple[Word, float]], x: float) -> None:
        """Write (word, gap before it) pairs from ``x`` on the next free line."""
        if self.lines in self.breaks and self.slot > 0:
            self.pages.append([])
            self.slot = 0
        self.ensure(1)
        self.page_of_line.append(len(self.pages) - 1)
        self.pages[-1].extend(set_line(self.hand, words, x, self.baselines[self.slot]))
        self.slot += 1
        self.lines += 1

    def paragraph(
        self, text: str, chain: FontChain, size: float, *, x: float, indent: float = 0.0
    ) -> None:
        """Write text from ``x`` (the first line indented), wrapping at the right margin."""
        line: list[tuple[Word, float]] = []
        used = 0.0
        start = x + indent + self.hand.margin(self.lines)
        for token in self._fitting(tokens(text), chain, size, self.frame.right - x - indent):
            word = self.hand.word(token.text, chain, size)
            gap = self.hand.space(size) if line and not token.joined else 0.0
            if line and start + used + gap + word.width > self.frame.right:
                self.line(line, start)
                line, used = [], 0.0
                gap = 0.0
                start = x + self.hand.margin(self.lines)
            line.append((word, gap))
            used += gap + word.width
        if line:
            self.line(line, start)

    def right_aligned(self, text: str, chain: FontChain, size: float) -> None:
        """Write one line ending at the right margin, as a date line is."""
        line = words_of(self.hand, text, chain, size)
        self.line(line, max(self.frame.left, self.frame.right - line_width(line)))

    @staticmethod
    def _fitting(parts: list[Token], chain: FontChain, size: float, room: float) -> list[Token]:
        """Tokens with any word too long for a whole line cut into pieces that fit."""
        out: list[Token] = []
        for token in parts:
            if _measure(token.text, chain, size) <= room * 0.95:
                out.append(token)
                continue
            piece, joined = "", token.joined
            for char in token.text:
                if piece and _measure(piece + char, chain, size) > room * 0.9:
                    out.append(Token(piece, joined))
                    piece, joined = "", True
                piece += char
            if piece:
                out.append(Token(piece, joined))
        return out


def words_of(hand: Hand, text: str, chain: FontChain, size: float) -> list[tuple[Word, float]]:
    """A short text written as (word, gap before it) pairs, for a line of its own."""
    line: list[tuple[Word, float]] = []
    for token in tokens(text):
        gap = hand.space(size) if line and not token.joined else 0.0
        line.append((hand.word(token.text, chain, size), gap))
    return line


def line_width(line: list[tuple[Word, float]]) -> float:
    """How wide a line of (word, gap) pairs is written."""
    return sum(word.width + gap for word, gap in line)


def set_line(hand: Hand, words: list[tuple[Word, float]], x: float, y: float) -> list[PlacedWord]:
    """Words placed along a new baseline of the hand's, starting at (x, y)."""
    along = hand.baseline()
    cursor = x
    placed: list[PlacedWord] = []
    for word, gap in words:
        cursor += gap
        dy, angle = along(cursor - x)
        turned = dataclasses.replace(word, angle=word.angle + angle)
        placed.append(PlacedWord(turned, cursor, y + dy + word.offset))
        cursor += word.width
    return placed


def wrapped(
    hand: Hand, text: str, chain: FontChain, size: float, room: float
) -> list[list[tuple[Word, float]]]:
    """A short text (a title, a heading) written as lines no wider than ``room``."""
    lines: list[list[tuple[Word, float]]] = [[]]
    for word, gap in words_of(hand, text, chain, size):
        if lines[-1] and line_width(lines[-1]) + gap + word.width > room:
            lines.append([(word, 0.0)])
        else:
            lines[-1].append((word, gap if lines[-1] else 0.0))
    return lines


def _measure(text: str, chain: FontChain, size: float) -> float:
    return sum(fonts.width(font, part, size) for font, part in chain.runs(text))


def lay_out_letter(
    doc: LetterDocument,
    writer: Writer,
    chain: FontChain,
    signature_chain: FontChain,
    size: float,
    signature_size: float,
) -> list[list[PlacedWord]]:
    """The words of each page of a letter: date, salutation, body, closing, signature.

    When the closing would start a sheet with fewer than two lines of the body above
    it, the last two lines are carried over with it, as a writer would: the flow is laid
    out again from the same point of the hand's seeded stream, with the page turned two
    lines earlier.
    """
    hands = (chain, signature_chain, size, signature_size)
    state = writer.hand.snapshot()
    body_end = _lay_out(doc, writer, *hands)
    pages = writer.page_of_line
    carried = body_end - 2
    alone = 2 <= body_end < len(pages) and pages[carried] < pages[body_end]
    if alone and carried > 0 and pages[carried - 1] == pages[carried]:
        writer.hand.restore(state)
        writer = writer.again(frozenset({carried}))
        _lay_out(doc, writer, *hands)
    return writer.pages


def _lay_out(doc: LetterDocument, writer: Writer, *hands: Any) -> int:
    """Write the letter's parts on ``writer``; the number of the closing's first line."""
    chain, signature_chain, size, signature_size = hands
    frame = writer.frame
    if doc.date_line.strip():
        writer.right_aligned(doc.date_line, chain, size)
        writer.skip()
    if doc.salutation.strip():
        writer.paragraph(doc.salutation, chain, size, x=frame.left)
    for paragraph in doc.body:
        if paragraph.strip():
            writer.paragraph(paragraph, chain, size, x=frame.left, indent=size * 2.0)
    closing, signature = doc.closing.strip(), doc.signature.strip()
    body_end = writer.lines
    if closing or signature:
        writer.skip()
        writer.ensure((1 if closing else 0) + (2 if signature else 0))
        x = frame.left + (frame.right - frame.left) * 0.5
        if closing:
            writer.paragraph(closing, chain, size, x=x)
        if signature:
            writer.skip()
            writer.paragraph(signature, signature_chain, signature_size, x=x + size)
    return body_end
