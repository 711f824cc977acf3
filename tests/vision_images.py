"""Images made for the vision tests: printed and handwritten text, a QR code, colours."""

from __future__ import annotations

import io

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

SANS = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
HAND = "/usr/share/fonts/truetype/fifthhorseman/dkg.ttf"


def text_image(lines: list[str], font: str = SANS, size: int = 48, fmt: str = "PNG") -> bytes:
    """Dark lines of text on a light page, as a photo of a sign or a menu would hold."""
    face = ImageFont.truetype(font, size)
    image = Image.new("RGB", (1400, 140 + len(lines) * size * 2), (246, 242, 232))
    draw = ImageDraw.Draw(image)
    for row, line in enumerate(lines):
        draw.text((60, 70 + row * size * 2), line, font=face, fill=(25, 25, 30))
    return encoded(image, fmt)


def qr_image(payload: str) -> bytes:
    """A QR code on a red and blue poster."""
    code = cv2.QRCodeEncoder.create().encode(payload)
    code = cv2.resize(code, None, fx=10, fy=10, interpolation=cv2.INTER_NEAREST)
    image = Image.new("RGB", (900, 700), (200, 30, 30))
    ImageDraw.Draw(image).rectangle((0, 450, 900, 700), fill=(30, 60, 200))
    side = code.shape[0]
    image.paste(Image.fromarray(np.asarray(code)).convert("RGB"), (450 - side // 2, 60))
    return encoded(image, "PNG")


def encoded(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()
