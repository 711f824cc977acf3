"""Fakes that ship with os1, for its tests and for anyone writing a plugin.

Each stands in for a real part behind the same protocol: the scripted model
(``os1.llm.ScriptedLLM``), a stopped clock, the hashing embedder, and the
speech parts (``os1.testing.voice``), selectable from the settings as well.
"""

from os1.clock import FixedClock
from os1.llm.scripted import ScriptedLLM
from os1.memory.embedder import HashingEmbedder
from os1.testing.voice import HeardSTT, LoudnessVAD, ToneTTS, tone_speech

__all__ = [
    "FixedClock",
    "HashingEmbedder",
    "HeardSTT",
    "LoudnessVAD",
    "ScriptedLLM",
    "ToneTTS",
    "tone_speech",
]
