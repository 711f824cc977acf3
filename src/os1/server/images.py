"""``/api/images``: a photo or camera frame, sent before the message that shows it.

A socket frame is small (``max_frame_bytes``), a photo is not, so a device
posts the image here first (the body is the file, any common format) and
gets an id; its next ``message`` frame names that id in ``image``. The image
is checked and decoded on arrival (a bad one is a 400 naming what was wrong),
held in this process's memory only, for its owner only, until the message
takes it or ``HELD_S`` passes; it is written to disk only if the message
says ``keep``. Nothing is sent anywhere unless a remote ``vision`` backend
is configured.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import OrderedDict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, status
from pydantic import BaseModel

from os1.server.auth import signed_in
from os1.store.accounts import Signed
from os1.vision import Picture, read_picture

HELD_S = 600.0
"""How long an image waits for the message that shows it."""
HELD_PER_PERSON = 4
"""Images one person may have waiting; older ones are dropped first."""


class Received(BaseModel):
    """The image was read: its id for the message, its size, and how long it waits."""

    image: str
    width: int
    height: int
    expires_s: float


class Uploads:
    """Images waiting for their message, per person, in memory only."""

    def __init__(self) -> None:
        self._held: dict[int, OrderedDict[str, tuple[Picture, float]]] = {}

    def hold(self, user_id: int, picture: Picture) -> str:
        """Keep a picture for this person; the id that names it."""
        now = time.monotonic()
        mine = self._held.setdefault(user_id, OrderedDict())
        for key in [k for k, (_, at) in mine.items() if now - at > HELD_S]:
            del mine[key]
        while len(mine) >= HELD_PER_PERSON:
            mine.popitem(last=False)
        key = secrets.token_urlsafe(18)
        mine[key] = (picture, now)
        return key

    def take(self, user_id: int, key: str) -> Picture | None:
        """The person's picture by id, once; None if it is not theirs, was taken, or expired."""
        held = self._held.get(user_id, OrderedDict()).pop(key, None)
        if held is None or time.monotonic() - held[1] > HELD_S:
            return None
        return held[0]


router = APIRouter(
    prefix="/api/images",
    responses={401: {"description": "Not signed in, or the sign-in expired"}},
)
IMAGE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"image/*": {"schema": {"type": "string", "format": "binary"}}},
    }
}


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    openapi_extra=IMAGE_BODY,
    responses={
        400: {"description": "Not an image os1 can read: the detail says why"},
        413: {"description": "Larger than the server reads"},
    },
)
async def receive(request: Request, signed: Annotated[Signed, Depends(signed_in)]) -> Received:
    """Read an image (the body is the file) and hold it for the next message that names it."""
    picture = await asyncio.to_thread(read_picture, await request.body(), "The image")
    uploads: Uploads = request.app.state.uploads
    key = uploads.hold(signed.user_id, picture)
    return Received(image=key, width=picture.width, height=picture.height, expires_s=HELD_S)
