"""A photo over the server: posted to /api/images, shown with a message on the socket."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openai
import pytest

from os1.server.auth import digest
from serving import NOON, Served, frames_until, serving
from vision_images import text_image


@pytest.fixture
def served(home: Path) -> Iterator[Served]:
    with serving(home) as server:
        yield server


def connect(served: Served, headers: dict[str, str]) -> Any:
    return served.http.websocket_connect("/ws", subprotocols=["os1.v1"], headers=headers)


def post(served: Served, body: bytes, headers: dict[str, str]) -> Any:
    return served.http.post(
        "/api/images", content=body, headers={**headers, "content-type": "image/png"}
    )


def test_a_photo_shown_with_a_message_is_seen_in_the_turn_on_every_device(
    served: Served,
) -> None:
    ana = served.sign_in("ana")
    posted = post(served, text_image(["Platform 4 to Porto"]), ana)
    assert posted.status_code == 201, posted.text
    received = posted.json()
    assert (received["width"], received["height"]) == (1400, 236)
    with connect(served, ana) as laptop, connect(served, ana) as phone:
        laptop.receive_json()
        phone.receive_json()
        laptop.send_json({"type": "message", "text": "", "image": received["image"]})
        frames = frames_until(phone, "turn_committed")
        notices = [
            f["event"]["message"]
            for f in frames
            if f["type"] == "event" and f["event"]["type"] == "notice"
        ]
        assert any("on this machine (1 line of text)" in n for n in notices), notices
        assert frames_until(laptop, "turn_committed") == frames
        again = {"type": "message", "text": "and now?", "image": received["image"]}
        laptop.send_json(again)
        gone = frames_until(laptop, "error")[-1]
        assert gone["code"] == "not_found"
        assert "send it again" in gone["message"]
    served.settle()
    [turn] = served.http.get("/api/conversations", headers=ana).json()
    mind = served.companion.for_user("ana")
    [record] = served.call(lambda: mind.history(turn["id"]))
    parts = record.parts
    assert parts[0]["text"] == "(a photo)"
    assert parts[1]["kind"] == "image"
    assert parts[2] == {
        "kind": "text",
        "origin": "outside",
        "text": "Platform 4 to Porto",
        "source": "image",
    }


def test_an_image_is_its_owners_alone_and_needs_a_sign_in(served: Served) -> None:
    ana, ben = served.sign_in("ana"), served.sign_in("ben")
    assert post(served, text_image(["mine"]), {}).status_code == 401
    key = post(served, text_image(["Ana's letter"]), ana).json()["image"]
    with connect(served, ben) as ws:
        ws.receive_json()
        ws.send_json({"type": "message", "text": "read it", "image": key})
        refused = frames_until(ws, "error")[-1]
        assert refused["code"] == "not_found"
        ws.send_json({"type": "message", "text": ""})
        empty = frames_until(ws, "error")[-1]
        assert empty["code"] == "malformed"
        assert "needs text, an image, or both" in empty["message"]


def test_bad_and_oversized_images_are_refused_with_the_reason(home: Path) -> None:
    with serving(home, max_frame_bytes=1_000) as served:
        ana = served.sign_in("ana")
        broken = post(served, b"\x89PNG\r\n\x1a\n broken", ana)
        assert broken.status_code == 400
        assert "not an image os1 can read" in broken.json()["detail"]
        empty = post(served, b"", ana)
        assert empty.status_code == 400
        assert "empty (0 bytes)" in empty.json()["detail"]
        huge = post(served, b"\xff" * 400_001, ana)
        assert huge.status_code == 413
        assert "at most 400,000 bytes" in huge.json()["detail"]


def test_a_program_shows_a_photo_through_the_openai_api(served: Served) -> None:
    key = "device-key-for-the-vision-client-0001"
    found = served.accounts.password_hash("ana")
    assert found is not None
    served.accounts.add_device(found[0], "camera app", digest(key), NOON)
    client = openai.OpenAI(
        base_url="http://testserver/v1", api_key=key, http_client=served.http, max_retries=0
    )
    photo = base64.b64encode(text_image(["Gate 12 closes at 9:40"])).decode()
    content: Any = [
        {"type": "text", "text": "when does it close?"},
        {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{photo}"}},
    ]
    answer = client.chat.completions.create(
        model="os1", messages=[{"role": "user", "content": content}]
    )
    assert answer.choices[0].message.content is not None
    mind = served.companion.for_user("ana")
    conversation = served.call(mind.latest_conversation)
    [record] = served.call(lambda: mind.history(conversation))
    assert record.user_text == "when does it close?"
    assert record.parts[2]["text"] == "Gate 12 closes at 9:40"
    content[1]["image_url"]["url"] = "https://example.org/photo.jpg"
    with pytest.raises(openai.BadRequestError) as refused:
        client.chat.completions.create(model="os1", messages=[{"role": "user", "content": content}])
    assert "does not fetch images" in refused.value.response.json()["detail"]
