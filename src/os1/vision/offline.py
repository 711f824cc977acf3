"""The ``offline`` vision backend: what this machine can see with no model configured.

Text (RapidOCR), QR codes and barcodes, the main colours, faces and people
(OpenCV), all in memory and in a worker thread; the image never leaves the
machine. It cannot recognise objects or describe a scene, and says so in
:attr:`Observation.cannot`, so os1 can say it plainly.
"""

from __future__ import annotations

import asyncio
import time

from os1.config import Paths, Settings
from os1.vision import scene
from os1.vision.base import Observation
from os1.vision.ocr import Reader, check_language
from os1.vision.picture import Picture

CANNOT = (
    "I can't recognise objects or describe the scene without a vision model; "
    "you can add one in settings (`vision`)."
)


class OfflineVision:
    """Reads text and codes, names colours, counts faces and people; nothing leaves the machine."""

    name = "offline"
    sends_to = ""

    def __init__(self, language: str = "en", threads: int = 0) -> None:
        self.language = check_language(language)
        self.reader = Reader(threads)

    async def look(self, picture: Picture, question: str = "") -> Observation:
        """Everything the offline parts find; ``question`` is for the conversation to answer."""
        return await asyncio.to_thread(self.see, picture)

    def see(self, picture: Picture) -> Observation:
        """The same look, in the calling thread (benchmarks, and ``look`` in a worker)."""
        timings: dict[str, float] = {}
        started = time.perf_counter()
        texts = self.reader.read(picture)
        timings["text_ms"] = _ms(started)
        mark = time.perf_counter()
        codes = scene.codes(picture)
        colours = scene.colours(picture)
        timings["codes_colours_ms"] = _ms(mark)
        mark = time.perf_counter()
        faces = scene.faces(picture)
        scale = picture.scale
        over_text = [
            scene.Box(
                int(min(x for x, _ in t.box) * scale),
                int(min(y for _, y in t.box) * scale),
                int((max(x for x, _ in t.box) - min(x for x, _ in t.box)) * scale),
                int((max(y for _, y in t.box) - min(y for _, y in t.box)) * scale),
            )
            for t in texts
        ]
        bodies = scene.people(picture, over_text)
        timings["faces_people_ms"] = _ms(mark)
        timings["total_ms"] = _ms(started)
        return Observation(
            backend=self.name,
            texts=texts,
            codes=codes,
            colours=colours,
            faces=len(faces),
            people=max(len(faces), len(bodies)),
            cannot=(CANNOT,),
            notes=picture.notes,
            size=(picture.width, picture.height),
            timings_ms=timings,
        )


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000


def create(settings: Settings, paths: Paths, rest: str) -> OfflineVision:
    """The entry point: ``offline`` or ``offline:LANG`` (``en``, ``ch``)."""
    return OfflineVision(rest, settings.threads)
