"""Long-term memory: extraction, hybrid recall, reflection, and the person's control of it."""

from os1.memory.embedder import (
    MINILM,
    MINILM_ASSETS,
    Embedder,
    HashingEmbedder,
    OnnxEmbedder,
    create_embedder,
)
from os1.memory.memory import AskJson, Context, Memory
from os1.memory.recall import Recalled, VectorIndex

__all__ = [
    "MINILM",
    "MINILM_ASSETS",
    "AskJson",
    "Context",
    "Embedder",
    "HashingEmbedder",
    "Memory",
    "OnnxEmbedder",
    "Recalled",
    "VectorIndex",
    "create_embedder",
]
