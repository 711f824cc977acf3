"""The one vocabulary every front door speaks: what happened during a turn.

The CLI renders these, ``--json`` prints them one per line (``os1 say`` and
``os1 talk`` alike), and later front doors send the same records. The voice
pipeline adds its stages to the same vocabulary: speech started and ended,
partial and final transcripts, reply audio started and stopped, interrupted,
and a spoken turn's timings. Each is a frozen pydantic model with a ``type``
tag, so ``Event`` parses any of them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    def to_json(self) -> str:
        """Serialise as one line of JSON."""
        return self.model_dump_json()


class TurnStarted(_Event):
    """The person's message was accepted and the companion began to answer."""

    type: Literal["turn_started"] = "turn_started"
    conversation_id: int
    user_text: str
    at: datetime


class Notice(_Event):
    """Something the person should know that is not an error (for example, input was cut)."""

    type: Literal["notice"] = "notice"
    message: str


class TokenDelta(_Event):
    """The next piece of the reply, as the model produced it."""

    type: Literal["token_delta"] = "token_delta"
    text: str


class Timings(BaseModel):
    """How long the turn took, in milliseconds, for latency work and the events log."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    first_token_ms: float | None
    total_ms: float
    reply_chunks: int


class TurnCommitted(_Event):
    """The turn is durably stored; it survives any crash from here on."""

    type: Literal["turn_committed"] = "turn_committed"
    conversation_id: int
    turn_id: int
    reply: str
    interrupted: bool
    model: str
    timings: Timings
    at: datetime


class NeedsConfirmation(_Event):
    """os1 proposes an action that changes or removes something; it waits for a yes."""

    type: Literal["needs_confirmation"] = "needs_confirmation"
    action_id: int
    summary: str
    items: list[str]
    skill: str = ""


class ActionResult(_Event):
    """A confirmed (or declined) action finished."""

    type: Literal["action_result"] = "action_result"
    action_id: int
    done: bool
    message: str
    skill: str = ""


class InitiativeEvent(_Event):
    """os1 speaks first: a reminder, a follow-up or a check-in; ``late`` if it was off then."""

    type: Literal["initiative"] = "initiative"
    kind: str
    text: str
    due_at: datetime
    late: bool


class ErrorEvent(_Event):
    """The turn failed; ``message`` says what happened and what to do."""

    type: Literal["error"] = "error"
    message: str


class SpeechStarted(_Event):
    """The person began speaking (the voice activity detector is sure)."""

    type: Literal["speech_started"] = "speech_started"


class SpeechEnded(_Event):
    """The person stopped speaking; ``speech_s`` is how long the utterance was."""

    type: Literal["speech_ended"] = "speech_ended"
    speech_s: float


class TranscriptPartial(_Event):
    """The words heard so far, while the person is still speaking."""

    type: Literal["transcript_partial"] = "transcript_partial"
    text: str


class TranscriptFinal(_Event):
    """The words of the whole utterance: the message the turn answers."""

    type: Literal["transcript_final"] = "transcript_final"
    text: str


class ReplyAudioStarted(_Event):
    """A piece of the reply began to play; ``text`` is what it says."""

    type: Literal["reply_audio_started"] = "reply_audio_started"
    text: str


class ReplyAudioStopped(_Event):
    """The reply stopped playing: it was all heard, or the person cut in."""

    type: Literal["reply_audio_stopped"] = "reply_audio_stopped"
    interrupted: bool


class Interrupted(_Event):
    """The person spoke over the reply: playback and generation stop at once."""

    type: Literal["interrupted"] = "interrupted"


class SpokenTurn(_Event):
    """A spoken exchange is over: what was heard, what was said, and when each stage was ready.

    ``timings`` are milliseconds from the end of the person's speech
    (``turn_end_ms``, ``transcript_ms``, ``first_token_ms``, ``first_audio_ms``,
    ``reply_done_ms``) and ``speech_s``.
    """

    type: Literal["spoken_turn"] = "spoken_turn"
    transcript: str
    reply: str
    interrupted: bool
    timings: dict[str, float]


Event = Annotated[
    TurnStarted
    | Notice
    | TokenDelta
    | NeedsConfirmation
    | ActionResult
    | TurnCommitted
    | InitiativeEvent
    | ErrorEvent
    | SpeechStarted
    | SpeechEnded
    | TranscriptPartial
    | TranscriptFinal
    | ReplyAudioStarted
    | ReplyAudioStopped
    | Interrupted
    | SpokenTurn,
    Field(discriminator="type"),
]

EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)


def parse_event(line: str) -> Event:
    """Read back one event from its JSON line."""
    return EVENT_ADAPTER.validate_json(line)


__all__ = [
    "EVENT_ADAPTER",
    "ActionResult",
    "ErrorEvent",
    "Event",
    "InitiativeEvent",
    "Interrupted",
    "NeedsConfirmation",
    "Notice",
    "ReplyAudioStarted",
    "ReplyAudioStopped",
    "SpeechEnded",
    "SpeechStarted",
    "SpokenTurn",
    "Timings",
    "TokenDelta",
    "TranscriptFinal",
    "TranscriptPartial",
    "TurnCommitted",
    "TurnStarted",
    "parse_event",
]
