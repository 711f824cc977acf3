"""os1 look and the offline backend: real OCR, codes, colours, and every kind of bad image."""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

import pytest
from PIL import Image, ImageFilter
from tests.conftest import run_os1
from tests.vision_images import HAND, encoded, qr_image, text_image

from os1.errors import ConfigError, ImageError
from os1.vision import read_picture
from os1.vision.offline import OfflineVision


@pytest.fixture(scope="module")
def eyes() -> OfflineVision:
    return OfflineVision()


def test_os1_look_reads_a_menu_and_says_what_it_cannot_see(tmp_path: Path) -> None:
    photo = tmp_path / "menu.jpg"
    photo.write_bytes(text_image(["Tonkotsu ramen 14.50", "Gyoza six pieces 7.00"], fmt="JPEG"))
    shown = run_os1("look", str(photo))
    assert shown.code == 0, shown.stderr
    assert "Tonkotsu ramen 14.50" in shown.stdout
    assert "Gyoza six pieces 7.00" in shown.stdout
    assert "can't recognise objects" in shown.stdout
    assert "sent" not in shown.stdout + shown.stderr  # nothing left the machine
    data = json.loads(run_os1("look", str(photo), "--json").stdout)
    assert data["backend"] == "offline"
    assert data["sent_to"] == ""
    [first, _] = data["texts"]
    assert first["text"] == "Tonkotsu ramen 14.50"
    assert len(first["box"]) == 4
    assert first["confidence"] > 0.8
    assert data["size"] == [1400, 332]


def test_handwriting_font_rotation_and_blur_are_read(eyes: OfflineVision) -> None:
    page = Image.open(io.BytesIO(text_image(["Meet me at the lake house"], font=HAND, size=60)))
    turned = page.rotate(7, expand=True, fillcolor=(246, 242, 232))

    blurred = turned.filter(ImageFilter.GaussianBlur(1.5))
    seen = eyes.see(read_picture(encoded(blurred, "JPEG", quality=40)))
    assert "meet me at the lake house" in seen.text.lower()


def test_a_qr_code_is_decoded_and_the_main_colours_named(eyes: OfflineVision) -> None:
    seen = eyes.see(read_picture(qr_image("https://example.org/menu?table=4")))
    assert seen.codes == ("https://example.org/menu?table=4",)
    assert seen.colours[:2] == ("red", "blue")
    assert seen.faces == 0
    assert seen.people == 0


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "is empty (0 bytes)"),
        (b"this is a text file, not a photo", "not an image os1 can read"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64, "HEIC"),
    ],
    ids=["zero-byte", "not-an-image", "heic"],
)
def test_unreadable_images_are_refused_with_the_fix(data: bytes, says: str) -> None:
    with pytest.raises(ImageError) as refused:
        read_picture(data, "photo")
    assert says in str(refused.value)
    assert refused.value.fix


def test_a_truncated_image_is_damaged_not_a_crash() -> None:
    whole = text_image(["cut short"])
    with pytest.raises(ImageError, match="damaged or cut short"):
        read_picture(whole[: len(whole) // 3])


def test_a_50_megapixel_image_is_refused_before_it_is_decoded(tmp_path: Path) -> None:
    huge = tmp_path / "huge.png"
    Image.new("1", (8000, 6250)).save(huge)  # 50 MP, a few kB as a file
    refused = run_os1("look", str(huge))
    assert refused.code == 1
    assert "8000 x 6250 pixels (50 MP), more than the 40 megapixels" in refused.stderr
    assert "Scale it down" in refused.stderr


def test_animations_and_cmyk_are_read_and_the_change_is_said(eyes: OfflineVision) -> None:
    frames = [
        Image.open(io.BytesIO(text_image([word]))).convert("P")
        for word in ("First frame", "Second frame")
    ]
    gif = encoded(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=200)
    seen = eyes.see(read_picture(gif))
    assert "First frame" in seen.text
    assert "Second" not in seen.text
    assert "animation of 2 frames" in seen.notes[0]
    cmyk = Image.open(io.BytesIO(text_image(["Printed in CMYK"]))).convert("CMYK")
    seen = eyes.see(read_picture(encoded(cmyk, "JPEG")))
    assert "Printed in CMYK" in seen.text
    assert "CMYK" in seen.notes[0]


def test_a_language_whose_model_would_be_downloaded_is_refused() -> None:
    with pytest.raises(ConfigError, match="would have to be downloaded"):
        OfflineVision("ja")


def test_an_unknown_backend_names_the_installed_ones(tmp_path: Path) -> None:
    photo = tmp_path / "a.png"
    photo.write_bytes(text_image(["hello"]))
    refused = run_os1("look", str(photo), env={"OS1_VISION": "telescope"})
    assert refused.code == 1
    assert "No vision backend called 'telescope'" in refused.stderr
    assert "offline" in refused.stderr
    assert "openai" in refused.stderr


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "GIF", "WEBP", "TIFF", "BMP"])
def test_damaged_bytes_in_any_format_give_an_image_error_or_a_picture(fmt: str) -> None:
    whole = bytearray(text_image(["damage"], size=20, fmt=fmt))
    rng = random.Random(fmt)
    fixes: list[str] = []
    for _ in range(60):
        damaged = bytearray(whole)
        for _ in range(rng.randint(1, 12)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        cut = damaged[: rng.randint(1, len(damaged))] if rng.random() < 0.3 else damaged
        try:
            picture = read_picture(bytes(cut))
        except ImageError as refused:
            fixes.append(refused.fix)
        else:
            assert picture.pixels.ndim == 3
    assert all(fixes)
