"""The envelope a letter goes in: sender at the top left, recipient in the middle.

A DL envelope (220 by 110 mm) takes an A4 sheet folded in three, so it is the envelope
of every style; the address is written in the letter's hand, on the letter's paper.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from os1.letters.desk import Desk
from os1.letters.document import LetterDocument
from os1.letters.handwriting import PlacedWord
from os1.letters.layout import Frame, line_width, set_line, words_of
from os1.letters.style import Margins

ENVELOPE_SIZE = (220 * mm, 110 * mm)


def write_envelope(desk: Desk, doc: LetterDocument) -> None:
    """Add an envelope page addressed from and to the letter's addresses."""
    width, height = ENVELOPE_SIZE
    style = desk.style
    size = style.font_size
    pitch = style.line_pitch
    hand, chain = desk.hand, desk.chain
    words: list[PlacedWord] = []
    small = size * 0.72
    y = height - 18 * mm
    for text in doc.sender_address:
        words += set_line(hand, words_of(hand, text, chain, small), 16 * mm, y)
        y -= small * style.line_height
    lines = [words_of(hand, text, chain, size) for text in doc.recipient_address]
    widest = max((line_width(line) for line in lines), default=0.0)
    x = max(width * 0.38, (width - widest) / 2)
    y = height * 0.52 - (len(lines) - 1) * pitch / 2 + pitch * 0.5
    for index, line in enumerate(lines):
        words += set_line(hand, line, x + hand.margin(index), y)
        y -= pitch
    frame = Frame(width, height, Margins(0, 0, 0, 0), pitch)
    desk.page(frame, words, ruled=False, marks=_stamp_box)


def _stamp_box(canvas: Canvas) -> None:
    """A faint dashed square where the stamp goes."""
    width, height = ENVELOPE_SIZE
    canvas.saveState()
    canvas.setStrokeColorRGB(0.6, 0.58, 0.55)
    canvas.setLineWidth(0.5)
    canvas.setDash(2, 2)
    canvas.rect(width - 36 * mm, height - 38 * mm, 24 * mm, 28 * mm, stroke=1, fill=0)
    canvas.restoreState()
