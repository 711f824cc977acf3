"""An image as os1 reads it: checked, decoded once, in memory, never written unless kept.

Images come from people and cameras, so anything can arrive: nothing at all,
half a file, a 50-megapixel panorama, an animation, a CMYK scan, an iPhone's
HEIC. :func:`read_picture` either returns a :class:`Picture` (RGB pixels
turned the way the camera was held, and notes about what was changed) or
raises one :class:`~os1.errors.ImageError` that names the problem and the fix.
The size is checked from the header before any pixel is decoded, so a
decompression bomb costs nothing.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageOps, UnidentifiedImageError

from os1.errors import ImageError
from os1.files import read_at_most

MAX_BYTES = 25_000_000
"""Largest image file read: a phone's photo is 2-12 MB."""
MAX_PIXELS = 40_000_000
"""Largest image decoded (a 48 MP phone sensor's pictures are scaled down first)."""
WORKING_SIDE = 2560
"""Longest side kept in memory for reading: enough for small print, cheap to hold."""
SENT_SIDE = 1536
"""Longest side of the copy sent to a vision model (it never reads more)."""

_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"avif")


@dataclass(frozen=True)
class Picture:
    """One image: RGB pixels at most ``WORKING_SIDE`` on a side, and what was done to read it."""

    pixels: NDArray[np.uint8]
    """Height by width by 3, RGB."""
    width: int
    """Of the image as it came, after turning it upright."""
    height: int
    format: str
    notes: tuple[str, ...] = ()

    @property
    def scale(self) -> float:
        """Pixels of ``pixels`` per pixel of the original image."""
        return float(self.pixels.shape[1] / self.width)

    def bgr(self) -> NDArray[np.uint8]:
        """The pixels in OpenCV's channel order."""
        return np.ascontiguousarray(self.pixels[:, :, ::-1])

    def jpeg(self, side: int = SENT_SIDE, quality: int = 88) -> bytes:
        """A JPEG copy at most ``side`` pixels long: no metadata (no place, no camera), no alpha."""
        image = Image.fromarray(self.pixels)
        image.thumbnail((side, side), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        image.save(out, "JPEG", quality=quality)
        return out.getvalue()

    def png(self) -> bytes:
        """The pixels as a PNG file, for keeping (metadata dropped)."""
        out = io.BytesIO()
        Image.fromarray(self.pixels).save(out, "PNG", optimize=False)
        return out.getvalue()


def read_picture_file(path: Path) -> Picture:
    """The image in a file, or an ``ImageError`` naming the file and what to do."""
    try:
        with path.open("rb") as handle:
            data = read_at_most(handle, MAX_BYTES + 1)
    except FileNotFoundError:
        raise ImageError(f"There is no file {path}.", "Check the path and try again.") from None
    except IsADirectoryError:
        raise ImageError(f"{path} is a folder.", "Give the path of an image file.") from None
    except PermissionError:
        raise ImageError(f"{path} cannot be read (permission denied).", "") from None
    except OSError as exc:
        raise ImageError(f"{path} cannot be read ({exc.strerror or exc}).", "") from None
    return read_picture(data, str(path))


def read_picture(data: bytes, name: str = "the image") -> Picture:
    """Decode ``data`` as an image, refusing what cannot or should not be read."""
    if not data:
        raise ImageError(f"{name} is empty (0 bytes).", "Send a photo or an image file.")
    if len(data) > MAX_BYTES:
        raise ImageError(
            f"{name} is larger than {MAX_BYTES // 1_000_000} MB.",
            "Send a smaller copy (a phone's photo is usually 2-12 MB).",
        )
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        raise ImageError(
            f"{name} is a HEIC/HEIF/AVIF image, which os1 cannot open.",
            "Save or share it as JPEG or PNG (on an iPhone: Settings > Camera > Formats > "
            "Most Compatible).",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        raise _too_many_pixels(name, "far") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise ImageError(
            f"{name} is not an image os1 can read (or it is damaged).",
            "Send a JPEG, PNG, WebP, GIF, BMP or TIFF file.",
        ) from None
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise _too_many_pixels(name, f"{width} x {height} pixels ({width * height / 1e6:.0f} MP),")
    notes: list[str] = []
    frames = int(getattr(image, "n_frames", 1))
    if frames > 1:
        notes.append(f"It is an animation of {frames} frames; I looked at the first.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # damaged metadata: the pixels are what matter
            image.seek(0)
            image.load()
            upright = ImageOps.exif_transpose(image) or image
            rgb = _rgb(upright)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ImageError(
            f"{name} is damaged or cut short ({exc}).",
            "Send the image again; if it was copied, copy it whole.",
        ) from None
    if image.mode == "CMYK":
        notes.append("It is a CMYK (print) image; its colours were converted for the screen.")
    full = rgb.size
    rgb.thumbnail((WORKING_SIDE, WORKING_SIDE), Image.Resampling.LANCZOS)
    return Picture(
        pixels=np.asarray(rgb, dtype=np.uint8),
        width=full[0],
        height=full[1],
        format=(image.format or "unknown").upper(),
        notes=tuple(notes),
    )


def _too_many_pixels(name: str, size: str) -> ImageError:
    return ImageError(
        f"{name} is {size} more than the {MAX_PIXELS // 1_000_000} megapixels os1 reads.",
        "Scale it down (4000 pixels on the long side is plenty) and send it again.",
    )


def _rgb(image: Image.Image) -> Image.Image:
    """Any mode as RGB; transparency is laid on white, as a page would show it."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        ground = Image.new("RGB", rgba.size, (255, 255, 255))
        ground.paste(rgba, mask=rgba.getchannel("A"))
        return ground
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        wide = np.asarray(image, dtype=np.float64)
        top = float(wide.max()) or 1.0
        return Image.fromarray((wide / top * 255).astype(np.uint8)).convert("RGB")
    return image.convert("RGB")
