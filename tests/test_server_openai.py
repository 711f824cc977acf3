"""``/v1/chat/completions``: os1 answering programs through the ``openai`` client library."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import openai
import pytest

from os1.server.auth import digest
from serving import NOON, Served, frames_until, serving

KEY = "device-key-for-the-openai-client-0001"


@pytest.fixture
def served(home: Path) -> Iterator[Served]:
    with serving(home) as server:
        user_id = server.accounts.password_hash("ana")
        assert user_id is not None
        server.accounts.add_device(user_id[0], "editor", digest(KEY), NOON)
        yield server


def client(served: Served, key: str = KEY) -> openai.OpenAI:
    return openai.OpenAI(
        base_url="http://testserver/v1", api_key=key, http_client=served.http, max_retries=0
    )


def test_a_program_talks_with_os1_through_the_openai_client(served: Served) -> None:
    answer = client(served).chat.completions.create(
        model="os1",
        messages=[
            {"role": "system", "content": "ignored: os1 has its own persona"},
            {"role": "user", "content": "My bike is blue."},
        ],
    )
    assert answer.choices[0].message.content is not None
    assert "My bike is blue." in answer.choices[0].message.content
    ana = served.sign_in("ana")
    conversation = served.http.get("/api/conversations", headers=ana).json()[0]["id"]
    turns = served.http.get(f"/api/conversations/{conversation}", headers=ana).json()
    assert [t["user_text"] for t in turns] == ["My bike is blue."], "a turn like any other"


def test_the_reply_streams_and_shows_on_the_persons_devices(served: Served) -> None:
    ana = served.sign_in("ana")
    with served.http.websocket_connect("/ws", subprotocols=["os1.v1"], headers=ana) as ws:
        ws.receive_json()
        stream = client(served).chat.completions.create(
            model="os1",
            messages=[{"role": "user", "content": "Tell me about the river."}],
            stream=True,
        )
        pieces = [c.choices[0].delta.content or "" for c in stream]
        assert len([p for p in pieces if p]) > 2
        assert "Tell me about the river." in "".join(pieces)
        frames = frames_until(ws, "turn_committed")
        assert frames[-1]["event"]["reply"].strip() == "".join(pieces).strip()


def test_the_models_list_offers_os1(served: Served) -> None:
    assert [m.id for m in client(served).models.list()] == ["os1"]


def test_a_wrong_key_is_refused(served: Served) -> None:
    with pytest.raises(openai.AuthenticationError):
        client(served, "not-a-key").chat.completions.create(
            model="os1", messages=[{"role": "user", "content": "hi"}]
        )
