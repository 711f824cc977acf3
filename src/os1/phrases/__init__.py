"""Phrasing as data, per language: how people say yes, no and not yet, and what they ask for."""

from os1.phrases.answers import (
    LANGUAGES,
    Phrases,
    Reply,
    intent,
    normalise,
    phrases,
    read_reply,
)

__all__ = ["LANGUAGES", "Phrases", "Reply", "intent", "normalise", "phrases", "read_reply"]
