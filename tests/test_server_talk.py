"""``/ws/talk``: hands-free voice over a socket, on the same pipeline as ``os1 talk``."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile
from starlette.testclient import WebSocketDenialResponse

from os1.testing.voice import tone_speech
from os1.voice.vad import FRAME
from serving import Served, serving


@pytest.fixture
def served(home: Path) -> Iterator[Served]:
    with serving(
        home, delay_s=0.01, stt="fake:What is the capital of France?|Stop please.", tts="fake",
        vad="fake",
    ) as server:  # fmt: skip
        yield server


def pcm(*parts: tuple[str, float]) -> list[bytes]:
    """Tone speech as the page sends it: 16-bit little-endian frames of 32 ms."""
    samples = (tone_speech(*parts).samples * 32767).astype("<i2")
    return [samples[i : i + FRAME].tobytes() for i in range(0, len(samples), FRAME)]


def until_audio(ws: Any, limit: int = 200) -> tuple[list[dict[str, Any]], bytes]:
    """Read control frames until the first audio clip; both."""
    seen: list[dict[str, Any]] = []
    for _ in range(limit):
        message = ws.receive()
        if message.get("bytes") is not None:
            return seen, message["bytes"]
        seen.append(json.loads(message["text"]))
    raise AssertionError(f"no audio after {seen}")


def test_a_spoken_turn_is_answered_aloud_and_kept_with_what_was_said(served: Served) -> None:
    ana = served.sign_in("ana")
    with served.http.websocket_connect("/ws/talk", headers=ana) as ws:
        assert json.loads(ws.receive_text())["type"] == "ready"
        for frame in pcm(("talk", 1.0), ("quiet", 1.0)):
            ws.send_bytes(frame)
        _, clip = until_audio(ws)
        samples, rate = soundfile.read(io.BytesIO(clip))
        assert rate == 16_000
        assert len(samples) >= rate // 4, "a clause of the reply, as WAV"
        for frame in pcm(("quiet", 4.0)):  # as a microphone sends it, while the reply plays
            ws.send_bytes(frame)
            time.sleep(FRAME / 16_000)
    turns: list[dict[str, Any]] = []
    for _ in range(100):
        conversations = served.http.get("/api/conversations", headers=ana).json()
        if conversations:
            found = f"/api/conversations/{conversations[0]['id']}"
            turns = served.http.get(found, headers=ana).json()
        if turns:
            break
        time.sleep(0.1)
    assert [t["user_text"] for t in turns] == ["What is the capital of France?"]
    assert turns[0]["reply"].startswith("You said: What is the capital")


def test_speaking_over_the_reply_stops_it_on_the_page(served: Served) -> None:
    ana = served.sign_in("ana")
    with served.http.websocket_connect("/ws/talk", headers=ana) as ws:
        ws.receive_text()
        for frame in pcm(("talk", 1.0), ("quiet", 1.0)):
            ws.send_bytes(frame)
        until_audio(ws)
        for frame in pcm(("shout", 1.0)):
            ws.send_bytes(frame)
        stopped = False
        for _ in range(200):
            message = ws.receive()
            if message.get("text") and json.loads(message["text"]) == {"type": "stop"}:
                stopped = True
                break
        assert stopped, "the page is told to drop what it has not played"


def test_the_talk_socket_needs_a_sign_in_and_refuses_oversized_audio(served: Served) -> None:
    with (
        pytest.raises(WebSocketDenialResponse) as refused,
        served.http.websocket_connect("/ws/talk"),
    ):
        pass
    assert refused.value.status_code == 401
    ana = served.sign_in("ana")
    with served.http.websocket_connect("/ws/talk", headers=ana) as ws:
        ws.receive_text()
        ws.send_bytes(np.zeros(40_000, "<i2").tobytes())
        assert json.loads(ws.receive_text())["type"] == "error"
        ws.send_bytes(b"\x01")  # half a sample: kept until the rest comes, never a crash
        ws.send_text("hello")
        for frame in pcm(("quiet", 0.2)):
            ws.send_bytes(frame)
