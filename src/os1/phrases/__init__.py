"""Phrasing as data, per language: how people say yes, no, and not yet."""

from os1.phrases.answers import LANGUAGES, Phrases, Reply, normalise, phrases, read_reply

__all__ = ["LANGUAGES", "Phrases", "Reply", "normalise", "phrases", "read_reply"]
