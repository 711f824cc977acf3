"""Long-term memory with the scripted model and the hashing embedder (fast), on both stores."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import text

from os1.app import json_asker
from os1.clock import FixedClock
from os1.companion import Companion
from os1.companion.intents import forget_topic
from os1.errors import InputError
from os1.events import ActionResult, Event, NeedsConfirmation, TurnCommitted
from os1.llm import ScriptedLLM
from os1.memory import HashingEmbedder, Memory
from os1.memory.dates import resolve_when
from os1.memory.recall import EXACT_LIMIT, VectorIndex
from os1.store import Journal, MemoryRecord, MemoryStore

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday


def memories(*items: dict[str, Any]) -> str:
    return json.dumps({"memories": list(items)})


def item(
    content: str, about: str, aspect: str, kind: str = "person", when: str = ""
) -> dict[str, Any]:
    return {
        "kind": kind,
        "about": about,
        "aspect": aspect,
        "content": content,
        "when": when,
        "importance": 4,
    }


class Setup:
    def __init__(self, home: Path, database_url: str = "") -> None:
        self.llm = ScriptedLLM()
        self.clock = FixedClock(NOW)
        self.journal = Journal.open(database_url, home / "os1.db")
        self.memory = Memory(
            MemoryStore(self.journal.engine), HashingEmbedder(), json_asker(self.llm), self.clock
        )
        self.companion = Companion(self.journal, self.llm, self.clock, memory=self.memory)

    async def say(self, text_: str, reply: str, extracted: str | None) -> TurnCommitted:
        self.llm.enqueue(reply)
        events = [e async for e in self.companion.turn(text_)]
        committed = events[-1]
        assert isinstance(committed, TurnCommitted)
        if extracted is not None:
            self.llm.enqueue(extracted)
        await self.companion.remember_pending()
        return committed

    def facts(self, user_id: int, **options: Any) -> list[MemoryRecord]:
        """What was remembered as records, leaving out the person's own words (episodes)."""
        return [r for r in self.memory.store.records(user_id, **options) if r.kind != "episode"]

    async def user(self) -> int:
        return await self.companion.user_id()


@pytest.fixture
async def setup(home: Path, database_url: str) -> AsyncIterator[Setup]:
    s = Setup(home, database_url)
    yield s
    await s.companion.aclose()


async def collect(events: AsyncIterator[Event]) -> list[Event]:
    return [e async for e in events]


async def test_a_fact_is_extracted_with_provenance_and_a_resolved_date(setup: Setup) -> None:
    committed = await setup.say(
        "Hi, I'm Theodore. My interview is Thursday at 10 and I am nervous.",
        "Good luck!",
        memories(
            item("The user's interview is Thursday at 10.", "interview", "time", "plan", "Thursday")
        ),
    )
    records = setup.facts(await setup.user())
    by_aspect = {r.aspect: r for r in records}
    assert by_aspect["name"].content == "The user's name is Theodore."
    interview = by_aspect["time"]
    assert interview.happens_on == date(2026, 11, 26)
    assert interview.source_turn_id == committed.turn_id
    assert interview.created_at == NOW
    assert 0 < interview.confidence <= 1
    assert setup.memory.store.pending_turns(await setup.user()) == []


async def test_a_changed_fact_supersedes_and_keeps_its_history(setup: Setup) -> None:
    await setup.say(
        "My sister Ana is moving to Lisbon in March.",
        "Exciting!",
        memories(
            item(
                "The user's sister Ana is moving to Lisbon in March.",
                "Ana",
                "home city",
                when="March",
            )
        ),
    )
    setup.clock.set(NOW + timedelta(days=3))
    await setup.say(
        "Ana moved to Porto instead.",
        "Oh!",
        memories(item("The user's sister Ana moved to Porto.", "Ana", "home city")),
    )
    user = await setup.user()
    active = setup.facts(user)
    assert [r.content for r in active] == ["The user's sister Ana moved to Porto."]
    everything = setup.facts(user, include_superseded=True)
    old = next(r for r in everything if "Lisbon" in r.content)
    assert old.superseded_by == active[0].id
    assert old.happens_on == date(2027, 3, 1)
    context = await setup.memory.context_for(user, "where does my sister Ana live?")
    assert "moved to Porto" in context.text
    assert "Earlier, until 2026-11-26: The user's sister Ana is moving to Lisbon" in context.text


async def test_saying_the_same_thing_again_reinforces_instead_of_duplicating(setup: Setup) -> None:
    fact = memories(item("The user hates cilantro.", "cilantro", "taste", "preference"))
    await setup.say("I hate cilantro.", "Noted.", fact)
    await setup.say("Seriously, I hate cilantro.", "Got it.", fact)
    [record] = setup.facts(await setup.user())
    assert record.confidence > 0.8


async def test_the_next_prompt_carries_what_was_remembered(setup: Setup) -> None:
    await setup.say(
        "My dog is called Biscuit.",
        "Cute!",
        memories(item("The user's dog is called Biscuit.", "dog", "name")),
    )
    fresh = await setup.companion.new_conversation()
    setup.llm.enqueue("Biscuit!")
    await collect(setup.companion.turn("What is my dog called?", fresh))
    prompt = setup.llm.calls[-1][0]
    assert [m.role for m in prompt] == ["system", "user"]
    assert "The user's dog is called Biscuit." in prompt[-1].content
    assert prompt[-1].content.endswith("What is my dog called?")


async def test_bad_model_output_is_retried_and_never_stored_as_garbage(setup: Setup) -> None:
    await setup.say("I love hiking in the mountains.", "Nice.", "this is not json")
    user = await setup.user()
    assert setup.facts(user) == []
    [pending] = setup.memory.store.pending_turns(user)
    assert pending.attempts == 1
    setup.llm.enqueue(
        memories(item("The user loves hiking in the mountains.", "hiking", "hobby", "preference"))
    )
    assert await setup.companion.remember_pending() == 1
    assert [r.content for r in setup.facts(user)] == ["The user loves hiking in the mountains."]


async def test_made_up_items_are_cleaned_or_dropped(setup: Setup) -> None:
    await setup.say(
        "My friend Amy just had a baby.",
        "Congratulations!",
        memories(
            item("My friend Amy had a baby.", "Amy", "baby", "identity", when="last Tuesday"),
            item("?", "x", "y"),
            item("The user's name is Bob.", "the user", "name", "identity"),
        ),
    )
    [record] = setup.facts(await setup.user())
    assert record.content == "The user's friend Amy had a baby."
    assert record.kind == "person"
    assert record.happens_on is None  # "last Tuesday" was never said


async def test_questions_do_not_reach_the_model(setup: Setup) -> None:
    await setup.say("What's the weather like?", "I can't tell.", None)
    assert len(setup.llm.calls) == 1
    assert setup.facts(await setup.user()) == []


async def test_forgetting_removes_the_memory_its_history_vectors_and_index(setup: Setup) -> None:
    await setup.say(
        "My sister Ana lives in Lisbon.",
        "Nice.",
        memories(item("The user's sister Ana lives in Lisbon.", "Ana", "home city")),
    )
    await setup.say(
        "Ana moved to Porto.",
        "Oh.",
        memories(item("The user's sister Ana lives in Porto.", "Ana", "home city")),
    )
    user = await setup.user()
    [current] = setup.facts(user)
    assert await setup.memory.forget(user, [current.id]) == 4, "two versions, two messages"
    assert setup.memory.store.records(user, include_superseded=True) == []
    assert await setup.memory.search(user, "Ana Porto Lisbon") == []
    with setup.journal.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM memory_vectors")).scalar() == 0
        if setup.journal.engine.dialect.name == "sqlite":
            assert conn.execute(text("SELECT count(*) FROM memories_fts")).scalar() == 0


async def test_search_finds_by_words_and_by_meaning(setup: Setup) -> None:
    await setup.say(
        "I play the cello in an orchestra.",
        "Lovely.",
        memories(item("The user plays the cello in an orchestra.", "cello", "hobby", "preference")),
    )
    await setup.say(
        "My brother Tom is a pilot.",
        "Cool.",
        memories(item("The user's brother Tom is a pilot.", "Tom", "job")),
    )
    user = await setup.user()
    found = await setup.memory.search(user, "cello")
    assert found[0].record.content.startswith("The user plays the cello")
    assert all("Tom" not in f.record.content for f in found[:1])


async def test_search_matches_other_forms_of_a_word(setup: Setup) -> None:
    await setup.say(
        "I'm learning Portuguese.",
        "Boa!",
        memories(item("The user is learning Portuguese.", "Portuguese", "hobby", "preference")),
    )
    user = await setup.user()
    found = MemoryStore(setup.journal.engine).fulltext(user, "Which languages did I learn?")
    assert found, "'learn' finds 'learning'"


def test_a_large_index_still_finds_every_close_memory() -> None:
    rng = np.random.default_rng(7)
    dim, count = 384, EXACT_LIMIT + 10_000
    matrix = rng.standard_normal((count, dim)).astype(np.float32)
    query = rng.standard_normal(dim).astype(np.float32)
    query /= np.linalg.norm(query)
    close = rng.choice(count, 12, replace=False)
    for n, row in enumerate(close):  # cosine with the query from about 0.45 to 0.9
        matrix[row] = query * (0.5 + n * 0.05) + rng.standard_normal(dim) * 0.04
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    rows = [(i + 1, matrix[i].tobytes()) for i in range(count)]
    index = VectorIndex.from_rows(rows, dim)
    assert index.signs is not None, "an index this large takes the sign-bit pass"
    found = index.top(query, 12)
    assert {i for i, _ in found} == {int(r) + 1 for r in close}
    exact = matrix @ query
    assert [round(s, 5) for _, s in found] == sorted(
        (round(float(exact[r]), 5) for r in close), reverse=True
    )


async def test_one_user_never_sees_anothers_memories(home: Path, database_url: str) -> None:
    alice = Setup(home, database_url)
    await alice.say(
        "My PIN hint is blue.",
        "Ok.",
        memories(item("The user's PIN hint is blue.", "PIN", "hint", "fact")),
    )
    bob_journal = alice.journal
    bob = bob_journal.user_id("bob", NOW)
    secret = alice.facts(await alice.user())[0]
    assert await alice.memory.search(bob, "PIN hint blue") == []
    assert alice.memory.store.get(bob, secret.id) is None
    assert await alice.memory.forget(bob, [secret.id]) == 0
    assert alice.memory.store.get(await alice.user(), secret.id) is not None
    await alice.companion.aclose()


async def test_export_then_import_restores_everything_including_history(
    home: Path, database_url: str, tmp_path: Path
) -> None:
    source = Setup(home, database_url)
    await source.say(
        "My sister Ana lives in Lisbon.",
        "Nice.",
        memories(item("The user's sister Ana lives in Lisbon.", "Ana", "home city")),
    )
    await source.say(
        "Ana moved to Porto.",
        "Oh.",
        memories(item("The user's sister Ana lives in Porto.", "Ana", "home city")),
    )
    exported = await source.memory.export(await source.user())
    assert exported["format"] == "os1-memory-export"
    assert exported["version"] == 1
    await source.companion.aclose()

    target = Setup(tmp_path / "other", "")
    user = await target.user()
    assert await target.memory.import_(user, json.loads(json.dumps(exported))) == 4
    again = await target.memory.export(user)
    strip = lambda e: [(m["content"], m["superseded_by"] is not None) for m in e["memories"]]  # noqa: E731
    assert strip(again) == strip(exported)
    found = await target.memory.search(user, "Ana Porto")
    assert {f.record.content for f in found[:2]} == {
        "The user's sister Ana lives in Porto.",
        "Ana moved to Porto.",
    }
    await target.companion.aclose()


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(version=2), "newer than this os1"),
        (lambda d: d["memories"][0].update(content="x" * 5000), "at most 2000"),
        (lambda d: d["memories"][0].update(importance="high"), "importance"),
        (lambda d: d["memories"][0].update(user_id=7), "user_id"),
        (lambda d: d["memories"][0].update(superseded_by=999), "not in the file"),
        (lambda d: d["memories"].append(dict(d["memories"][0])), "repeats"),
        (lambda d: d.pop("memories"), "memories"),
        (lambda d: d.update(format="something-else"), "format"),
    ],
)
async def test_a_bad_import_names_the_problem_and_adds_nothing(
    setup: Setup, mutate: Any, message: str
) -> None:
    await setup.say(
        "I collect stamps.",
        "Fun.",
        memories(item("The user collects stamps.", "stamps", "hobby", "preference")),
    )
    user = await setup.user()
    data = await setup.memory.export(user)
    mutate(data)
    with pytest.raises(InputError, match=message):
        await setup.memory.import_(user, data)
    assert len(setup.facts(user, include_superseded=True)) == 1


async def test_reflection_adds_insights_with_provenance_and_prunes_duplicates(setup: Setup) -> None:
    user = await setup.user()
    for sentence, aspect in [
        ("The user writes letters at 2am.", "letters"),
        ("The user cannot sleep most nights.", "sleep"),
        ("The user drinks tea while writing.", "tea"),
    ]:
        await setup.say(
            sentence.replace("The user", "I"),
            "Mm.",
            memories(item(sentence, "the user", aspect, "fact")),
        )
    ids = [r.id for r in setup.facts(user)]
    setup.llm.enqueue(
        json.dumps(
            {
                "insights": [
                    {
                        "content": "The user writes letters late at night when they cannot sleep.",
                        "based_on": ids[:2],
                    },
                    {"content": "Unsupported claim.", "based_on": [9999, 12345]},
                ]
            }
        )
    )
    new_ids, pruned = await setup.memory.reflect(user)
    [insight] = setup.facts(user, ids=new_ids)
    assert insight.kind == "insight"
    assert set(insight.derived_from) == set(ids[:2])
    assert pruned == 0


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("Thursday", date(2026, 11, 26)),
        ("next Monday", date(2026, 11, 30)),
        ("tomorrow", date(2026, 11, 24)),
        ("in March", date(2027, 3, 1)),
        ("March 5", date(2027, 3, 5)),
        ("the 3rd", date(2026, 12, 3)),
        ("in two weeks", date(2026, 12, 7)),
        ("2026-12-24", date(2026, 12, 24)),
        ("I may go", None),
        ("someday", None),
        ("2026-02-30", None),
    ],
)
def test_dates_are_resolved_relative_to_when_they_were_said(
    words: str, expected: date | None
) -> None:
    assert resolve_when(words, NOW.date()) == expected


async def test_forget_in_conversation_shows_what_goes_and_waits_for_yes(setup: Setup) -> None:
    await setup.say(
        "My sister Ana lives in Porto.",
        "Nice.",
        memories(item("The user's sister Ana lives in Porto.", "Ana", "home city")),
    )
    await setup.say(
        "I play the cello.",
        "Lovely.",
        memories(item("The user plays the cello.", "cello", "hobby", "preference")),
    )
    user = await setup.user()
    calls = len(setup.llm.calls)
    offer = await collect(setup.companion.turn("Forget what I told you about Ana."))
    [confirm] = [e for e in offer if isinstance(e, NeedsConfirmation)]
    assert set(confirm.items) == {
        "The user's sister Ana lives in Porto.",
        "My sister Ana lives in Porto.",
    }, "the fact, and the words it was told in"
    committed = offer[-1]
    assert isinstance(committed, TurnCommitted)
    assert "Shall I forget this for good?" in committed.reply
    assert len(setup.facts(user)) == 2  # nothing gone before the yes

    done = await collect(setup.companion.turn("yes"))
    [result] = [e for e in done if isinstance(e, ActionResult)]
    assert result.done
    assert [r.content for r in setup.facts(user)] == ["The user plays the cello."]
    assert len(setup.llm.calls) == calls  # the model never saw these two turns
    assert setup.memory.store.pending_turns(user) == []  # and nothing was extracted from them


async def test_forget_declined_or_ignored_keeps_everything(setup: Setup) -> None:
    await setup.say(
        "My sister Ana lives in Porto.",
        "Nice.",
        memories(item("The user's sister Ana lives in Porto.", "Ana", "home city")),
    )
    user = await setup.user()
    await collect(setup.companion.turn("please forget about Ana"))
    declined = await collect(setup.companion.turn("no, keep it"))
    assert any(isinstance(e, ActionResult) and not e.done for e in declined)
    await collect(setup.companion.turn("forget about Ana"))
    setup.llm.enqueue("Sure, tell me about your day.")
    await collect(setup.companion.turn("Actually, let's talk about something else."))
    setup.llm.enqueue(memories())
    await setup.companion.remember_pending()
    await collect(setup.companion.turn("yes"))  # the offer lapsed with the change of subject
    assert len(setup.facts(user)) == 1


@pytest.mark.parametrize(
    ("said", "topic"),
    [
        ("Forget what I told you about Ana.", "Ana"),
        ("please forget about my ex", "my ex"),
        ("forget everything about the interview!", "the interview"),
        ("Could you forget that I hate cilantro", "I hate cilantro"),
        ("I forget things all the time", None),
        ("Don't forget my birthday", None),
    ],
)
def test_forget_requests_are_recognised_only_when_meant(said: str, topic: str | None) -> None:
    assert forget_topic(said) == topic
