"""Letters: personal letters rendered as handwritten-looking pages, envelopes and books."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from os1.letters.book import render_book
    from os1.letters.desk import RenderResult
    from os1.letters.document import BookEntry, LetterDocument
    from os1.letters.fonts import FALLBACKS, FontFile
    from os1.letters.render import render_letter
    from os1.letters.style import (
        INKS,
        PAPERS,
        STYLES,
        Margins,
        Paper,
        Style,
        Variation,
        get_style,
    )

_HOMES = {
    "render_book": "book",
    "RenderResult": "desk",
    "BookEntry": "document",
    "LetterDocument": "document",
    "FALLBACKS": "fonts",
    "FontFile": "fonts",
    "render_letter": "render",
    **dict.fromkeys(
        ["INKS", "PAPERS", "STYLES", "Margins", "Paper", "Style", "Variation", "get_style"],
        "style",
    ),
}


def __getattr__(name: str) -> Any:
    """Load the PDF machinery only when a name is used, so commands that never render start fast."""
    if name not in _HOMES:
        raise AttributeError(f"module 'os1.letters' has no attribute {name!r}")
    return getattr(importlib.import_module(f"os1.letters.{_HOMES[name]}"), name)


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
