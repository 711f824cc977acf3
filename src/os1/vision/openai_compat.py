"""The ``openai`` vision backend: any OpenAI-compatible server whose model takes images.

Ollama with a vision model, vLLM, llama-server with an ``--mmproj``, or a
hosted service: the picture goes as an ``image_url`` content part holding a
JPEG data URL (at most 1536 pixels on a side, its metadata dropped, so no
place or camera goes with it), beside the person's question. This is the one
backend that sends an image off the machine, so every observation it makes
names where the image went. A timeout, a refusal or a server that does not
take images is a :class:`~os1.errors.VisionUnavailable` saying which, never a
crash, and nothing is done with a half answer.
"""

from __future__ import annotations

import time
from typing import Any

import httpx

from os1.config import Paths, Settings, hide_passwords
from os1.errors import ConfigError, VisionUnavailable
from os1.vision.base import Observation
from os1.vision.chat import answer_of, request
from os1.vision.picture import Picture


class OpenAIVision:
    """Asks a multimodal chat model about the picture; the picture leaves this machine."""

    name = "openai"

    def __init__(
        self, base_url: str, model: str = "", api_key: str = "", timeout_s: float = 60.0
    ) -> None:
        self.base_url = base_url.rstrip("/")
        if not self.base_url.endswith("/v1"):
            self.base_url += "/v1"
        self.shown = hide_passwords(self.base_url)
        """The address as it may be said and logged (a password in it masked)."""
        self.sends_to = f"the vision server at {self.shown}"
        self.model = model
        self.timeout_s = timeout_s
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}

    async def look(self, picture: Picture, question: str = "") -> Observation:
        """The model's description of the picture and its answer to ``question``."""
        started = time.perf_counter()
        async with httpx.AsyncClient(timeout=self.timeout_s, headers=self._headers) as client:
            model = self.model or await self._first_model(client)
            body = request(picture, question, model)
            reply = await self._post(client, "/chat/completions", body, model)
        return Observation(
            backend=self.name,
            caption=answer_of(reply, f"The vision model {model!r}"),
            notes=picture.notes,
            sent_to=self.sends_to,
            size=(picture.width, picture.height),
            timings_ms={"total_ms": (time.perf_counter() - started) * 1000},
        )

    async def _first_model(self, client: httpx.AsyncClient) -> str:
        listing = await self._request(client, "GET", "/models", None, "")
        names = [m.get("id") for m in listing.get("data", []) if isinstance(m, dict)]
        if not names or not isinstance(names[0], str):
            raise VisionUnavailable(
                f"The vision server at {self.shown} offers no models.",
                "Load a vision model on it, or set `vision_model`.",
            )
        return names[0]

    async def _post(
        self, client: httpx.AsyncClient, path: str, body: dict[str, Any], model: str
    ) -> dict[str, Any]:
        return await self._request(client, "POST", path, body, model)

    async def _request(
        self,
        client: httpx.AsyncClient,
        method: str,
        path: str,
        body: dict[str, Any] | None,
        model: str,
    ) -> dict[str, Any]:
        url = self.base_url + path
        try:
            response = await client.request(method, url, json=body)
        except httpx.TimeoutException:
            raise VisionUnavailable(
                f"The vision server at {self.shown} did not answer within "
                f"{self.timeout_s:g} s; nothing was done with the image.",
                "Try again, raise `vision_timeout_s`, or set `vision` to `offline`.",
            ) from None
        except httpx.HTTPError as exc:
            raise VisionUnavailable(
                f"Cannot reach the vision server at {self.shown} ({exc}).",
                "Start the server, or set `vision` to `offline`.",
            ) from None
        if response.status_code in (401, 403):
            raise VisionUnavailable(
                f"The vision server at {self.shown} refused the API key.",
                "Set `vision_api_key` to a key it accepts.",
            )
        if response.status_code == 404 and model:
            raise VisionUnavailable(
                f"The vision server at {self.shown} has no model called {model!r}.",
                "Set `vision_model` to one it lists at /v1/models.",
            )
        if response.status_code in (400, 413, 415, 422):
            raise VisionUnavailable(
                f"The vision server at {self.shown} refused the image "
                f"({response.status_code}: {_detail(response)}).",
                "Check that its model takes images (a vision model, or llama-server with "
                "--mmproj), or set `vision` to `offline`.",
            )
        if response.status_code >= 400:
            raise VisionUnavailable(
                f"The vision server at {self.shown} failed ({response.status_code}: "
                f"{_detail(response)}).",
                "Try again later, or set `vision` to `offline`.",
            )
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise VisionUnavailable(
                f"The vision server at {self.shown} did not answer in the OpenAI format.",
                "Check that `vision` points at its /v1 address.",
            )
        return data


def _detail(response: httpx.Response) -> str:
    """The server's own reason, short."""
    try:
        data = response.json()
    except ValueError:
        return " ".join(response.text.split())[:200] or response.reason_phrase
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict):
        return str(error.get("message", error))[:200]
    return str(error or data)[:200]


def create(settings: Settings, paths: Paths, rest: str) -> OpenAIVision:
    """The entry point: ``openai:URL`` (the server's address, with or without ``/v1``)."""
    url = rest.strip()
    if not url.startswith(("http://", "https://")):
        raise ConfigError(
            "The `openai` vision backend needs the server's address.",
            'Set `vision = "openai:http://HOST:PORT/v1"` (Ollama: http://localhost:11434/v1).',
        )
    return OpenAIVision(
        url, settings.vision_model, settings.vision_api_key, settings.vision_timeout_s
    )
