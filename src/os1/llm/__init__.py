"""Chat models: the protocol, the built-in backends' registry, and the model catalog."""

from os1.llm.base import LLM, GenerationOptions, Message, complete, complete_json
from os1.llm.registry import backend_names, create_llm, split_spec
from os1.llm.scripted import ScriptedLLM

__all__ = [
    "LLM",
    "GenerationOptions",
    "Message",
    "ScriptedLLM",
    "backend_names",
    "complete",
    "complete_json",
    "create_llm",
    "split_spec",
]
