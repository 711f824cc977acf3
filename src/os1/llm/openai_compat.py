"""Any OpenAI-compatible chat server (Ollama, vLLM, llama-server, LM Studio) by URL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any, cast

import openai
from openai.types.chat import ChatCompletionMessageParam

from os1.config import Paths, Settings
from os1.errors import LLMUnavailable
from os1.llm.base import GenerationOptions, Message


class OpenAICompatibleLLM:
    """Streams chat completions from a server that speaks the OpenAI API."""

    def __init__(self, base_url: str, model: str = "", api_key: str = "", timeout_s: float = 60.0):
        self.base_url = base_url.rstrip("/")
        if not self.base_url.endswith("/v1"):
            self.base_url += "/v1"
        self._model = model
        self.name = model or self.base_url
        self._client = openai.AsyncOpenAI(
            base_url=self.base_url,
            api_key=api_key or "not-needed",
            timeout=timeout_s,
            max_retries=1,
        )

    async def _model_name(self) -> str:
        if not self._model:
            try:
                listing = await self._client.models.list()
            except openai.APIError as exc:
                raise self._unavailable(exc) from exc
            names = [m.id for m in listing.data]
            if not names:
                raise LLMUnavailable(
                    f"The server at {self.base_url} offers no models.",
                    "Load a model on the server, or set openai_model.",
                )
            self._model = names[0]
            self.name = self._model
        return self._model

    def _unavailable(self, exc: Exception) -> LLMUnavailable:
        if isinstance(exc, openai.APIConnectionError | openai.APITimeoutError):
            return LLMUnavailable(
                f"Cannot reach the model server at {self.base_url} ({exc}).",
                "Start the server, or `os1 models use` another model.",
            )
        if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
            return LLMUnavailable(
                f"The model server at {self.base_url} refused the API key.",
                "Set openai_api_key (OS1_OPENAI_API_KEY) to a key it accepts.",
            )
        if isinstance(exc, openai.NotFoundError):
            return LLMUnavailable(
                f"The server at {self.base_url} has no model called {self._model!r}.",
                "Set openai_model to one the server lists at /v1/models.",
            )
        return LLMUnavailable(f"The model server at {self.base_url} failed: {exc}.")

    async def stream(
        self, messages: Sequence[Message], options: GenerationOptions
    ) -> AsyncIterator[str]:
        """Stream the reply; closing the iterator closes the HTTP response."""
        extra: dict[str, Any] = {}
        if options.json_schema is not None:
            extra["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "output", "schema": options.json_schema, "strict": True},
            }
        if options.stop:
            extra["stop"] = list(options.stop)
        model = await self._model_name()
        try:
            response = await self._client.chat.completions.create(
                model=model,
                messages=cast(list[ChatCompletionMessageParam], [m.as_dict() for m in messages]),
                max_tokens=options.max_tokens,
                temperature=options.temperature,
                stream=True,
                extra_body=extra or None,
            )
        except openai.APIError as exc:
            raise self._unavailable(exc) from exc
        try:
            async for chunk in response:
                for choice in chunk.choices:
                    if choice.delta and choice.delta.content:
                        yield choice.delta.content
        except openai.APIError as exc:
            raise self._unavailable(exc) from exc
        finally:
            await response.close()

    async def aclose(self) -> None:
        """Close the HTTP connection pool."""
        await self._client.close()


def create(settings: Settings, paths: Paths, spec: str) -> OpenAICompatibleLLM:
    """Build from the settings; ``spec`` is the server's base URL."""
    return OpenAICompatibleLLM(
        spec,
        model=settings.openai_model,
        api_key=settings.openai_api_key,
        timeout_s=settings.request_timeout_s,
    )
