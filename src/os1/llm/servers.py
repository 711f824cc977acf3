"""OpenAI-compatible model servers on this machine: where the usual ones listen, what they serve.

People with stronger hardware run Ollama, LM Studio, llama-server or vLLM;
naming the server ("ollama") is enough for os1 to find it and list its models.
"""

from __future__ import annotations

import httpx

from os1.errors import ModelError

KNOWN_SERVERS: dict[str, str] = {
    "ollama": "http://127.0.0.1:11434/v1",
    "lmstudio": "http://127.0.0.1:1234/v1",
    "llama-server": "http://127.0.0.1:8080/v1",
    "vllm": "http://127.0.0.1:8000/v1",
}


def server_url(name_or_url: str) -> str | None:
    """The base URL for a known server's name or for a URL; None for anything else."""
    if "://" in name_or_url:
        return name_or_url.rstrip("/")
    return KNOWN_SERVERS.get(name_or_url.lower())


def served_models(url: str, api_key: str = "", timeout_s: float = 5.0) -> list[str]:
    """The model ids a server offers (``GET /models``), or a clear error if it is not there."""
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    try:
        response = httpx.get(f"{url}/models", headers=headers, timeout=timeout_s)
        response.raise_for_status()
        data = response.json()
    except httpx.HTTPStatusError as exc:
        raise ModelError(
            f"{url} answered {exc.response.status_code} when asked for its models.",
            "Check the URL (it usually ends in /v1) and the API key (`OS1_OPENAI_API_KEY`).",
        ) from exc
    except (httpx.HTTPError, ValueError) as exc:
        raise ModelError(
            f"No model server answers at {url} ({exc.__class__.__name__}).",
            "Start the server (for Ollama: `ollama serve`), or give its URL.",
        ) from exc
    items = data.get("data", []) if isinstance(data, dict) else []
    return sorted(str(m["id"]) for m in items if isinstance(m, dict) and "id" in m)
