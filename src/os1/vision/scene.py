"""Simple facts about a picture that OpenCV can tell without a model file of its own.

QR codes and barcodes (OpenCV's detectors), the main colours (each pixel
named by its hue, saturation and brightness), frontal faces (the Haar
cascade that ships inside ``opencv-python-headless``) and people standing
upright (OpenCV's built-in HOG people detector, whose weights are compiled
into the library). Nothing here downloads anything, and none of it needs
more than OpenCV and NumPy: a face model with better recall (YuNet, a DNN)
would have to come from elsewhere, and torch-based detectors weigh gigabytes.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from os1.vision.picture import Picture

DETECT_SIDE = 960
"""Longest side faces and people are looked for at: the detectors' sweet spot, and quick."""
MIN_SHARE = 0.08
"""A colour counts as a main colour from this share of the picture."""
PEOPLE_SIDE = 640
"""Longest side people are looked for at (HOG costs the most); a person is 128 pixels tall."""
PEOPLE_WEIGHT = 1.0
"""The HOG detector's score a person must reach: below it, letters and railings pass as people."""

_local = threading.local()


@dataclass(frozen=True)
class Box:
    """A rectangle in the picture's working pixels."""

    x: int
    y: int
    w: int
    h: int

    def overlaps(self, other: Box) -> bool:
        """Whether the two rectangles share any pixel."""
        return not (
            self.x + self.w <= other.x
            or other.x + other.w <= self.x
            or self.y + self.h <= other.y
            or other.y + other.h <= self.y
        )


def codes(picture: Picture) -> tuple[str, ...]:
    """The text of every QR code and barcode OpenCV can decode, each once, in order found."""
    image = picture.bgr()
    found: list[str] = []
    qr = cv2.QRCodeDetector()
    for attempt in (image, _smaller(image, DETECT_SIDE)):
        ok, decoded, _, _ = qr.detectAndDecodeMulti(attempt)
        if ok:
            found += [text for text in decoded if text]
        if found:
            break
    barcodes = cv2.barcode.BarcodeDetector()
    ok, decoded, _, _ = barcodes.detectAndDecodeMulti(image)
    if ok:
        found += [text for text in decoded if text]
    return tuple(dict.fromkeys(found))


def colours(picture: Picture) -> tuple[str, ...]:
    """The colours covering at least ``MIN_SHARE`` of the picture, the largest first."""
    small = cv2.resize(picture.bgr(), (96, 96), interpolation=cv2.INTER_AREA)
    hsv = cv2.cvtColor(small, cv2.COLOR_BGR2HSV).reshape(-1, 3).astype(np.int32)
    names = _names(hsv[:, 0], hsv[:, 1], hsv[:, 2])
    labels, counts = np.unique(names, return_counts=True)
    order = np.argsort(-counts)
    share = counts / counts.sum()
    return tuple(str(labels[i]) for i in order if share[i] >= MIN_SHARE)[:4]


def _names(
    hue: NDArray[np.int32], sat: NDArray[np.int32], val: NDArray[np.int32]
) -> NDArray[np.str_]:
    """A colour word per pixel (OpenCV's HSV: hue 0-179, saturation and value 0-255)."""
    conditions = [
        val < 45,
        (sat < 40) & (val > 200),
        sat < 40,
        (hue < 25) & (val < 150) & (sat >= 40),
        (hue < 8) | (hue >= 170),
        hue < 20,
        hue < 34,
        hue < 80,
        hue < 96,
        hue < 131,
        hue < 150,
    ]
    words = ["black", "white", "grey", "brown", "red", "orange", "yellow", "green", "teal"]
    words += ["blue", "purple"]
    return np.select(conditions, words, default="pink")


def faces(picture: Picture) -> list[Box]:
    """Frontal faces large enough to be someone in the picture (not a face on a poster far off)."""
    gray, scale = _gray(picture)
    short = min(gray.shape)
    found = _cascade().detectMultiScale(
        gray, scaleFactor=1.1, minNeighbors=6, minSize=(max(24, short // 25),) * 2
    )
    return [_scaled(x, y, w, h, scale) for (x, y, w, h) in found]


def people(picture: Picture, not_in: list[Box]) -> list[Box]:
    """People standing upright, leaving out anything over text (letters fool the detector)."""
    image = _smaller(picture.bgr(), PEOPLE_SIDE)
    scale = image.shape[1] / picture.pixels.shape[1]
    boxes, weights = _hog().detectMultiScale(image, winStride=(8, 8), padding=(8, 8), scale=1.1)
    kept = [
        _scaled(x, y, w, h, scale)
        for (x, y, w, h), weight in zip(boxes, np.ravel(weights), strict=True)
        if weight >= PEOPLE_WEIGHT
    ]
    return [box for box in _merged(kept) if not any(box.overlaps(t) for t in not_in)]


def _merged(boxes: list[Box]) -> list[Box]:
    """One box per person: overlapping detections of one body are kept once."""
    kept: list[Box] = []
    for box in sorted(boxes, key=lambda b: -b.w * b.h):
        if not any(box.overlaps(k) for k in kept):
            kept.append(box)
    return kept


def _scaled(x: int, y: int, w: int, h: int, scale: float) -> Box:
    return Box(int(x / scale), int(y / scale), int(w / scale), int(h / scale))


def _gray(picture: Picture) -> tuple[NDArray[np.uint8], float]:
    image = _smaller(picture.bgr(), DETECT_SIDE)
    gray = np.asarray(cv2.equalizeHist(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)), dtype=np.uint8)
    return gray, image.shape[1] / picture.pixels.shape[1]


def _smaller(image: NDArray[np.uint8], side: int) -> NDArray[np.uint8]:
    height, width = image.shape[:2]
    if max(height, width) <= side:
        return image
    factor = side / max(height, width)
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    return np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)


def _cascade() -> cv2.CascadeClassifier:
    """The face cascade of this thread (OpenCV classifiers are not safe to share across threads)."""
    cascade: cv2.CascadeClassifier | None = getattr(_local, "cascade", None)
    if cascade is None:
        path = cv2.data.haarcascades + "haarcascade_frontalface_default.xml"  # type: ignore[attr-defined]
        cascade = _local.cascade = cv2.CascadeClassifier(path)
    return cascade


def _hog() -> cv2.HOGDescriptor:
    hog: cv2.HOGDescriptor | None = getattr(_local, "hog", None)
    if hog is None:
        hog = _local.hog = cv2.HOGDescriptor()
        hog.setSVMDetector(np.asarray(cv2.HOGDescriptor.getDefaultPeopleDetector(), np.float32))
    return hog
