"""The gguf vision backend: settings and files checked, and llama.cpp in process refusing clearly.

No vision-language GGUF or projector is installed on these machines (none ships whole in a
package), so the model's own answers are not tested here; the request goes through the real
llama.cpp with the default chat model, which has no projector and refuses the image.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import run_os1

from os1.errors import ModelError, VisionUnavailable
from os1.vision import read_picture
from os1.vision.gguf import GGUFVision
from vision_images import text_image


def test_the_model_and_its_projector_are_both_needed_and_must_be_gguf(tmp_path: Path) -> None:
    photo = tmp_path / "sign.png"
    photo.write_bytes(text_image(["Lake House"]))
    model = tmp_path / "vlm.gguf"
    model.write_bytes(b"not a model")
    alone = run_os1("look", str(photo), env={"OS1_VISION": f"gguf:{model}"})
    assert alone.code == 1
    assert "needs the model file and its projector" in alone.stderr
    assert "vision_mmproj" in alone.stderr
    env = {"OS1_VISION": f"gguf:{model}", "OS1_VISION_MMPROJ": str(tmp_path / "none.gguf")}
    broken = run_os1("look", str(photo), env=env)
    assert broken.code == 1
    assert f"The vision model {model} is not a GGUF file" in broken.stderr


async def test_a_missing_projector_file_is_named(tmp_path: Path) -> None:
    model = tmp_path / "vlm.gguf"
    model.write_bytes(b"GGUF" + b"\0" * 64)
    eyes = GGUFVision(model, tmp_path / "mmproj.gguf")
    with pytest.raises(ModelError, match=r"The projector \(mmproj\) .*mmproj.gguf cannot be read"):
        await eyes.look(read_picture(text_image(["hello"])))


@pytest.mark.real_model
async def test_llama_cpp_without_a_projector_refuses_the_image_clearly(real_model: Path) -> None:
    eyes = GGUFVision(real_model, None, threads=2)
    with pytest.raises(VisionUnavailable) as refused:
        await eyes.look(read_picture(text_image(["Platform 4"])), "which platform?")
    assert "image input is not supported" in str(refused.value)
    assert "vision_mmproj" in str(refused.value)
