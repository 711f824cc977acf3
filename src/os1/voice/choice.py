"""Choosing os1's voice aloud, the first time the person talks with it.

os1 says a line in each voice, asks which one the person likes, and listens
for one answer ("the second one", "the woman's", "heart"). It keeps short:
one question, one answer, and an answer it cannot place keeps the voice it
has. Nothing is heard while a sample plays, so os1 never takes its own
voice (from a speaker the microphone picks up) for the answer.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from os1.voice.audio import SAMPLE_RATE, Samples
from os1.voice.base import STT, TTS, VAD
from os1.voice.pipeline import Listener, Sink

LINES = ("Hi! I could sound like this.", "Or I could sound like this.")
QUESTION = "Which voice do you like better, the first or the second?"
LISTEN_S = 8.0
"""How long os1 waits for the answer before it keeps the voice it has."""
_ORDINALS = (
    r"\b(first|1st|former|him|his|he|man|male|guy)\b",
    r"\b(second|two|2nd|latter|her|hers|she|woman|female|lady)\b",
)


@dataclass(frozen=True)
class Offered:
    """A voice offered: its name (as `os1 voices list` shows it) and the voice itself."""

    name: str
    tts: TTS


def picked(answer: str, names: Sequence[str]) -> int | None:
    """Which of the offered voices ``answer`` chooses (by order, kind or name), if exactly one."""
    text = answer.lower()
    hits = set()
    for n, name in enumerate(names):
        by_order = n < len(_ORDINALS) and re.search(_ORDINALS[n], text) is not None
        by_name = any(re.search(rf"\b{re.escape(w)}\b", text) for w in _words(name))
        if by_order or by_name:
            hits.add(n)
    return hits.pop() if len(hits) == 1 else None


def _words(name: str) -> list[str]:
    return [w for w in re.split(r"[^a-z]+", name.lower()) if len(w) > 2 and w != "medium"]


async def ask(
    frames: AsyncIterator[Samples], voices: Sequence[Offered], stt: STT, vad: VAD, sink: Sink
) -> int | None:
    """Say a line in each voice, ask which one, and return the index chosen (None: no answer).

    Reads from ``frames`` only until the answer has been heard, so the same
    stream then goes on to the conversation.
    """
    said = [(line, voice.tts) for line, voice in zip(LINES, voices, strict=False)]
    said.append((QUESTION, voices[-1].tts))
    clips = [await asyncio.to_thread(tts.synthesize, line) for line, tts in said]
    sink.new_reply()
    for clip, (line, _) in zip(clips, said, strict=True):  # all made first: no gaps between
        sink.play(clip, line)
    while sink.busy():
        if await anext(frames, None) is None:
            return None
    listener = Listener(vad)
    waited = 0.0
    while (frame := await anext(frames, None)) is not None:
        waited += len(frame) / SAMPLE_RATE
        if listener.feed(frame, waited) == "end":
            answer = await asyncio.to_thread(stt.transcribe, listener.audio())
            return picked(answer, [v.name for v in voices])
        if waited > LISTEN_S and not listener.turns.speaking:
            return None
    return None
