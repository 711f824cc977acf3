"""``/ws``: the live conversation, one socket per open page or program.

The socket is authenticated like every route (the session cookie, or a
device key as ``Authorization: Bearer``), and a browser's socket must come
from this server's own pages (its ``Origin`` matches the host). Frames the
server cannot use (binary, too large, not JSON, not a known frame) are
answered with an ``error`` frame and the socket stays open; frames larger
than the transport's limit close it with 1009. A socket is closed (4401) the
moment its device is revoked or its sign-in ends on this process, and within
``recheck_s`` (30 s) when that happens elsewhere or the sign-in expires.
"""

from __future__ import annotations

import asyncio
import contextlib
from urllib.parse import urlsplit

from fastapi import WebSocket, WebSocketDisconnect
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from os1.companion.sight import Shown
from os1.errors import NotFound
from os1.server.auth import COOKIE, auth_of, digest
from os1.server.hub import SIGNED_OUT, Hub, Outbox
from os1.server.limits import Window
from os1.server.protocol import (
    CLIENT_ADAPTER,
    PROTOCOL,
    ErrorCode,
    ErrorFrame,
    Hello,
    Ping,
    Pong,
    Say,
)
from os1.store.accounts import Signed

MAX_PENDING_TURNS = 3
"""Turns one person may have running or queued before the server says it is busy."""


def same_origin(ws: WebSocket) -> bool:
    """Whether a browser opened this socket from this server's own pages (programs may not say)."""
    origin = ws.headers.get("origin")
    if origin is None:
        return True  # not a browser: programs authenticate with a device key
    return urlsplit(origin).netloc == ws.headers.get("host", "")


async def deny(ws: WebSocket, status: int, message: str) -> None:
    """Refuse a socket before accepting it, with an HTTP status where the server can send one."""
    if "websocket.http.response" in ws.scope.get("extensions", {}):
        await ws.send_denial_response(JSONResponse({"detail": message}, status_code=status))
    else:
        await ws.close(code=4000 + status, reason=message)


def _error(outbox: Outbox, code: ErrorCode, message: str) -> None:
    outbox.put(ErrorFrame(code=code, message=message).model_dump_json())


async def _send(ws: WebSocket, outbox: Outbox) -> None:
    """The one writer of this socket: frames in order until the socket or its outbox closes."""
    while True:
        getting = asyncio.ensure_future(outbox.frames.get())
        closing = asyncio.ensure_future(outbox.closed.wait())
        done, _ = await asyncio.wait({getting, closing}, return_when=asyncio.FIRST_COMPLETED)
        if getting not in done:
            getting.cancel()
            await ws.close(code=outbox.close_code, reason=outbox.close_reason)
            return
        closing.cancel()
        await ws.send_text(getting.result())


async def _watch(ws: WebSocket, outbox: Outbox, every_s: float) -> None:
    """Close the socket once its sign-in ends or expires, or its device is revoked, anywhere."""
    auth = auth_of(ws)
    while not outbox.closed.is_set():
        await asyncio.sleep(every_s)
        if await auth.who(ws.cookies.get(COOKIE), ws.headers.get("authorization")) is None:
            outbox.end(SIGNED_OUT, "signed out")


async def _message(hub: Hub, signed: Signed, say: Say, outbox: Outbox) -> None:
    if hub.pending(signed.user_id) >= MAX_PENDING_TURNS:
        _error(outbox, "busy", "Still answering your earlier messages; send this one again soon.")
        return
    mind = hub.companion.for_user(signed.name)
    try:
        conversation = (
            await mind.new_conversation()
            if say.new
            else await mind.resolve_conversation(say.conversation)
        )
    except NotFound:
        _error(outbox, "not_found", f"There is no conversation {say.conversation}.")
        return
    shown = None
    if say.image is not None:
        picture = hub.uploads.take(signed.user_id, say.image)
        if picture is None:
            _error(
                outbox, "not_found", "That image is gone (images wait 10 minutes); send it again."
            )
            return
        shown = Shown(picture, keep=say.keep)
    hub.start_turn(signed, conversation, say.text, image=shown)


async def conversation_socket(ws: WebSocket) -> None:
    """Serve one socket: hello, then the person's messages in and every event of theirs out."""
    offered = ws.scope.get("subprotocols") or []
    if offered and PROTOCOL not in offered:
        await deny(ws, 400, f"This server speaks {PROTOCOL}.")
        return
    if not same_origin(ws):
        await deny(ws, 403, "Connect from this server's own pages.")
        return
    cookie = ws.cookies.get(COOKIE)
    signed = await auth_of(ws).who(cookie, ws.headers.get("authorization"))
    if signed is None:
        await deny(ws, 401, "Sign in first (or your sign-in has expired).")
        return
    hub: Hub = ws.app.state.hub
    limit: int = ws.app.state.max_frame_bytes
    rate: Window = ws.app.state.message_rate
    await ws.accept(subprotocol=PROTOCOL if offered else None)
    outbox = hub.join(signed, digest(cookie) if cookie else None)
    latest = await hub.companion.for_user(signed.name).latest_conversation()
    outbox.put(Hello(user=signed.name, conversation=latest).model_dump_json())
    ws.app.state.scheduler.wake()
    sender = asyncio.create_task(_send(ws, outbox))
    watcher = asyncio.create_task(_watch(ws, outbox, ws.app.state.recheck_s))
    try:
        while not sender.done():
            received = await ws.receive()
            if received["type"] == "websocket.disconnect":
                break
            if received.get("bytes") is not None:
                _error(outbox, "binary", "Send JSON text frames; binary frames are not read.")
                continue
            text = received.get("text") or ""
            if len(text.encode("utf-8")) > limit:
                _error(outbox, "too_large", f"A frame may hold at most {limit:,} bytes.")
                continue
            try:
                frame = CLIENT_ADAPTER.validate_json(text)
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(p) for p in first["loc"]) or "frame"
                _error(outbox, "malformed", f"Not an {PROTOCOL} frame ({where}: {first['msg']}).")
                continue
            if isinstance(frame, Ping):
                outbox.put(Pong().model_dump_json())
            elif not await rate.allow(str(signed.user_id)):
                _error(outbox, "rate_limited", "Too many messages at once; wait a moment.")
            else:
                await _message(hub, signed, frame, outbox)
    except WebSocketDisconnect:
        pass
    finally:
        hub.leave(outbox)
        for task in (sender, watcher):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
