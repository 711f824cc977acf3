"""`os1 models use` with a model server: found by name or URL, its models listed and one picked."""

from __future__ import annotations

import socket
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import run_os1

from os1.llm.servers import KNOWN_SERVERS, server_url


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_server_is_found_by_its_name_or_url() -> None:
    assert server_url("ollama") == KNOWN_SERVERS["ollama"]
    assert server_url("Ollama") == "http://127.0.0.1:11434/v1"
    assert server_url("http://box:8080/v1/") == "http://box:8080/v1"
    assert server_url("qwen2.5-coder-1.5b-instruct-q4_k_m") is None


def test_a_named_server_that_is_not_running_is_a_clear_error(home: Path) -> None:
    port = free_port()
    result = run_os1("models", "use", f"http://127.0.0.1:{port}/v1")
    assert result.code == 0, "an explicit URL is saved even when it does not answer yet"
    assert "does not answer right now; saved anyway" in " ".join(result.stderr.split())
    result = run_os1("models", "use", "vllm")  # nothing listens on vLLM's port here
    said = " ".join(result.stderr.split())
    assert result.code != 0
    assert "No model server answers at http://127.0.0.1:8000/v1" in said
    assert "Start the server" in said
    assert not (home / "config.toml").exists() or "8000" not in (home / "config.toml").read_text()


@pytest.fixture
def llama_server(real_model: Path) -> Iterator[str]:
    """The real model behind llama.cpp's own OpenAI-compatible HTTP server."""
    import xllamacpp

    port = free_port()
    params: Any = xllamacpp.CommonParams()
    params.model.path = str(real_model)
    params.n_ctx = 2048
    params.hostnames = ["127.0.0.1"]
    params.port = port
    params.warmup = False
    params.verbosity = -1
    server = xllamacpp.Server(params)
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        del server


@pytest.mark.real_model
def test_a_real_server_is_listed_picked_and_talked_to(home: Path, llama_server: str) -> None:
    result = run_os1("models", "use", llama_server)
    assert result.code == 0, result.stderr
    assert "Now using" in result.stdout
    config = tomllib.loads((home / "config.toml").read_text())
    assert config["model"] == llama_server
    assert config["openai_model"]
    result = run_os1("models", "use", llama_server, "--pick", "no-such-model")
    assert result.code != 0
    assert "does not serve 'no-such-model'" in result.stderr
    said = run_os1("say", "--json", "--no-remember", "Say hello in three words.")
    assert said.code == 0, said.stderr
    committed = said.events()[-1]
    assert committed["type"] == "turn_committed"
    assert str(committed["reply"]).strip()
