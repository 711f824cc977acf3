from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from os1.clock import FixedClock
from os1.companion import Companion
from os1.companion.prompt import TRIM_BLOCK, build_messages
from os1.errors import LLMUnavailable
from os1.events import ErrorEvent, Event, Notice, TokenDelta, TurnCommitted, TurnStarted
from os1.llm import GenerationOptions, Message, ScriptedLLM
from os1.store import Journal, TurnRecord

NOW = datetime(2026, 3, 5, 18, 30, tzinfo=UTC)


def make(home: Path, llm: object, database_url: str = "", **kwargs: int) -> Companion:
    journal = Journal.open(database_url, home / "os1.db")
    return Companion(journal, llm, FixedClock(NOW), **kwargs)  # type: ignore[arg-type]


async def collect(events: AsyncIterator[Event]) -> list[Event]:
    return [e async for e in events]


async def test_a_turn_streams_then_commits(database_url: str, home: Path) -> None:
    llm = ScriptedLLM(["Nice to meet you, Theo."])
    companion = make(home, llm, database_url)
    events = await collect(companion.turn("Hi, I'm Theo."))
    assert isinstance(events[0], TurnStarted)
    deltas = [e.text for e in events if isinstance(e, TokenDelta)]
    assert "".join(deltas) == "Nice to meet you, Theo."
    assert len(deltas) > 1
    committed = events[-1]
    assert isinstance(committed, TurnCommitted)
    assert committed.reply == "Nice to meet you, Theo."
    assert not committed.interrupted
    assert committed.at == NOW
    stored = await companion.history(committed.conversation_id)
    assert [(t.user_text, t.reply) for t in stored] == [("Hi, I'm Theo.", committed.reply)]
    await companion.aclose()


async def test_the_next_turn_sees_the_conversation_so_far(home: Path) -> None:
    llm = ScriptedLLM(["Hello Theo.", "You are Theo."])
    companion = make(home, llm)
    await collect(companion.turn("My name is Theo."))
    await collect(companion.turn("What is my name?"))
    prompt, options = llm.calls[-1]
    assert [m.role for m in prompt] == ["system", "user", "assistant", "user"]
    assert prompt[1].content == "My name is Theo."
    assert prompt[2].content == "Hello Theo."
    assert "Thursday, 05 March 2026" in prompt[0].content
    assert options.session is not None
    await companion.aclose()


async def test_old_turns_leave_the_prompt_in_blocks_so_its_start_rarely_changes(
    database_url: str, home: Path
) -> None:
    """A prompt whose start changes every turn makes the model re-read or shift its cache."""
    llm = ScriptedLLM()
    companion = make(home, llm, database_url, history_turns=4)
    for n in range(1, 10):
        await collect(companion.turn(f"message {n}"))
    firsts = [prompt[1].content for prompt, _ in llm.calls]
    assert firsts[:5] == ["message 1"] * 5
    sizes = [(len(prompt) - 2) // 2 for prompt, _ in llm.calls]
    assert sizes == [0, 1, 2, 3, 4, 3, 4, 3, 4], "never more than four past turns"
    assert firsts[5:] == ["message 3", "message 3", "message 5", "message 5"]
    await companion.aclose()


async def test_a_new_conversation_starts_empty(home: Path) -> None:
    llm = ScriptedLLM(["one", "two"])
    companion = make(home, llm)
    await collect(companion.turn("first"))
    fresh = await companion.new_conversation()
    await collect(companion.turn("second", fresh))
    assert [m.role for m in llm.calls[-1][0]] == ["system", "user"]
    assert len(await companion.conversations()) == 2
    await companion.aclose()


async def test_stop_keeps_what_was_said_as_interrupted(home: Path) -> None:
    llm = ScriptedLLM(["one two three four five six seven eight nine ten"], delay_s=0.01)
    companion = make(home, llm)
    stop = asyncio.Event()
    events: list[Event] = []
    async for event in companion.turn("count", stop=stop):
        events.append(event)
        if sum(isinstance(e, TokenDelta) for e in events) == 3:
            stop.set()
    committed = events[-1]
    assert isinstance(committed, TurnCommitted)
    assert committed.interrupted
    assert committed.reply == "one two three"
    [stored] = await companion.history(committed.conversation_id)
    assert stored.interrupted
    assert stored.reply == "one two three"
    await companion.aclose()


async def test_a_front_door_that_leaves_mid_reply_still_commits(home: Path) -> None:
    llm = ScriptedLLM(["alpha beta gamma delta epsilon"], delay_s=0.01)
    companion = make(home, llm)
    turn = companion.turn("go")
    async for event in turn:
        if isinstance(event, TokenDelta):
            break
    await turn.aclose()
    conversation = await companion.resolve_conversation()
    [stored] = await companion.history(conversation)
    assert stored.interrupted
    assert stored.reply == "alpha"
    await companion.aclose()


async def test_empty_input_is_refused_and_nothing_is_stored(home: Path) -> None:
    companion = make(home, ScriptedLLM())
    events = await collect(companion.turn("  \n\t "))
    assert len(events) == 1
    assert isinstance(events[0], ErrorEvent)
    assert "empty" in events[0].message
    assert await companion.conversations() == []
    await companion.aclose()


async def test_huge_input_is_cut_to_the_context_with_a_notice(home: Path) -> None:
    llm = ScriptedLLM(["ok"])
    companion = make(home, llm, context_tokens=2048, max_reply_tokens=256)
    events = await collect(companion.turn("word " * 200_000))
    notices = [e for e in events if isinstance(e, Notice)]
    assert notices
    assert "left out" in notices[0].message
    sent = llm.calls[0][0][-1].content
    assert len(sent) < 5000
    assert isinstance(events[-1], TurnCommitted)
    await companion.aclose()


async def test_control_characters_are_removed(home: Path) -> None:
    llm = ScriptedLLM(["ok"])
    companion = make(home, llm)
    events = await collect(companion.turn("hel\x00lo\x1b[31m there\ufffd"))
    assert llm.calls[0][0][-1].content == "hello[31m there\ufffd"
    assert any(isinstance(e, Notice) for e in events)
    await companion.aclose()


class FailingLLM:
    name = "failing"

    async def stream(
        self, messages: Sequence[Message], options: GenerationOptions
    ) -> AsyncIterator[str]:
        yield "half"
        raise LLMUnavailable("The model server went away.", "Start it again.")

    async def aclose(self) -> None:
        return None


async def test_a_model_failure_is_reported_and_stores_nothing_half_done(home: Path) -> None:
    companion = make(home, FailingLLM())
    events = await collect(companion.turn("hello"))
    assert isinstance(events[-1], ErrorEvent)
    assert "went away" in events[-1].message
    conversation = await companion.resolve_conversation()
    assert await companion.history(conversation) == []
    await companion.aclose()


async def test_history_is_cut_to_the_budget_oldest_first(home: Path) -> None:
    llm = ScriptedLLM()
    companion = make(home, llm, context_tokens=1024, max_reply_tokens=128)
    for i in range(12):
        await collect(companion.turn(f"turn {i} " + "x" * 300))
    prompt = llm.calls[-1][0]
    assert prompt[0].role == "system"
    assert prompt[-1].content.startswith("turn 11")
    kept = [m.content for m in prompt if m.role == "user"]
    assert 1 < len(kept) < 12
    assert kept[-2].startswith("turn 10")
    await companion.aclose()


def test_a_spoken_turn_keeps_the_history_its_read_ahead_kept() -> None:
    now = datetime(2026, 11, 30, 12, tzinfo=UTC)
    asked, answered = "about my day " * 6, "an answer " * 40
    history = [
        TurnRecord(n, 1, f"question {n} {asked}", answered, False, "", now, now) for n in range(60)
    ]
    block = "\n".join(f"- The user's friend number {n} lives in town {n}." for n in range(8))

    def first_kept(turns: int, words: str, remembered: str = "") -> str:
        prompt = build_messages(
            now, history[:turns], words, context_tokens=4096, reply_tokens=80,
            remembered=remembered, note="Answer in a sentence or two.",
        )  # fmt: skip
        assert len(prompt) < 2 * turns, "the history outgrew the budget"
        return prompt[1].content

    starts = []
    for turns in range(30, 50):
        ahead = first_kept(turns, "")
        spoken = first_kept(turns, "what should I cook tonight with rice and spinach", block)
        assert spoken == ahead, "the turn reads no old turn its read-ahead did not"
        starts.append(ahead)
    assert len(set(starts)) <= -(-len(starts) // TRIM_BLOCK) + 1, "old turns go a few at a time"


async def test_unknown_conversation_is_an_error_not_a_crash(home: Path) -> None:
    companion = make(home, ScriptedLLM())
    events = await collect(companion.turn("hi", 999))
    assert isinstance(events[-1], ErrorEvent)
    assert "no conversation 999" in events[-1].message
    await companion.aclose()


@pytest.mark.parametrize("text", ["é" * 10, "日本語のテキスト", "emoji 🙂 ok"])
async def test_unicode_survives_the_round_trip(home: Path, text: str) -> None:
    companion = make(home, ScriptedLLM([f"Oh, {text}"]))
    events = await collect(companion.turn(text))
    committed = events[-1]
    assert isinstance(committed, TurnCommitted)
    [stored] = await companion.history(committed.conversation_id)
    assert stored.user_text == text
    assert stored.reply == f"Oh, {text}"
    await companion.aclose()
