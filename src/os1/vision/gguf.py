"""The ``gguf`` vision backend: a multimodal GGUF and its projector, run in this process.

llama.cpp (through ``xllamacpp``) takes ``image_url`` parts once it is given
the model's ``mmproj`` file, so a vision-language model the person downloaded
themselves (SmolVLM, Qwen2-VL, LLaVA, moondream: none ships complete in a
package os1 can install) sees the picture on this machine; nothing is sent
anywhere. The model loads on the first look, in a worker thread, and stays
loaded; one look runs at a time.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any

from os1.config import Paths, Settings
from os1.errors import ConfigError, ModelError, VisionUnavailable
from os1.vision.base import Observation
from os1.vision.chat import answer_of, request
from os1.vision.picture import Picture

log = logging.getLogger(__name__)

GGUF_MAGIC = b"GGUF"
CONTEXT_TOKENS = 4096
"""Room for the picture's tokens (a few hundred to a thousand), the question and the answer."""


class GGUFVision:
    """A vision-language GGUF with its projector, in llama.cpp in this process."""

    name = "gguf"
    sends_to = ""

    def __init__(self, model: Path, mmproj: Path | None, threads: int = 0) -> None:
        self.model = model
        self.mmproj = mmproj
        self.threads = threads
        self._server: Any = None
        self._lock = asyncio.Lock()

    def _load(self) -> Any:
        for path, what in ((self.model, "vision model"), (self.mmproj, "projector (mmproj)")):
            if path is None:
                continue
            try:
                with path.open("rb") as handle:
                    magic = handle.read(4)
            except OSError as exc:
                raise ModelError(
                    f"The {what} {path} cannot be read ({exc.strerror or exc}).",
                    "Check the `vision` and `vision_mmproj` settings.",
                ) from None
            if magic != GGUF_MAGIC:
                raise ModelError(
                    f"The {what} {path} is not a GGUF file (it may be partial).",
                    "Download it again, or point the setting at the right file.",
                )
        import xllamacpp

        params = xllamacpp.CommonParams()
        params.model.path = str(self.model)
        if self.mmproj is not None:
            params.mmproj.path = str(self.mmproj)
        params.n_ctx = CONTEXT_TOKENS
        params.n_parallel = 1
        if self.threads:
            params.cpuparams.n_threads = self.threads
            params.cpuparams_batch.n_threads = self.threads
        params.warmup = False
        params.fit_params = False
        params.verbosity = -1
        started = time.perf_counter()
        try:
            server = xllamacpp.Server(params)
        except Exception as exc:
            raise ModelError(
                f"llama.cpp could not load the vision model {self.model} ({exc}).",
                "Check that the model and its mmproj belong together and are whole.",
            ) from None
        log.info("vision model %s loaded in %.1f s", self.model, time.perf_counter() - started)
        return server

    async def look(self, picture: Picture, question: str = "") -> Observation:
        """The model's description of the picture and its answer to ``question``."""
        started = time.perf_counter()
        async with self._lock:
            if self._server is None:
                self._server = await asyncio.to_thread(self._load)
            body = request(picture, question)
            try:
                reply = await asyncio.to_thread(self._server.handle_chat_completions, body)
            except RuntimeError as exc:
                raise VisionUnavailable(
                    f"The vision model {self.model.name} refused the image ({exc}).",
                    "Set `vision_mmproj` to the projector made for this model.",
                ) from None
        if isinstance(reply, dict) and reply.get("error"):
            raise VisionUnavailable(f"The vision model {self.model.name} failed: {reply['error']}.")
        return Observation(
            backend=self.name,
            caption=answer_of(reply, f"The vision model {self.model.name}"),
            notes=picture.notes,
            size=(picture.width, picture.height),
            timings_ms={"total_ms": (time.perf_counter() - started) * 1000},
        )


def create(settings: Settings, paths: Paths, rest: str) -> GGUFVision:
    """The entry point: ``gguf:MODEL.gguf``, with ``vision_mmproj`` naming its projector."""
    model, mmproj = rest.strip(), settings.vision_mmproj.strip()
    if not model or not mmproj:
        raise ConfigError(
            "The `gguf` vision backend needs the model file and its projector.",
            'Set `vision = "gguf:/path/model.gguf"` and `vision_mmproj = "/path/mmproj.gguf"`.',
        )
    return GGUFVision(Path(model).expanduser(), Path(mmproj).expanduser(), settings.threads)
