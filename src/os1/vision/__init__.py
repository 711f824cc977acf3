"""Seeing: a picture and a question in, a typed observation out; offline by default.

Backends register under the ``os1.vision`` entry-point group (``offline``,
``openai``, ``gguf``) and the ``vision`` setting picks one. An image is read
in memory (:mod:`os1.vision.picture`); nothing is written or sent anywhere
unless the person keeps the image or configured a remote backend.
"""

from os1.vision.base import Observation, TextFound, Vision
from os1.vision.picture import Picture, read_picture, read_picture_file
from os1.vision.registry import create_vision, vision_names
from os1.vision.words import describe, for_prompt, summary

__all__ = [
    "Observation",
    "Picture",
    "TextFound",
    "Vision",
    "create_vision",
    "describe",
    "for_prompt",
    "read_picture",
    "read_picture_file",
    "summary",
    "vision_names",
]
