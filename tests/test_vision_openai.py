"""The openai vision backend against a local server speaking the OpenAI wire format.

The server is a small FastAPI app started by the test: it records each request and
answers with a canned chat completion written in the shape a multimodal server
(llama-server, Ollama, vLLM) returns. It is a replayed answer, not a real vision
model: these tests prove what os1 sends (the image as an ``image_url`` data part,
the person's question beside it) and what it does with the answer, timeouts and
refusals included.
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from PIL import Image
from tests.conftest import run_os1, write_script

from os1.errors import VisionUnavailable
from os1.vision import read_picture
from os1.vision.openai_compat import OpenAIVision
from serving import listening
from vision_images import text_image

CAPTION = "A ramen menu on a wooden table; it lists tonkotsu ramen at 14.50."


class Recorder:
    """What the fake vision server was asked, and how it answers next."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.mode = "answer"


def vision_server(recorder: Recorder) -> FastAPI:
    app = FastAPI()

    @app.get("/v1/models")
    async def models() -> dict[str, Any]:
        return {"object": "list", "data": [{"id": "llava-test", "object": "model"}]}

    @app.post("/v1/chat/completions")
    async def completions(request: Request) -> Any:
        body = await request.json()
        recorder.requests.append(body)
        if recorder.mode == "slow":
            await asyncio.sleep(3)
        if recorder.mode == "no_images":
            return JSONResponse(
                {"error": {"message": "image input is not supported", "type": "invalid_request"}},
                status_code=400,
            )
        message: dict[str, Any] = {"role": "assistant", "content": CAPTION}
        if recorder.mode == "refuse":
            message = {"role": "assistant", "content": None, "refusal": "I can't help with that."}
        return {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "model": body["model"],
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        }

    return app


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, Recorder]]:
    recorder = Recorder()
    with listening(vision_server(recorder)) as url:
        yield url, recorder


@pytest.fixture
def recorder(server: tuple[str, Recorder]) -> Recorder:
    server[1].requests.clear()
    server[1].mode = "answer"
    return server[1]


def test_os1_look_sends_the_image_as_an_image_url_part_and_says_where(
    server: tuple[str, Recorder], recorder: Recorder, tmp_path: Path
) -> None:
    photo = tmp_path / "menu.png"
    photo.write_bytes(text_image(["Tonkotsu ramen 14.50"]))
    looked = run_os1("look", str(photo), env={"OS1_VISION": f"openai:{server[0]}"})
    assert looked.code == 0, looked.stderr
    assert f"sending the image to the vision server at {server[0]}/v1" in looked.stderr
    assert CAPTION in looked.stdout
    assert f"(The image was sent to the vision server at {server[0]}/v1" in looked.stdout
    [body] = recorder.requests
    assert body["model"] == "llava-test", "the first model the server lists"
    question, image = body["messages"][-1]["content"]
    assert question == {"type": "text", "text": "What is in this image? Read out any text in it."}
    assert image["type"] == "image_url"
    url = image["image_url"]["url"]
    assert url.startswith("data:image/jpeg;base64,")
    sent = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))
    assert (sent.format, sent.size) == ("JPEG", (1400, 236))
    assert "exif" not in sent.info


def test_a_photo_in_conversation_goes_with_the_question_and_the_answer_is_used(
    server: tuple[str, Recorder], recorder: Recorder, tmp_path: Path
) -> None:
    photo = tmp_path / "menu.png"
    photo.write_bytes(text_image(["Tonkotsu ramen 14.50"]))
    model = write_script(tmp_path / "script.json", ["The tonkotsu is 14.50."])
    env = {"OS1_MODEL": model, "OS1_VISION": f"openai:{server[0]}", "OS1_VISION_MODEL": "vlm"}
    said = run_os1("say", "--image", str(photo), "how much is the ramen?", "--json", env=env)
    assert said.code == 0, said.stderr
    notices = [str(e["message"]) for e in said.events() if e["type"] == "notice"]
    assert notices[0].startswith(f"Sending the photo to the vision server at {server[0]}/v1")
    assert (
        notices[1]
        == f"The photo was sent to the vision server at {server[0]}/v1 to be seen: a description."
    )
    [body] = recorder.requests
    assert body["model"] == "vlm"
    assert body["messages"][-1]["content"][0]["text"] == "how much is the ramen?"
    parts = json.loads(run_os1("history", "--json").stdout)["turns"][0]["parts"]
    assert parts[1]["data"]["sent_to"] == f"the vision server at {server[0]}/v1"
    assert parts[2] == {"kind": "text", "origin": "outside", "text": CAPTION, "source": "openai"}


@pytest.mark.parametrize(
    ("mode", "says"),
    [
        ("slow", "did not answer within 0.5 s; nothing was done with the image"),
        ("no_images", "refused the image (400: image input is not supported)"),
        ("refuse", "declined to look at the image: I can't help with that."),
    ],
)
async def test_timeouts_and_refusals_are_clear_errors(
    server: tuple[str, Recorder], recorder: Recorder, mode: str, says: str
) -> None:
    recorder.mode = mode
    eyes = OpenAIVision(server[0], "llava-test", timeout_s=0.5)
    with pytest.raises(VisionUnavailable) as failed:
        await eyes.look(read_picture(text_image(["hello"])), "what is this?")
    assert says in str(failed.value)


def test_a_failed_look_ends_the_turn_with_the_error_and_commits_nothing(
    server: tuple[str, Recorder], recorder: Recorder, tmp_path: Path
) -> None:
    recorder.mode = "no_images"
    photo = tmp_path / "menu.png"
    photo.write_bytes(text_image(["Tonkotsu ramen 14.50"]))
    model = write_script(tmp_path / "script.json", ["never said"])
    env = {"OS1_MODEL": model, "OS1_VISION": f"openai:{server[0]}"}
    said = run_os1("say", "--image", str(photo), "what is it?", "--json", env=env)
    errors = [str(e["message"]) for e in said.events() if e["type"] == "error"]
    assert said.code == 1
    assert "refused the image" in errors[0]
    assert "never said" not in said.stdout
    assert json.loads(run_os1("history", "--json").stdout)["turns"] == []


async def test_a_password_in_the_servers_address_is_never_said() -> None:
    eyes = OpenAIVision("http://ana:secret@127.0.0.1:9/v1", "vlm", timeout_s=5)
    assert eyes.sends_to == "the vision server at http://ana:***@127.0.0.1:9/v1"
    with pytest.raises(VisionUnavailable) as failed:
        await eyes.look(read_picture(text_image(["hello"])))
    assert "Cannot reach the vision server at http://ana:***@127.0.0.1:9/v1" in str(failed.value)
    assert "secret" not in str(failed.value)
