"""The gguf vision backend: settings and files checked, and llama.cpp in process refusing clearly.

No vision-language GGUF or projector is installed on these machines (none ships whole in a
package), so the model's own answers are not tested here; the request goes through the real
llama.cpp with the default chat model, which has no projector and refuses the image.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from os1.config import load_settings, resolve_paths
from os1.errors import ConfigError, ModelError, VisionUnavailable
from os1.vision import create_vision, read_picture
from os1.vision.gguf import GGUFVision
from vision_images import text_image


async def test_the_model_and_its_projector_are_both_needed_and_must_be_gguf(
    tmp_path: Path,
) -> None:
    model = tmp_path / "vlm.gguf"
    model.write_bytes(b"not a model")
    with pytest.raises(ConfigError, match="needs the model file and its projector") as alone:
        create_vision(load_settings(vision=f"gguf:{model}"), resolve_paths())
    assert "vision_mmproj" in alone.value.fix
    settings = load_settings(vision=f"gguf:{model}", vision_mmproj=str(tmp_path / "none.gguf"))
    eyes = create_vision(settings, resolve_paths())
    with pytest.raises(ModelError, match=f"The vision model {model} is not a GGUF file"):
        await eyes.look(read_picture(text_image(["Lake House"])))


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
