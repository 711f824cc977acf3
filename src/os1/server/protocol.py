"""The WebSocket protocol ``os1.v1``: what a client sends and what the server sends back.

A client opens ``/ws`` offering the subprotocol ``os1.v1`` (or none; the
``hello`` frame names the version either way). Every frame is one JSON
object with a ``type``. The server's ``event`` frames carry ``os1.events``
records unchanged, so the web app, ``os1 say --json`` and ``os1 talk --json``
speak one vocabulary. ``schema()`` is the JSON schema of both directions,
published at ``/api/protocol.json`` and in DESIGN.md.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator

from os1.events import EVENT_ADAPTER, Event

PROTOCOL = "os1.v1"


class _Frame(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Say(_Frame):
    """The person's message; ``conversation`` null means their latest (``new``: a fresh one).

    ``image`` names a photo posted to ``/api/images`` first (the words may then be
    empty); ``keep`` asks for it to be kept with the conversation.
    """

    type: Literal["message"] = "message"
    text: str = ""
    conversation: int | None = Field(None, ge=1, le=2**31 - 1)
    new: bool = False
    image: str | None = Field(None, pattern=r"^[A-Za-z0-9_-]{16,64}$")
    keep: bool = False

    @model_validator(mode="after")
    def _says_something(self) -> Say:
        if not self.text and self.image is None:
            raise ValueError("a message needs text, an image, or both")
        return self


class Ping(_Frame):
    """Keep-alive; answered with ``pong``."""

    type: Literal["ping"] = "ping"


ClientFrame = Annotated[Say | Ping, Field(discriminator="type")]
CLIENT_ADAPTER: TypeAdapter[Say | Ping] = TypeAdapter(ClientFrame)


class Hello(_Frame):
    """First frame on a socket: the protocol, who is signed in, their latest conversation."""

    type: Literal["hello"] = "hello"
    protocol: Literal["os1.v1"] = "os1.v1"
    user: str
    conversation: int | None


class EventFrame(_Frame):
    """One ``os1.events`` record, sent to every device of the person as it happens."""

    type: Literal["event"] = "event"
    conversation: int | None
    event: Event


class Pong(_Frame):
    """The answer to ``ping``."""

    type: Literal["pong"] = "pong"


ErrorCode = Literal["malformed", "too_large", "binary", "not_found", "busy", "rate_limited"]


class ErrorFrame(_Frame):
    """A frame the server could not use; the socket stays open unless it closes with a code."""

    type: Literal["error"] = "error"
    code: ErrorCode
    message: str


ServerFrame = Annotated[Hello | EventFrame | Pong | ErrorFrame, Field(discriminator="type")]
SERVER_ADAPTER: TypeAdapter[Hello | EventFrame | Pong | ErrorFrame] = TypeAdapter(ServerFrame)


def schema() -> dict[str, Any]:
    """The JSON schema of ``os1.v1``: frames a client may send and frames the server sends."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": PROTOCOL,
        "client": CLIENT_ADAPTER.json_schema(),
        "server": SERVER_ADAPTER.json_schema(),
        "event": EVENT_ADAPTER.json_schema(),
    }
