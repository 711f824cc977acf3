"""How fast letters render: one handwritten page, and a book of 100 letters.

Each figure stands beside a baseline measured in the same run: the same text, fonts, page
size and margins drawn by reportlab as plain lines (no per-word posture, per-letter
jitter, baseline waves, paper or fallback splitting). One-page figures are medians of
warm renders (fonts already loaded); the first, cold render is printed too.

    .venv/bin/python bench/render.py [--reps N] [--sample DIR]

``--sample DIR`` also writes a sample letter in every style (PDF, and 300 dpi PNG with its
envelope), one in a client's own hand, a long letter, and a book with its first pages as
PNG to DIR, to look at. The last line is
``page_ms=… book_s=… baseline_page_ms=… baseline_book_s=…``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from os1.letters import STYLES, BookEntry, LetterDocument, Style, render_book, render_letter
from os1.letters.book import book_style
from os1.letters.fonts import load
from os1.letters.style import own_style
from os1.store.letters import ClientHand

PARAGRAPHS = (
    "I have been sitting here thinking about all the things I wanted to say to you, and "
    "how I never quite found the words when you were in front of me. It is strange how a "
    "blank page makes it easier.",
    "Do you remember the summer we drove up the coast with the windows down, singing "
    "badly to the radio, stopping at every little café along the way? I still have the "
    "ticket from the ferry. I keep it in the book you gave me, the one with the blue cover.",
    "I think about the person I was then, and the person I am becoming, and I realise how "
    "much of who I am was shaped by you. Your patience, your terrible jokes, the way you "
    "always knew when to say nothing at all.",
    "Whatever happens next, wherever we both end up, I want you to know that I am "
    "grateful. Not for everything, but for the important things, which turn out to be "
    "the small ones.",
)
LETTER = LetterDocument(
    date_line="Los Angeles, 14 February 2025",
    salutation="Dear Catherine,",
    body=PARAGRAPHS,
    closing="With all my love,",
    signature="Theodore",
    sender_address=("Theodore Twombly", "1200 Wilshire Blvd, Apt 9", "Los Angeles, CA 90017"),
    recipient_address=("Catherine Klausen", "45 Alder Street", "Pasadena, CA 91101"),
)
WORLD = LETTER.model_copy(
    update={
        "body": (
            *PARAGRAPHS[:2],
            "P.S. Grüße aus München, un café crème à Paris, Ελλάδα, Москва, 你好, "
            "こんにちは ❤ ☀ 🙂",
        )
    }
)


def book_entries(count: int) -> list[BookEntry]:
    entries = []
    for index in range(count):
        body = PARAGRAPHS[: 1 + index % 4] * (1 + index % 3)
        letter = LETTER.model_copy(update={"body": body})
        date = dt.date(2020, 1, 1) + dt.timedelta(days=11 * index)
        entries.append(BookEntry(letter, date, f"Letter {index + 1}: {date:%B %Y}"))
    return entries


def plain_pages(canvas: Canvas, style: Style, doc: LetterDocument) -> int:
    """The letter as plain text lines in the same fonts: the no-handwriting baseline."""
    width, height = style.page_size
    m = style.margins
    name = load(style.font).fontName
    size, pitch = style.font_size, style.line_pitch
    lines = [doc.date_line, doc.salutation]
    for paragraph in doc.body:
        lines += simpleSplit(paragraph, name, size, width - m.left - m.right)
    lines += [doc.closing, doc.signature]
    pages, y = 1, height - m.top
    canvas.setFont(name, size)
    for line in lines:
        if y < m.bottom:
            canvas.showPage()
            canvas.setFont(name, size)
            pages, y = pages + 1, height - m.top
        canvas.drawString(m.left, y, line)
        y -= pitch
    canvas.showPage()
    return pages


def plain_letter(path: Path, style: Style) -> int:
    canvas = Canvas(str(path), pagesize=style.page_size, invariant=True)
    pages = plain_pages(canvas, style, LETTER)
    canvas.save()
    return pages


def plain_book(path: Path, style: Style, entries: list[BookEntry]) -> int:
    canvas = Canvas(str(path), pagesize=style.page_size, invariant=True)
    name = load(style.signature_font).fontName
    canvas.setFont(name, style.signature_size)
    canvas.drawCentredString(style.page_size[0] / 2, style.page_size[1] * 0.6, "Letters")
    canvas.showPage()
    pages = 1 + sum(plain_pages(canvas, style, entry.letter) for entry in entries)
    canvas.save()
    return pages


def timed(run: object) -> float:
    assert callable(run)
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def write_samples(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in STYLES:
        render_letter(WORLD, name, 7, folder / f"letter-{name}.pdf", envelope=True)
        render_letter(LETTER, name, 7, folder / f"letter-{name}.png", fmt="png", envelope=True)
    own = ClientHand(base="casual", slant=12, size=1.1, roundness=0.8, pressure=0.8)
    render_letter(LETTER, own_style(own), 7, folder / "letter-own-hand.png", fmt="png")
    long = LETTER.model_copy(update={"body": PARAGRAPHS * 4})
    render_letter(long, "casual", 7, folder / "long-letter.pdf")
    book = render_book("Letters to Catherine", book_entries(12), "classic", 7, folder / "book.pdf")
    pages = folder / "book-page"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "100", "-l", "6", str(book.path), str(pages)], check=True
    )
    for path in sorted(folder.iterdir()):
        print(f"sample: {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=15)
    parser.add_argument("--sample", type=Path, help="also write sample letters and a book here")
    args = parser.parse_args()
    style = STYLES["classic"]

    with tempfile.TemporaryDirectory(prefix="os1-bench-render-") as scratch:
        out = Path(scratch)
        cold = timed(lambda: render_letter(LETTER, style, 0, out / "cold.pdf"))
        pages = render_letter(LETTER, style, 0, out / "one.pdf").pages
        assert pages == 1, f"the bench letter should fill one page, not {pages}"
        page = statistics.median(
            timed(lambda i=i: render_letter(LETTER, style, i, out / f"l{i}.pdf"))
            for i in range(args.reps)
        )
        base_page = statistics.median(
            timed(lambda i=i: plain_letter(out / f"p{i}.pdf", style)) for i in range(args.reps)
        )
        entries = book_entries(100)
        started = time.perf_counter()
        book = render_book("Letters", entries, style, 0, out / "book.pdf")
        book_s = time.perf_counter() - started
        started = time.perf_counter()
        base_pages = plain_book(out / "plain-book.pdf", book_style(style), entries)
        base_book_s = time.perf_counter() - started
        book_kb = (out / "book.pdf").stat().st_size / 1024
        base_kb = (out / "plain-book.pdf").stat().st_size / 1024

    print(f"{'':28}{'handwriting':>14}{'plain':>12}")
    print(f"{'one page, cold (ms)':28}{cold * 1000:14.1f}{'':>12}")
    print(f"{'one page, warm median (ms)':28}{page * 1000:14.1f}{base_page * 1000:12.1f}")
    print(f"{'100-letter book (s)':28}{book_s:14.2f}{base_book_s:12.2f}")
    print(f"{'book pages':28}{book.pages:14d}{base_pages:12d}")
    print(f"{'book pages/s':28}{book.pages / book_s:14.0f}{base_pages / base_book_s:12.0f}")
    print(f"{'book size (KiB)':28}{book_kb:14.0f}{base_kb:12.0f}")
    if args.sample:
        write_samples(args.sample)
    print(
        f"page_ms={page * 1000:.1f} book_s={book_s:.2f} "
        f"baseline_page_ms={base_page * 1000:.1f} baseline_book_s={base_book_s:.2f}"
    )


if __name__ == "__main__":
    main()
