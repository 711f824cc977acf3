"""``POST /v1/chat/completions``: os1 itself behind the OpenAI chat API, for other programs.

A program that speaks the OpenAI API (an editor plugin, a shell tool, the
``openai`` library) talks with os1 as a paired device: its key is the API
key. The answer is os1's own turn, with its persona, memory, skills and
care, in the person's latest conversation (so it shows on their other
devices too); os1 keeps its own history, so only the last ``user`` message
of the request is read, and an ``image_url`` part in it (a data URL: os1
fetches nothing) is a photo shown with it. ``stream: true`` sends the reply as server-sent
``chat.completion.chunk`` events as it is written.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from os1.companion.sight import Shown
from os1.events import ErrorEvent, Event, TokenDelta, TurnCommitted
from os1.server.auth import signed_in
from os1.server.hub import Hub
from os1.store.accounts import Signed
from os1.vision import read_picture

MODEL = "os1"


class ChatMessage(BaseModel):
    """One message of the request; only the last ``user`` one is read."""

    model_config = ConfigDict(extra="allow")
    role: Literal["system", "user", "assistant", "tool", "developer"]
    content: str | list[dict[str, Any]] | None = None


class ChatRequest(BaseModel):
    """The parts of an OpenAI chat request os1 uses; other fields are accepted and ignored."""

    model_config = ConfigDict(extra="allow")
    model: str = Field(MODEL, max_length=200)
    messages: list[ChatMessage] = Field(min_length=1, max_length=1000)
    stream: bool = False


class Reply(BaseModel):
    """The assistant's message."""

    role: Literal["assistant"] = "assistant"
    content: str


class Choice(BaseModel):
    """The one answer os1 gives."""

    index: int = 0
    message: Reply
    finish_reason: Literal["stop", "length"] = "stop"


class Usage(BaseModel):
    """Token counts are not measured by os1's turns; zeros, as some servers send."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0


class ChatCompletion(BaseModel):
    """The answer in the OpenAI shape."""

    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str = MODEL
    choices: list[Choice]
    usage: Usage = Field(default_factory=Usage)


def _text(message: ChatMessage) -> str:
    if isinstance(message.content, str):
        return message.content
    parts = message.content or []
    return "".join(str(p.get("text", "")) for p in parts if p.get("type") == "text")


def _shown(message: ChatMessage) -> Shown | None:
    """The photo in a message's ``image_url`` part (a data URL), or None; 400 for any other."""
    if isinstance(message.content, str) or not message.content:
        return None
    found = [p.get("image_url") for p in message.content if p.get("type") == "image_url"]
    if not found:
        return None
    url = str(found[0].get("url", "") if isinstance(found[0], dict) else found[0])
    if not url.startswith("data:") or "," not in url:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST,
            "Send the image in the message as a data: URL; os1 does not fetch images from "
            "elsewhere.",
        )
    try:
        data = base64.b64decode(url.split(",", 1)[1], validate=True)
    except ValueError:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, "The image's data URL is not valid base64."
        ) from None
    return Shown(read_picture(data, "The image"))


def _chunk(ident: str, created: int, delta: dict[str, str], finish: str | None = None) -> str:
    body = {
        "id": ident,
        "object": "chat.completion.chunk",
        "created": created,
        "model": MODEL,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(body)}\n\n"


router = APIRouter(
    prefix="/v1",
    tags=["openai"],
    responses={401: {"description": "No valid device key"}},
)


class ModelOut(BaseModel):
    """The one model this server offers: os1 itself."""

    id: str = MODEL
    object: Literal["model"] = "model"
    created: int = 0
    owned_by: str = "os1"


class ModelList(BaseModel):
    """``GET /v1/models``, which OpenAI clients ask before they choose."""

    object: Literal["list"] = "list"
    data: list[ModelOut]


@router.get("/models", dependencies=[Depends(signed_in)])
async def models() -> ModelList:
    """The models to ask for: only ``os1``."""
    return ModelList(data=[ModelOut()])


@router.post(
    "/chat/completions",
    response_model=ChatCompletion,
    responses={
        200: {"content": {"text/event-stream": {"schema": {"type": "string"}}}},
        400: {"description": "No user message with text"},
        502: {"description": "The turn failed; the detail says why"},
    },
)
async def chat_completions(
    body: ChatRequest, request: Request, who: Annotated[Signed, Depends(signed_in)]
) -> Any:
    """Answer the last user message as os1, in the person's latest conversation."""
    last = next((m for m in reversed(body.messages) if m.role == "user"), None)
    said = _text(last).strip() if last is not None else ""
    shown = await asyncio.to_thread(_shown, last) if last is not None else None
    if not said and shown is None:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "Send a user message with text.")
    hub: Hub = request.app.state.hub
    conversation = await hub.companion.for_user(who.name).resolve_conversation()
    events: asyncio.Queue[Event | None] = asyncio.Queue()
    hub.start_turn(who, conversation, said, events, image=shown)
    created = int(time.time())
    ident = f"chatcmpl-os1-{conversation}-{time.monotonic_ns()}"
    first = await events.get()
    if isinstance(first, ErrorEvent):  # the message itself was refused (empty once cleaned)
        raise HTTPException(status.HTTP_400_BAD_REQUEST, first.message)

    async def turn() -> AsyncIterator[Event]:
        event: Event | None = first
        while event is not None:
            yield event
            event = await events.get()

    if body.stream:

        async def chunks() -> AsyncIterator[str]:
            yield _chunk(ident, created, {"role": "assistant"})
            async for event in turn():
                if isinstance(event, TokenDelta):
                    yield _chunk(ident, created, {"content": event.text})
                elif isinstance(event, ErrorEvent):
                    yield _chunk(ident, created, {"content": event.message})
            yield _chunk(ident, created, {}, "stop")
            yield "data: [DONE]\n\n"

        return StreamingResponse(chunks(), media_type="text/event-stream")

    reply: str | None = None
    problem = "The turn ended without a reply."
    async for event in turn():
        if isinstance(event, TurnCommitted):
            reply = event.reply
        elif isinstance(event, ErrorEvent):
            problem = event.message
    if reply is None:
        raise HTTPException(status.HTTP_502_BAD_GATEWAY, problem)
    return ChatCompletion(id=ident, created=created, choices=[Choice(message=Reply(content=reply))])
