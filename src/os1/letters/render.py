"""Render a letter as handwritten-looking PDF or PNG pages, with its envelope if asked.

The PDF library is reportlab (BSD licence, compatible with os1's Apache-2.0; fpdf2 is
LGPL-3.0). Its canvas gives what per-word handwriting needs: a text matrix per word (size,
slant, rotation), text rise and character spacing per letter, TrueType subsetting of any
font, PDF forms for a paper texture drawn once, and an invariant mode that makes the same
input produce the same bytes. Rendering is blocking: async callers run it in a thread.
"""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path
from typing import Literal

from os1.errors import LetterError
from os1.letters.desk import Desk, RenderResult
from os1.letters.document import LetterDocument
from os1.letters.envelope import write_envelope
from os1.letters.handwriting import PlacedWord
from os1.letters.layout import Frame, lay_out_letter, line_width, set_line, words_of
from os1.letters.raster import DPI, rasterize
from os1.letters.style import Style, get_style

Format = Literal["pdf", "png"]
EN_DASH = "\u2013"


def render_letter(
    doc: LetterDocument,
    style: Style | str,
    seed: int,
    path: Path | str,
    fmt: Format = "pdf",
    envelope: bool = False,
    *,
    dpi: int = DPI,
) -> RenderResult:
    """Write the letter to ``path``: one PDF, or PNG pages named for what they hold.

    A one-page letter as PNG is ``path`` itself; a longer one is ``stem-page-N.png``;
    the envelope is ``stem-envelope.png``, so no page writes over another. The same
    letter, style and seed always give the same file; another seed gives the same words
    in a visibly different hand. Pages after the first are numbered at the top, as a
    writer numbers the sheets of a long letter; ``envelope`` adds an envelope page
    addressed from ``doc.sender_address`` to ``doc.recipient_address``, with a warning
    when there is no address to write on it.
    """
    if fmt not in ("pdf", "png"):
        raise LetterError(f"Cannot render a letter as {fmt!r}.", "Choose 'pdf' or 'png'.")
    chosen = get_style(style)
    target = Path(path)
    if fmt == "pdf":
        return _write_pdf(doc, chosen, seed, target, envelope)
    with tempfile.TemporaryDirectory(prefix="os1-letter-") as scratch:
        result = _write_pdf(doc, chosen, seed, Path(scratch) / "letter.pdf", envelope)
        pngs = rasterize(result.path, png_names(target, result.pages, envelope), dpi)
    return RenderResult(pngs, result.pages, result.warnings, result.fonts)


def png_names(target: Path, pages: int, envelope: bool) -> list[Path]:
    """The PNG file of each page: the letter's pages, then its envelope."""
    sheets = pages - (1 if envelope else 0)
    stem = target.with_suffix("")
    names = (
        [target]
        if sheets == 1
        else [stem.parent / f"{stem.name}-page-{n}.png" for n in range(1, sheets + 1)]
    )
    if envelope:
        names.append(stem.parent / f"{stem.name}-envelope.png")
    return names


def envelope_warning(doc: LetterDocument) -> str | None:
    """Why the envelope would not reach anyone, or None when it has an address."""
    lines = [line for line in doc.recipient_address if line.strip()]
    if len(lines) > 1:
        return None
    who = lines[0] if lines else "the recipient"
    return (
        f"There is no postal address on file for {who}: the envelope would carry only "
        "a name. Add the address to their file, or leave out --envelope."
    )


def _write_pdf(
    doc: LetterDocument, style: Style, seed: int, path: Path, envelope: bool
) -> RenderResult:
    desk = Desk(path, style, seed, title=doc.salutation or "Letter")
    frame = desk.frame()
    pages = lay_out_letter(
        doc,
        desk.writer(frame),
        desk.chain,
        desk.signature_chain,
        style.font_size,
        style.signature_size,
    )
    for number, words in enumerate(pages, start=1):
        if len(pages) > 1 and number > 1:
            words = [*words, *_page_number(desk, frame, number)]
        desk.page(frame, words)
    if envelope:
        write_envelope(desk, doc)
    result = desk.finish()
    warning = envelope_warning(doc) if envelope else None
    if warning is not None:
        result = dataclasses.replace(result, warnings=(warning, *result.warnings))
    return result


def _page_number(desk: Desk, frame: Frame, number: int) -> list[PlacedWord]:
    """The page number between dashes, centred in the top margin of a continuation sheet."""
    size = desk.style.font_size * 0.85
    line = words_of(desk.hand, f"{EN_DASH} {number} {EN_DASH}", desk.chain, size)
    x = (frame.width - line_width(line)) / 2
    y = frame.height - frame.margins.top * 0.55
    return set_line(desk.hand, line, x, y)
