"""Letters: personal letters rendered as handwritten-looking pages, envelopes and books."""

from os1.letters.book import render_book
from os1.letters.desk import RenderResult
from os1.letters.document import BookEntry, LetterDocument
from os1.letters.fonts import FALLBACKS, FontFile
from os1.letters.render import render_letter
from os1.letters.style import INKS, PAPERS, STYLES, Margins, Paper, Style, Variation, get_style

__all__ = [
    "FALLBACKS",
    "INKS",
    "PAPERS",
    "STYLES",
    "BookEntry",
    "FontFile",
    "LetterDocument",
    "Margins",
    "Paper",
    "RenderResult",
    "Style",
    "Variation",
    "get_style",
    "render_book",
    "render_letter",
]
