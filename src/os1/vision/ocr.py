"""Reading text in a picture with RapidOCR on onnxruntime, from the models inside its wheel.

``rapidocr`` 3.10 ships three ONNX files (PP-OCRv6 detection and recognition,
small; a direction classifier) that read Chinese and English (Latin letters).
Any other language would make it download a model at run time, which os1
never does, so other languages are refused before the reader is built, and the
shipped files are named explicitly so a missing one fails here instead of
reaching for the network. Detection sees the picture at most 960 pixels on
its long side (``limit_type="max"``): small print on a big photo is found at
that scale, and it keeps a read under a second on two cores.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import numpy as np

from os1.errors import ConfigError, ModelError
from os1.vision.base import TextFound
from os1.vision.picture import Picture

log = logging.getLogger(__name__)

LANGUAGES = ("en", "ch")
"""What the shipped models read; anything else would need a download."""
DETECT_SIDE = 960
MIN_CONFIDENCE = 0.5
_FILES = {
    "Det.model_path": "PP-OCRv6_det_small.onnx",
    "Rec.model_path": "PP-OCRv6_rec_small.onnx",
    "Cls.model_path": "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
}


def check_language(language: str) -> str:
    """The language to read, or a ``ConfigError`` for one that would need a download."""
    chosen = (language or "en").strip().lower()
    if chosen not in LANGUAGES:
        raise ConfigError(
            f"The offline reader cannot read {chosen!r}: the models that come with os1 read "
            "English and Chinese (Latin letters and Chinese characters), and any other "
            "language's model would have to be downloaded, which os1 never does.",
            "Set `vision` to `offline` (or `offline:en`), or use a vision model that knows the "
            'language (`vision = "openai:URL"`).',
        )
    return chosen


class Reader:
    """RapidOCR, built on first use and shared; one read at a time (it is not re-entrant)."""

    def __init__(self, threads: int = 0) -> None:
        self._threads = threads
        self._engine: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        import rapidocr

        root = Path(rapidocr.__file__).parent / "models"
        params: dict[str, Any] = {
            "Global.log_level": "error",
            "Det.limit_type": "max",
            "Det.limit_side_len": DETECT_SIDE,
            "EngineConfig.onnxruntime.intra_op_num_threads": self._threads or -1,
        }
        for key, name in _FILES.items():
            path = root / name
            if not path.is_file():
                raise ModelError(
                    f"The text reader's model {name} is missing from the rapidocr package.",
                    "Reinstall os1's dependencies (`scripts/install.sh`).",
                )
            params[key] = str(path)
        logging.getLogger("RapidOCR").setLevel(logging.ERROR)
        return rapidocr.RapidOCR(params=params)

    def read(self, picture: Picture) -> tuple[TextFound, ...]:
        """Every line of text found, top to bottom, with corners in the original image's pixels."""
        with self._lock:
            if self._engine is None:
                self._engine = self._load()
            result = self._engine(picture.bgr())
        if result.boxes is None or result.txts is None:
            return ()
        scale = picture.scale
        found = []
        for box, text, score in zip(result.boxes, result.txts, result.scores, strict=True):
            words = " ".join(str(text).split())
            if not words or float(score) < MIN_CONFIDENCE:
                continue
            corners = tuple((int(x / scale), int(y / scale)) for x, y in np.asarray(box).tolist())
            found.append(TextFound(words, corners, float(score)))
        return tuple(found)  # RapidOCR gives lines top to bottom, left to right
