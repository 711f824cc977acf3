"""``/ws/talk``: hands-free conversation from the web app, on the same pipeline as ``os1 talk``.

The page streams its microphone here as it hears it (16 kHz mono, 16-bit
PCM, in binary frames) and gets the reply's speech back clause by clause as
WAV in binary frames, while the words stream to every device of the person
over ``/ws`` like any turn. Turn-taking, the reading ahead while the person
speaks, and barge-in are ``VoicePipeline``'s: when the person speaks over a
reply, the server sends ``{"type": "stop"}`` and the page drops what it has
not played, and only what was played is kept as said.

What was played is reckoned from when each clip was sent and how long it
lasts, as a speaker playing it at once would; on a local network that is
within a few tens of milliseconds of the page's own clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
from collections.abc import AsyncIterator

import anyio
import numpy as np
import soundfile
from fastapi import HTTPException, WebSocket, WebSocketDisconnect

from os1.errors import ModelError, NotFound, Os1Error
from os1.events import Event, TurnStarted
from os1.server.auth import COOKIE, auth_of
from os1.server.hub import Hub
from os1.server.socket import deny, same_origin
from os1.server.voice import VoiceParts
from os1.store.accounts import Signed
from os1.voice.audio import SAMPLE_RATE, Clip, Samples
from os1.voice.pipeline import Timeline, VoicePipeline
from os1.voice.vad import FRAME

PROTOCOL = "os1.talk.v1"
MAX_AUDIO_FRAME = 64 * 1024
"""Largest binary frame read (two seconds of audio); larger ones are refused."""
QUEUED_FRAMES = 256
"""Microphone frames held while the server is busy (about eight seconds); older ones go."""


class SocketSink(Timeline):
    """A reply's speech sent to the page as WAV clips, its playing reckoned as a speaker's."""

    def __init__(self, outbox: asyncio.Queue[bytes | str]) -> None:
        super().__init__()
        self._outbox = outbox

    def play(self, clip: Clip, text: str) -> None:
        """Send ``clip`` now; the page plays it after what it is playing."""
        super().play(clip, text)
        data = io.BytesIO()
        soundfile.write(data, clip.samples, clip.rate, format="WAV", subtype="PCM_16")
        self._outbox.put_nowait(data.getvalue())

    def stop(self) -> None:
        """Tell the page to drop what it has not played (the person spoke over it)."""
        super().stop()
        self._outbox.put_nowait(json.dumps({"type": "stop"}))


class Microphone:
    """The page's audio as the pipeline's 32 ms frames, until the socket closes."""

    def __init__(self) -> None:
        self._frames: asyncio.Queue[Samples | None] = asyncio.Queue(QUEUED_FRAMES)
        self._pending = np.zeros(0, np.float32)

    def feed(self, data: bytes) -> None:
        """Cut 16-bit samples into frames; a full queue loses its oldest frame, never blocks."""
        usable = len(data) - len(data) % 2
        samples = np.frombuffer(data[:usable], dtype="<i2").astype(np.float32) / 32768.0
        self._pending = np.concatenate([self._pending, samples])
        while len(self._pending) >= FRAME:
            frame, self._pending = self._pending[:FRAME], self._pending[FRAME:]
            if self._frames.full():
                self._frames.get_nowait()
            self._frames.put_nowait(frame)

    def close(self) -> None:
        """The page went away: a reply in progress keeps only what was played."""
        if self._frames.full():
            self._frames.get_nowait()
        self._frames.put_nowait(None)

    async def frames(self) -> AsyncIterator[Samples]:
        """Each frame as it comes; the page leaving ends them as a microphone going away does."""
        while (frame := await self._frames.get()) is not None:
            yield frame
        raise ModelError("The page stopped sending sound.", "Start talking again from the page.")


async def _send(ws: WebSocket, outbox: asyncio.Queue[bytes | str]) -> None:
    """The one writer of this socket: audio and control frames in order, until it closes."""
    with contextlib.suppress(WebSocketDisconnect, RuntimeError, anyio.ClosedResourceError):
        while True:
            frame = await outbox.get()
            if isinstance(frame, bytes):
                await ws.send_bytes(frame)
            else:
                await ws.send_text(frame)


async def _publish(
    hub: Hub, signed: Signed, conversation: int, events: asyncio.Queue[Event]
) -> None:
    """Send the pipeline's events, in order, to every device of the person (this page too)."""
    while True:
        event = await events.get()
        where = event.conversation_id if isinstance(event, TurnStarted) else None
        await hub.publish(signed.user_id, where or conversation, event)


async def talk_socket(ws: WebSocket) -> None:
    """Serve one hands-free conversation: microphone in, speech out, until the page stops."""
    offered = ws.scope.get("subprotocols") or []
    if offered and PROTOCOL not in offered:
        await deny(ws, 400, f"This endpoint speaks {PROTOCOL}.")
        return
    if not same_origin(ws):
        await deny(ws, 403, "Connect from this server's own pages.")
        return
    signed = await auth_of(ws).who(ws.cookies.get(COOKIE), ws.headers.get("authorization"))
    if signed is None:
        await deny(ws, 401, "Sign in first (or your sign-in has expired).")
        return
    parts: VoiceParts = ws.app.state.voice
    try:
        voice = await parts.get()
    except HTTPException as exc:
        await deny(ws, 503, str(exc.detail))
        return
    hub: Hub = ws.app.state.hub
    mind = hub.companion.for_user(signed.name)
    wanted = ws.query_params.get("conversation", "")
    try:
        asked = int(wanted) if wanted.isdigit() and len(wanted) <= 10 else None
        conversation = await mind.resolve_conversation(asked)
    except NotFound:
        await deny(ws, 404, f"There is no conversation {wanted}.")
        return
    await ws.accept(subprotocol=PROTOCOL if offered else None)
    outbox: asyncio.Queue[bytes | str] = asyncio.Queue()
    events: asyncio.Queue[Event] = asyncio.Queue()
    outbox.put_nowait(
        json.dumps({"type": "ready", "conversation": conversation, "rate": SAMPLE_RATE})
    )
    microphone = Microphone()
    pipeline = VoicePipeline(
        hub.session(signed, conversation),
        voice.stt,
        voice.tts,
        voice.vad,
        SocketSink(outbox),
        on_event=events.put_nowait,
        idle=False,
    )
    workers = [
        asyncio.create_task(_send(ws, outbox)),
        asyncio.create_task(_publish(hub, signed, conversation, events)),
    ]
    listening = asyncio.create_task(pipeline.run(microphone.frames()))
    try:
        while not listening.done():
            received = await ws.receive()
            if received["type"] == "websocket.disconnect":
                break
            data = received.get("bytes")
            if data is None:
                continue  # the page says nothing in text; stopping is closing the socket
            if len(data) > MAX_AUDIO_FRAME:
                outbox.put_nowait(
                    json.dumps({"type": "error", "message": "Send audio in frames under 64 KB."})
                )
                continue
            microphone.feed(data)
    finally:
        microphone.close()
        with contextlib.suppress(Os1Error):
            await asyncio.shield(listening)  # a reply in progress is kept with what was heard
        for _ in range(100):  # the last events reach the other devices
            if events.empty():
                break
            await asyncio.sleep(0.01)
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)  # the page may be gone already
