"""``/api/voice``: speech in and out for the web app, with the same parts as ``os1 talk``.

The page records an utterance (getUserMedia and an AudioWorklet), sends it
as a WAV file to ``transcribe`` and then sends the words as an ordinary
message over the socket, so the turn streams to every device; when the reply
is committed it asks ``speak`` for the reply's audio. The recogniser and the
voice are the configured ones (``stt``, ``tts``), loaded on first use.
"""

from __future__ import annotations

import asyncio
import io
from typing import Any

import numpy as np
import soundfile
from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from os1.app import Voice, build_voice
from os1.config import Settings
from os1.errors import Os1Error
from os1.server.auth import signed_in
from os1.voice.audio import SAMPLE_RATE, Clip, resample

MAX_SECONDS = 30
"""Longest utterance read; a recording that runs on is cut here."""


class Heard(BaseModel):
    """What the recogniser heard ('' for silence or noise)."""

    text: str


class Speak(BaseModel):
    """Words to say aloud."""

    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=4000)


class VoiceParts:
    """The recogniser and voice, loaded once on first use (they take seconds and memory)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._voice: Voice | None = None
        self._lock = asyncio.Lock()

    async def get(self) -> Voice:
        """The loaded parts, or 503 saying why they cannot be loaded."""
        async with self._lock:
            if self._voice is None:
                try:
                    self._voice = await asyncio.to_thread(build_voice, self.settings)
                except Os1Error as exc:
                    raise HTTPException(
                        status.HTTP_503_SERVICE_UNAVAILABLE, f"Voice is not available: {exc}"
                    ) from None
            return self._voice


def _parts(request: Request) -> VoiceParts:
    parts: VoiceParts = request.app.state.voice
    return parts


def _decode(data: bytes) -> Clip:
    """A WAV body as 16 kHz mono, or 400 saying what to send."""
    try:
        samples, rate = soundfile.read(io.BytesIO(data), dtype="float32", always_2d=True)
    except (RuntimeError, soundfile.LibsndfileError, ValueError, TypeError):
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, "Send the recording as a WAV file (16-bit PCM)."
        ) from None
    mono = samples.mean(axis=1).astype(np.float32)[: int(rate) * MAX_SECONDS]
    return Clip(np.clip(resample(mono, int(rate), SAMPLE_RATE), -1.0, 1.0), SAMPLE_RATE)


router = APIRouter(
    prefix="/api/voice",
    dependencies=[Depends(signed_in)],
    responses={401: {"description": "Not signed in, or the sign-in expired"}},
)
AUDIO_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"audio/wav": {"schema": {"type": "string", "format": "binary"}}},
    }
}


@router.post(
    "/transcribe",
    openapi_extra=AUDIO_BODY,
    responses={
        400: {"description": "Not a WAV file"},
        503: {"description": "No recogniser could be loaded"},
    },
)
async def transcribe(request: Request) -> Heard:
    """The words in a recorded utterance (a WAV file as the body)."""
    clip = _decode(await request.body())
    voice = await _parts(request).get()
    text = await asyncio.to_thread(voice.stt.transcribe, clip.samples) if len(clip.samples) else ""
    return Heard(text=text.strip())


@router.post(
    "/speak",
    response_class=Response,
    responses={
        200: {"content": {"audio/wav": {"schema": {"type": "string", "format": "binary"}}}},
        503: {"description": "No voice could be loaded"},
    },
)
async def speak(body: Speak, request: Request) -> Response:
    """The words spoken by os1's voice, as a 16-bit WAV file."""
    voice = await _parts(request).get()
    clip = await asyncio.to_thread(voice.tts.synthesize, body.text)
    out = io.BytesIO()
    soundfile.write(
        out, np.clip(clip.samples, -1.0, 1.0), clip.rate, format="WAV", subtype="PCM_16"
    )
    return Response(out.getvalue(), media_type="audio/wav")
