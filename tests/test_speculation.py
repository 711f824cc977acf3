"""Getting ahead of a spoken turn: words read early, replies started at a pause and taken over."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from os1.app import json_asker, letter_writer
from os1.clock import FixedClock
from os1.companion import Companion
from os1.companion.initiative import Initiatives, Rules
from os1.companion.letters import LetterHelper
from os1.companion.session import Session
from os1.letters.studio import Studio
from os1.llm import GenerationOptions, Message, ScriptedLLM
from os1.llm.speculative import Speculation
from os1.memory import HashingEmbedder, Memory
from os1.store import Journal, MemoryStore
from os1.store.initiatives import InitiativeStore
from os1.store.letters import LetterStore
from os1.testing import LoudnessVAD, ToneTTS, tone_speech
from os1.voice.pipeline import Timeline, VoicePipeline, file_frames

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


class CachingLLM(ScriptedLLM):
    """A scripted model that, like the embedded one, can read a prompt without answering."""

    def __init__(self, replies: Sequence[str] = (), delay_s: float = 0.0) -> None:
        super().__init__(replies, delay_s)
        self.prefilled: list[str] = []
        self.pieces_made = 0

    async def prefill(self, messages: Sequence[Message], options: GenerationOptions) -> None:
        self.prefilled.append(messages[-1].content)

    async def stream(self, messages: Sequence[Message], options: GenerationOptions):  # type: ignore[no-untyped-def,override]
        async for piece in super().stream(messages, options):
            self.pieces_made += 1
            yield piece


def ask(text: str) -> list[Message]:
    return [Message("system", "Be brief."), Message("user", text)]


OPTIONS = GenerationOptions(max_tokens=50, temperature=0.0, session="conversation-1")


async def test_an_identical_request_takes_over_the_reply_already_under_way() -> None:
    llm = CachingLLM(["It is three hundred and eighty thousand kilometres."], delay_s=0.01)
    early = Speculation(llm)
    await early.start(ask("How far is the moon?"), OPTIONS)
    await asyncio.sleep(0.035)  # a few words are written before the turn is certain
    made_before = llm.pieces_made
    assert made_before >= 2
    reply = "".join([p async for p in early.stream(ask("How far is the moon?"), OPTIONS)])
    assert reply == "It is three hundred and eighty thousand kilometres."
    assert len(llm.calls) == 1, "the model was asked once, not again"


async def test_a_different_request_stops_the_early_one_and_asks_afresh() -> None:
    llm = CachingLLM(["one two three four five six seven eight", "Hello there."], delay_s=0.01)
    early = Speculation(llm)
    await early.start(ask("How far is the"), OPTIONS)
    await asyncio.sleep(0.025)
    reply = "".join([p async for p in early.stream(ask("How far is the sea?"), OPTIONS)])
    assert reply == "Hello there."
    assert len(llm.calls) == 2
    assert llm.pieces_made < 8 + 2, "the early reply was stopped, not written to the end"


async def test_nothing_is_started_early_on_a_model_without_a_cache() -> None:
    llm = ScriptedLLM(["A reply."])
    early = Speculation(llm)
    assert not early.possible
    await early.start(ask("Hi"), OPTIONS)
    await early.prefill(ask("Hi"), OPTIONS)
    assert llm.calls == []


def companion_with(home: Path, llm: ScriptedLLM) -> Companion:
    home.mkdir(parents=True, exist_ok=True)
    return Companion(Journal.open("", home / "os1.db"), llm, FixedClock(NOW))


async def test_an_anticipated_turn_is_taken_over_and_a_withdrawn_one_leaves_no_trace(
    home: Path,
) -> None:
    llm = CachingLLM(["Porto, of course.", "Fine, go on."], delay_s=0.005)
    companion = companion_with(home, llm)
    conversation = await companion.new_conversation()
    await companion.anticipate("Where does my sister", conversation, final=False)
    assert llm.prefilled == ["Where does my sister"], "the words so far were read"
    await companion.anticipate("Where does my sister live?", conversation, final=True)
    events = [e async for e in companion.turn("Where does my sister live?", conversation)]
    assert events[-1].reply == "Porto, of course."  # type: ignore[attr-defined]
    assert len(llm.calls) == 1

    await companion.anticipate("And my brother", conversation, final=True)
    await asyncio.sleep(0.01)
    await companion.withdraw()
    turns = await companion.history(conversation)
    assert [t.user_text for t in turns] == ["Where does my sister live?"], "nothing stored"
    await companion.aclose()


def full_companion(home: Path, llm: CachingLLM) -> Companion:
    """A companion with memory, reminders and letters, so every skill is installed."""
    home.mkdir(parents=True, exist_ok=True)
    clock = FixedClock(NOW)
    journal = Journal.open("", home / "os1.db")
    studio = Studio(LetterStore(journal.engine), letter_writer(llm), clock)
    return Companion(
        journal,
        llm,
        clock,
        memory=Memory(MemoryStore(journal.engine), HashingEmbedder(), json_asker(llm), clock),
        initiatives=Initiatives(InitiativeStore(journal.engine), clock, Rules()),
        letters=LetterHelper(studio, journal, clock),
    )


async def test_requests_os1_answers_itself_are_never_anticipated(home: Path) -> None:
    llm = CachingLLM()
    companion = full_companion(home, llm)
    conversation = await companion.new_conversation()
    for text in (
        "Remind me to call mum tomorrow at 6pm",
        "Forget what I told you about Bob",
        "Help me write a letter to my sister Ana",
        "proofread: I could of gone",
    ):
        await companion.anticipate(text, conversation, final=True)
        await companion.anticipate(text, conversation, final=False)
    assert llm.calls == []
    assert llm.prefilled == []
    [e async for e in companion.turn("Remind me to call mum tomorrow at 6pm", conversation)]
    await companion.anticipate("yes", conversation, final=True)
    assert llm.calls == [], "the answer to a waiting proposal is os1's own"
    await companion.aclose()


async def test_a_pause_mid_sentence_starts_a_reply_that_is_withdrawn_when_speech_goes_on(
    home: Path,
) -> None:
    """Two bursts of speech with a 220 ms pause: one turn, answered from the whole utterance."""

    class SoFarSTT:
        """Hears one sentence per burst of speech in the audio."""

        def transcribe(self, samples: np.ndarray) -> str:
            loud = np.abs(samples) > 0.1
            edges = np.flatnonzero(np.diff(loud.astype(np.int8)) == 1)
            bursts = 1 + int(np.sum(np.diff(edges) > 1600)) if loud.any() else 0
            return " ".join(["Tell me", "about the moon."][:bursts])

    llm = CachingLLM(["The early reply.", "The moon is far."], delay_s=0.02)
    companion = companion_with(home, llm)
    sink = Timeline(rate=16_000)
    pipeline = VoicePipeline(
        Session(companion, "me"), SoFarSTT(), ToneTTS(), LoudnessVAD(), sink, idle=False
    )
    clip = tone_speech(("talk", 0.6), ("quiet", 0.22), ("talk", 0.6), ("quiet", 0.5))
    await pipeline.run(file_frames(clip, realtime=True, until=sink.busy))
    [turn] = pipeline.turns
    assert turn.transcript == "Tell me about the moon."
    assert turn.reply == "The moon is far."
    replies = [m[-1].content for m, o in llm.calls if o.max_tokens > 1]  # not the prewarm
    assert replies == ["Tell me", "Tell me about the moon."], "early reply, then the real one"
    history = await companion.history(1)
    assert [(t.user_text, t.reply) for t in history] == [
        ("Tell me about the moon.", "The moon is far.")
    ]
    await companion.aclose()
