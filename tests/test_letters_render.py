from __future__ import annotations

import dataclasses
import datetime as dt
import random
import re
import subprocess
import time
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from os1.errors import FontMissing, LetterError
from os1.letters import (
    STYLES,
    BookEntry,
    FontFile,
    LetterDocument,
    Style,
    Variation,
    render_book,
    render_letter,
)

LETTER = LetterDocument(
    date_line="Los Angeles, 14 February 2025",
    salutation="Dear Catherine,",
    body=(
        "I have been thinking about how I blamed you for so much, everything I needed "
        "you to be or needed you to say. I am sorry for that.",
        "I will always love you because we grew up together and you helped make me who "
        "I am. I just wanted you to know there will be a piece of you in me always.",
    ),
    closing="Love,",
    signature="Theodore",
    sender_address=("Theodore Twombly", "1200 Wilshire Blvd", "Los Angeles, CA 90017"),
    recipient_address=("Catherine Klausen", "45 Alder Street", "Pasadena, CA 91101"),
)


def pdftotext(pdf: Path, page: int | None = None, *, layout: bool = False) -> str:
    command = ["pdftotext", "-enc", "UTF-8"]
    if page is not None:
        command += ["-f", str(page), "-l", str(page)]
    if layout:
        command.append("-layout")
    return subprocess.run(
        [*command, str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def page_sizes(pdf: Path) -> list[tuple[float, float]]:
    out = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "999", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    return [
        (float(w), float(h))
        for w, h in re.findall(r"Page +\d+ size: +([\d.]+) x ([\d.]+) pts", out)
    ]


def word_boxes(pdf: Path, page: int = 1) -> list[tuple[str, float, float, float, float]]:
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pattern = r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    return [
        (text, float(x0), float(y0), float(x1), float(y1))
        for x0, y0, x1, y1, text in re.findall(pattern, html)
    ]


def words_of(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def test_one_page_letter_has_its_words_and_no_page_number(tmp_path: Path) -> None:
    result = render_letter(LETTER, "classic", 1, tmp_path / "letter.pdf")

    assert result.pages == 1
    assert result.paths == (tmp_path / "letter.pdf",)
    assert len(page_sizes(result.path)) == 1
    text = pdftotext(result.path)
    for word in words_of(" ".join((LETTER.salutation, *LETTER.body, LETTER.signature))):
        assert word in words_of(text)
    assert not re.search(r"\u2013 ?\d+ ?\u2013", text)
    assert result.warnings == ()


@pytest.mark.parametrize("style", sorted(STYLES))
def test_every_style_renders_the_letter_readably(tmp_path: Path, style: str) -> None:
    result = render_letter(LETTER, style, 3, tmp_path / f"{style}.pdf")

    assert result.pages == 1
    text = words_of(pdftotext(result.path))
    assert {"Catherine", "piece", "always", "Theodore"} <= set(text)


def test_long_letter_flows_over_pages_numbered_from_the_second(tmp_path: Path) -> None:
    long = LETTER.model_copy(update={"body": LETTER.body * 110})

    started = time.perf_counter()
    result = render_letter(long, "elegant", 5, tmp_path / "long.pdf")
    elapsed = time.perf_counter() - started

    assert result.pages >= 28
    assert len(page_sizes(result.path)) == result.pages
    assert elapsed < 60, "a long letter renders in about a second a page, on a busy machine"
    first = pdftotext(result.path, 1, layout=True).strip().splitlines()[0]
    assert "February" in first
    for page in (2, 3, result.pages):
        top = pdftotext(result.path, page, layout=True).strip().splitlines()[0]
        assert re.fullmatch(rf"\u2013 ?{page} ?\u2013", top.strip()), top
    assert "Theodore" in pdftotext(result.path, result.pages)


def test_words_do_not_sit_on_one_ruler_line(tmp_path: Path) -> None:
    steady = dataclasses.replace(STYLES["neat"], name="steady", variation=Variation.none())
    unsteady = STYLES["neat"]

    def first_line_bottoms(style: Style) -> list[float]:
        result = render_letter(LETTER, style, 1, tmp_path / f"{style.name}.pdf")
        boxes = word_boxes(result.path)
        start = next(i for i, box in enumerate(boxes) if box[0] == "have")
        return [box[4] for box in boxes[start : start + 6]]

    steady_line = first_line_bottoms(steady)
    unsteady_line = first_line_bottoms(unsteady)

    assert max(steady_line) - min(steady_line) < 0.01
    assert max(unsteady_line) - min(unsteady_line) > 0.3


def test_a_repeated_word_is_written_differently_each_time(tmp_path: Path) -> None:
    doc = LetterDocument(body=("love " * 40,))
    result = render_letter(doc, "classic", 2, tmp_path / "love.pdf")

    boxes = [box for box in word_boxes(result.path) if box[0] == "love"]
    widths = {round(box[3] - box[1], 1) for box in boxes}
    heights = {round(box[4] - box[2], 1) for box in boxes}
    assert len(boxes) == 40
    assert len(widths) > 10
    assert len(heights) > 5


def test_same_seed_same_bytes_other_seed_other_page(tmp_path: Path) -> None:
    one = render_letter(LETTER, "casual", 11, tmp_path / "a.png", fmt="png", dpi=40)
    again = render_letter(LETTER, "casual", 11, tmp_path / "b.png", fmt="png", dpi=40)
    other = render_letter(LETTER, "casual", 12, tmp_path / "c.png", fmt="png", dpi=40)
    pdf_one = render_letter(LETTER, "casual", 11, tmp_path / "a.pdf")
    pdf_again = render_letter(LETTER, "casual", 11, tmp_path / "b.pdf")

    assert one.paths == (tmp_path / "a.png",)
    assert pdf_one.path.read_bytes() == pdf_again.path.read_bytes()
    assert one.path.read_bytes() == again.path.read_bytes()
    with Image.open(one.path) as a, Image.open(other.path) as c:
        assert a.size == c.size
        assert ImageChops.difference(a.convert("L"), c.convert("L")).getbbox() is not None


def test_png_pages_show_ink_on_paper(tmp_path: Path) -> None:
    long = LETTER.model_copy(update={"body": LETTER.body * 6})
    result = render_letter(long, "classic", 1, tmp_path / "pages.png", fmt="png", dpi=40)

    assert result.pages == 2
    assert result.paths == (tmp_path / "pages-page-1.png", tmp_path / "pages-page-2.png")
    assert all(path.is_file() for path in result.paths)
    with Image.open(result.paths[0]) as page:
        grey = page.convert("L")
        paper = grey.getpixel((2, 2))
        darkest, _ = grey.getextrema()
        assert isinstance(paper, int)
        assert paper > 220
        assert darkest < 120


def test_characters_a_handwriting_font_lacks_fall_back_to_fonts_that_have_them(
    tmp_path: Path,
) -> None:
    doc = LetterDocument(body=("Café naïve Ελλάδα Москва 你好世界 ❤ ☀ 🙂 Zoë",))
    result = render_letter(doc, "neat", 1, tmp_path / "world.pdf")

    assert result.warnings == ()
    fonts = subprocess.run(
        ["pdffonts", str(result.path)], capture_output=True, text=True, check=True
    ).stdout
    for name in ("Rufscript", "DejaVuSans", "WenQuanYi", "Symbola"):
        assert name in fonts
    text = pdftotext(result.path)
    for word in ("Café", "Ελλάδα", "Москва", "你好世界", "❤☀"):
        assert word in text.replace(" ", "")
    assert "\ufffd" not in text
    emoji = render_letter(LetterDocument(body=("🙂",)), "classic", 1, tmp_path / "emoji.pdf")
    assert emoji.warnings == ()
    assert "Symbola_hint.ttf" in emoji.fonts


def test_a_character_no_font_has_is_shown_as_a_placeholder_and_reported(
    tmp_path: Path,
) -> None:
    doc = LetterDocument(body=("a private sign \U0010fffd here",))
    result = render_letter(doc, "classic", 1, tmp_path / "odd.pdf")

    assert len(result.warnings) == 1
    assert "U+10FFFD" in result.warnings[0]
    assert "\ufffd" in pdftotext(result.path)


def test_unknown_style_names_the_styles_there_are(tmp_path: Path) -> None:
    with pytest.raises(LetterError) as raised:
        render_letter(LETTER, "gothic", 1, tmp_path / "x.pdf")

    message = str(raised.value)
    assert "gothic" in message
    for name in STYLES:
        assert name in message
    assert not (tmp_path / "x.pdf").exists()


def test_missing_font_names_the_package_and_the_install_command(tmp_path: Path) -> None:
    missing = FontFile(Path("/nonexistent/fonts/Quill.ttf"), "fonts-quill")
    style = dataclasses.replace(STYLES["classic"], name="quill", font=missing)

    with pytest.raises(FontMissing) as raised:
        render_letter(LETTER, style, 1, tmp_path / "x.pdf")

    message = str(raised.value)
    assert "/nonexistent/fonts/Quill.ttf" in message
    assert "fonts-quill" in message
    assert "scripts/system-deps.sh" in message


def test_envelope_page_is_envelope_sized_and_addressed(tmp_path: Path) -> None:
    result = render_letter(LETTER, "elegant", 1, tmp_path / "with-envelope.pdf", envelope=True)

    sizes = page_sizes(result.path)
    assert result.pages == 2
    assert sizes[0] == pytest.approx((595.28, 841.89), abs=0.1)
    assert sizes[1] == pytest.approx((623.62, 311.81), abs=0.1)
    boxes = word_boxes(result.path, 2)
    recipient = next(box for box in boxes if box[0] == "Pasadena,")
    sender = next(box for box in boxes if box[0] == "Wilshire")
    width, height = sizes[1]
    assert width * 0.25 < recipient[1] < width * 0.6
    assert height * 0.35 < recipient[2] < height * 0.8
    assert sender[1] < width * 0.3
    assert sender[2] < height * 0.3


def test_book_has_title_contents_and_letters_in_order_on_numbered_pages(tmp_path: Path) -> None:
    long = LETTER.model_copy(update={"body": LETTER.body * 6})
    entries = [
        BookEntry(LETTER, dt.date(2021, 3, 1), "The first spring"),
        BookEntry(long, dt.date(2022, 7, 9), "A long summer"),
        BookEntry(LETTER, None, "Undated"),
    ]
    result = render_book("Letters to Catherine", entries, "classic", 4, tmp_path / "book.pdf")

    assert "Letters to Catherine" in pdftotext(result.path, 1)
    assert "2021 \u2013 2022" in pdftotext(result.path, 1)
    contents = pdftotext(result.path, 2, layout=True)
    assert "Contents" in contents
    starts = {
        heading: int(re.findall(rf"{heading}[ .]*(\d+)", contents)[0])
        for heading in ("The first spring", "A long summer", "Undated")
    }
    assert starts["The first spring"] == 3
    assert starts["The first spring"] < starts["A long summer"] < starts["Undated"]
    assert starts["Undated"] - starts["A long summer"] >= 2
    for heading, page in starts.items():
        text = pdftotext(result.path, page)
        assert heading in text
        assert "Dear" in text
    assert "9 July 2022" in pdftotext(result.path, starts["A long summer"])
    assert result.pages == len(page_sizes(result.path)) == starts["Undated"]
    for page in range(2, result.pages + 1):
        bottom = pdftotext(result.path, page, layout=True).strip().splitlines()[-1]
        assert bottom.strip() == str(page)
    assert page_sizes(result.path)[0] == pytest.approx((419.53, 595.28), abs=0.1)


def test_public_names_are_importable() -> None:
    import os1.letters

    for name in os1.letters.__all__:
        assert getattr(os1.letters, name) is not None


# -- a pen, not a font ----------------------------------------------------------------------


def _fonts(pdf: Path) -> list[list[str]]:
    listed = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
    return [line.split() for line in listed.stdout.splitlines()[2:] if line.strip()]


def test_every_font_in_every_pdf_is_embedded_and_none_is_helvetica(tmp_path: Path) -> None:
    world = LETTER.model_copy(update={"body": (*LETTER.body, "Café Ελλάδα Москва 你好 ❤")})
    pdfs = [
        render_letter(world, style, 1, tmp_path / f"{style}.pdf", envelope=True).path
        for style in STYLES
    ]
    book = [BookEntry(LETTER, dt.date(2024, 5, 1), "Spring")]
    pdfs.append(render_book("Letters", book, "casual", 1, tmp_path / "book.pdf").path)

    for pdf in pdfs:
        rows = _fonts(pdf)
        assert rows, f"{pdf.name}: the invisible text layer names its fonts"
        for row in rows:
            name, emb = row[0], row[-5]
            assert emb == "yes", f"{pdf.name}: {name} is not embedded"
            assert "Helvetica" not in name


def test_png_pages_are_300_dpi_and_named_for_what_they_hold(tmp_path: Path) -> None:
    long = LETTER.model_copy(update={"body": LETTER.body * 6})
    result = render_letter(long, "neat", 1, tmp_path / "env.png", fmt="png", envelope=True)

    assert result.paths == (
        tmp_path / "env-page-1.png",
        tmp_path / "env-page-2.png",
        tmp_path / "env-envelope.png",
    )
    with Image.open(result.paths[0]) as page:
        assert page.size == pytest.approx((2480, 3508), abs=2)
        assert page.info["dpi"] == pytest.approx((300, 300), abs=0.5)
    with Image.open(result.paths[2]) as envelope:
        assert envelope.size == pytest.approx((2598, 1299), abs=2)  # 220 x 110 mm
    one = render_letter(LETTER, "neat", 1, tmp_path / "one.png", fmt="png")
    assert one.paths == (tmp_path / "one.png",)


def test_no_two_instances_of_a_letter_have_the_same_shape(tmp_path: Path) -> None:
    from os1.letters.fonts import FontChain
    from os1.letters.handwriting import Hand, PlacedWord
    from os1.letters.pen import strokes
    from os1.letters.style import Nib

    def shapes(style: Style) -> list[object]:
        hand = Hand(
            style.variation, style.ink, style.paper.colour, style.slant, random.Random(3), style.nib
        )
        chain = FontChain(style.font)
        out = []
        for _ in range(6):
            for stroke in strokes(PlacedWord(hand.word("aaa", chain, 18.0), 0.0, 0.0)):
                points = stroke.page - stroke.page.mean(axis=0)
                out.append(points.round(3).tobytes())
        return out

    for name in STYLES:
        written = shapes(STYLES[name])
        assert len(set(written)) == len(written), f"{name}: an 'a' was stamped twice"
    typeset = dataclasses.replace(
        STYLES["classic"], variation=Variation.none(), nib=Nib.none(), slant=0.0
    )
    assert len(set(shapes(typeset))) == 1, "a font's own 'a' is always the same"
    page = render_letter(LetterDocument(body=("a " * 30,)), "classic", 5, tmp_path / "a.pdf")
    assert pdftotext(page.path).count("a") == 30, "the page is still searchable text"


def test_writing_sits_on_the_rules_of_lined_paper(tmp_path: Path) -> None:
    from os1.letters.desk import Desk
    from os1.letters.layout import lay_out_letter

    style = STYLES["casual"]
    desk = Desk(tmp_path / "x.pdf", style, 9)
    frame = desk.frame()
    pages = lay_out_letter(
        LETTER, desk.writer(frame), desk.chain, desk.signature_chain, 15.0, style.signature_size
    )
    rules = frame.baselines
    offsets = [min(abs(placed.y - rule) for rule in rules) for placed in pages[0]]
    assert max(offsets) < 15.0 * 0.15, "no word floats off its rule (a hand drifts a little)"
    assert sum(offsets) / len(offsets) < 1.0, "the writing sits on the rules"


def test_an_envelope_without_an_address_is_rendered_with_a_warning(tmp_path: Path) -> None:
    bare = LETTER.model_copy(update={"recipient_address": ("Catherine",)})
    result = render_letter(bare, "classic", 1, tmp_path / "bare.pdf", envelope=True)

    assert result.pages == 2
    assert any("no postal address on file for Catherine" in w for w in result.warnings)
    addressed = render_letter(LETTER, "classic", 1, tmp_path / "full.pdf", envelope=True)
    assert addressed.warnings == ()


def _rule_rows(png: Path, colour: tuple[int, int, int]) -> list[int]:
    """The pixel rows a rule of this colour crosses from one side nearly to the other."""
    with Image.open(png) as image:
        rgb = image.convert("RGB")
        width, height = rgb.size
        rows = []
        for y in range(height):
            hits = sum(
                1
                for x in range(0, width, 4)
                if all(abs(a - b) < 40 for a, b in zip(rgb.getpixel((x, y)), colour, strict=True))
            )
            if hits > 0.6 * width / 4:
                rows.append(y)
    return rows


def test_a_book_has_one_date_a_heading_off_the_rules_and_no_lonely_closing(
    tmp_path: Path,
) -> None:
    day = dt.date(2022, 7, 9)
    entries = [
        BookEntry(LETTER.model_copy(update={"body": LETTER.body * n}), day, f"To Catherine {n}")
        for n in range(1, 9)
    ]
    result = render_book("Letters", entries, "casual", 2, tmp_path / "book.pdf")

    contents = pdftotext(result.path, 2, layout=True)
    starts = [int(re.findall(rf"To Catherine {n}[ .]*(\d+)", contents)[0]) for n in range(1, 9)]
    for number, start in enumerate(starts, start=1):
        first = pdftotext(result.path, start)
        assert first.count("9 July 2022") == 1, "the heading's date, not the letter's again"
        assert "Los Angeles" not in first
        end = starts[number] - 1 if number < len(starts) else result.pages
        last = pdftotext(result.path, end, layout=True).splitlines()
        body = [line for line in last if line.strip() not in {"", "Love,", "Theodore", str(end)}]
        assert len(body) >= 2, f"letter {number} ends on a page with its closing alone"
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", "-f", "3", "-l", "3", "-singlefile", str(result.path),
         str(tmp_path / "first")],
        check=True,
    )  # fmt: skip
    rules = _rule_rows(tmp_path / "first.png", (168, 196, 224))
    heading = next(w for w in word_boxes(result.path, 3) if w[0] == "Catherine")
    assert rules, "lined paper has its rules"
    assert min(rules) / 40 * 72 > heading[4] + 10, "no rule runs through the heading or date"
