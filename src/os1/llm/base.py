"""What a chat model is to os1: one streaming method, plus the JSON helper built on it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

from os1.errors import LLMUnavailable

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class Message:
    """One message of a chat prompt."""

    role: Role
    content: str

    def as_dict(self) -> dict[str, str]:
        """The OpenAI chat format every backend understands."""
        return {"role": self.role, "content": self.content}


@dataclass(frozen=True)
class GenerationOptions:
    """How to generate: length, randomness, an optional JSON schema, and cache affinity.

    ``session`` names the conversation the request belongs to, so a backend that
    keeps processed prompts (the embedded model) can reuse them across turns and
    processes instead of reading the whole history again.
    """

    max_tokens: int = 512
    temperature: float = 0.7
    json_schema: dict[str, Any] | None = None
    session: str | None = None
    stop: tuple[str, ...] = field(default_factory=tuple)


@runtime_checkable
class LLM(Protocol):
    """A chat model. Closing the iterator early stops generation at once."""

    name: str

    def stream(self, messages: Sequence[Message], options: GenerationOptions) -> AsyncIterator[str]:
        """Yield the reply in pieces as the model produces them."""
        ...

    async def aclose(self) -> None:
        """Release the model and anything it holds open."""
        ...


async def complete(llm: LLM, messages: Sequence[Message], options: GenerationOptions) -> str:
    """Collect a whole reply."""
    parts = [piece async for piece in llm.stream(messages, options)]
    return "".join(parts)


async def complete_json(
    llm: LLM,
    messages: Sequence[Message],
    schema: dict[str, Any],
    options: GenerationOptions | None = None,
) -> Any:
    """Ask for output constrained to ``schema`` and parse it.

    Tool use and extraction go through this instead of native tool calls,
    which small local models get wrong.
    """
    base = options or GenerationOptions(temperature=0.0)
    constrained = GenerationOptions(
        max_tokens=base.max_tokens,
        temperature=base.temperature,
        json_schema=schema,
        session=base.session,
        stop=base.stop,
    )
    text = await complete(llm, messages, constrained)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise LLMUnavailable(
            f"The model {llm.name} returned invalid JSON for a schema-constrained request.",
            "Try again, or use a model server that supports JSON schema output.",
        ) from exc
