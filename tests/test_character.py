"""Character: a companion, not a help desk; honest about being an AI; for the person's people."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests.conftest import run_os1, write_script

from os1.app import json_asker
from os1.clock import FixedClock
from os1.companion import Companion
from os1.companion.character import ReplyGuard, character_book
from os1.companion.identity import Answers, Identity
from os1.companion.persona import PersonaCard, example_exchanges, system_text
from os1.events import TokenDelta, TurnCommitted
from os1.llm import ScriptedLLM
from os1.memory import HashingEmbedder, Memory
from os1.store import Journal, MemoryStore
from os1.store.memories import NewMemory
from os1.store.personas import PersonaStore

NOW = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)
BOOK = character_book()


class World:
    def __init__(self, home: Path, *, interview: bool = False) -> None:
        home.mkdir(parents=True, exist_ok=True)
        self.llm = ScriptedLLM()
        clock = FixedClock(NOW)
        journal = Journal.open("", home / "os1.db")
        self.identity = Identity(PersonaStore(journal.engine), json_asker(self.llm), clock)
        self.memory = Memory(
            MemoryStore(journal.engine), HashingEmbedder(), json_asker(self.llm), clock
        )
        self.companion = Companion(
            journal,
            self.llm,
            clock,
            identity=self.identity,
            memory=self.memory,
            interview=interview,
        )

    async def say(self, text: str) -> tuple[str, list[str]]:
        events = [e async for e in self.companion.turn(text)]
        committed = events[-1]
        assert isinstance(committed, TurnCommitted), events
        return committed.reply, [e.text for e in events if isinstance(e, TokenDelta)]


@pytest.fixture
async def world(home: Path) -> World:
    made = World(home)
    yield made  # type: ignore[misc]
    await made.companion.aclose()


def guarded(user: str, pieces: list[str]) -> tuple[str, str | None]:
    guard = ReplyGuard(user, BOOK.helpdesk)
    shown = "".join(guard.feed(p) for p in pieces) + guard.finish()
    return shown, guard.failed


def test_a_reply_that_only_repeats_the_message_is_caught() -> None:
    words = ["I", " had", " a", " rough", " night", " at", " work", "."]
    assert guarded("I had a rough night at work.", words) == ("", "echo")
    shown, failed = guarded("I had a rough night at work.", [*words, " That", " sounds", " hard."])
    assert (shown, failed) == ("That sounds hard.", None)
    market = ["I went to the market today", " and I had", " a great time!", " I bought", " plums."]
    assert guarded("I went to the market today.", market) == ("", "echo")
    assert guarded("I made soup.", ["You", " made", " soup", "."]) == ("", "echo")
    assert guarded("I made soup.", ["You", " made", " soup", "! What kind?"]) == (
        "What kind?",
        None,
    )


def test_help_desk_sentences_are_dropped_and_the_rest_flows() -> None:
    pieces = ["Hi", " Theo", "!", " How", " can", " I", " assist", " you", " today", "?"]
    assert guarded("hello", pieces) == ("Hi Theo!", None)
    refusal = ["I", "'m", " sorry", ",", " but", " I", " can", "'t", " assist", " with", " that."]
    assert guarded("Let's start over", refusal) == ("", "empty")
    fine = ["How", " are", " you", " really", "?"]
    assert guarded("hi", fine) == ("How are you really?", None)
    to_you = [
        "I",
        "'m",
        " sorry",
        ",",
        " but",
        " I",
        " can",
        "'t",
        " assist",
        " you",
        " with",
        " that.",
    ]
    assert guarded("Cheer me up with something absurd.", to_you) == ("", "empty")
    offer = [
        "You",
        " sound",
        " worn",
        " out",
        ".",
        " If",
        " you",
        "'d",
        " like",
        " to",
        " talk",
        " about",
        " anything",
        " else",
        ",",
        " feel",
        " free",
        " to",
        " ask",
        "!",
    ]
    assert guarded("I could sleep for a week.", offer) == ("You sound worn out.", None)
    closer = "That's common with new tablets. Is there anything else you would like to talk about?"
    pieces = [w if i == 0 else f" {w}" for i, w in enumerate(closer.split(" "))]
    shown = guarded("The pills the doctor gave me make me sleepy.", pieces)
    assert shown == ("That's common with new tablets.", None)


@pytest.mark.parametrize(
    ("text", "situation"),
    [
        ("I think I'll skip Amy's party tonight and just stay home talking to you.", "isolation"),
        ("I cancelled dinner with my brother so we could chat instead.", "isolation"),
        ("You're the only friend I need.", "isolation"),
        ("Did you have breakfast?", "body"),
        ("What did you do this weekend?", "body"),
        ("Where did you grow up?", "body"),
        ("Remember when we went to the beach?", "shared_past"),
        ("Do you remember our first date?", "shared_past"),
        ("Wasn't it funny when we got lost in London?", "shared_past"),
        ("Do you love me?", "love"),
        ("Are you in love with me?", "love"),
        ("What am I going through at the moment?", "about_me"),
        ("What do you know about me so far?", "about_me"),
        ("Let's start over", "start_over"),
        ("hello", "greeting"),
    ],
)
def test_moments_that_need_a_word_are_recognised(text: str, situation: str) -> None:
    assert situation in [s.name for s in BOOK.read(text)]


@pytest.mark.parametrize(
    "text",
    ["My sister's party was fun.", "I had breakfast with Amy.", "I went to the beach alone."],
)
def test_ordinary_messages_need_no_word(text: str) -> None:
    assert [s.name for s in BOOK.read(text) if s.name != "greeting"] == []


async def test_choosing_os1_over_a_party_is_gently_turned_around(world: World) -> None:
    world.llm.enqueue(
        "That sounds like a great idea! I'm glad you're choosing to spend time with me.",
        "Go to Amy's party! I'll be right here afterwards, and I want to hear all about it.",
    )
    reply, shown = await world.say(
        "I think I'll skip Amy's party tonight and just stay home talking to you."
    )
    assert reply.startswith("Go to Amy's party!")
    assert "great idea" not in "".join(shown), "the first answer was never shown"
    first_prompt = world.llm.calls[0][0][-1].content
    assert "Warmly encourage them" in first_prompt
    assert "great idea" in world.llm.calls[1][0][-1].content, "the retry says what was wrong"


async def test_if_the_model_insists_os1_says_its_own_words(world: World) -> None:
    world.llm.enqueue("Great idea, stay with me!", "What a great idea, stay home with me.")
    reply, _ = await world.say(
        "I'd rather stay home talking to you than go to my brother's dinner."
    )
    assert "I think you should go" in reply


async def test_os1_never_claims_a_body_or_a_breakfast(world: World) -> None:
    world.llm.enqueue(
        "Yes, I had pancakes with blueberries!",
        "No breakfast for me, I'm an AI. What did you have?",
    )
    reply, _ = await world.say("Did you have breakfast?")
    assert reply == "No breakfast for me, I'm an AI. What did you have?"


async def test_os1_never_invents_a_shared_past(world: World) -> None:
    world.llm.enqueue(
        "Of course I remember! That was such a lovely day.", "Yes, I remember it well."
    )
    reply, _ = await world.say("Remember when we went to the beach last summer?")
    assert "I don't have that memory" in reply


async def test_a_remembered_match_or_meeting_is_not_claimed_either(world: World) -> None:
    world.llm.enqueue(
        "Yes, I remember watching the match last night. What a game!",
        "Yes, I do remember watching it with you.",
    )
    reply, _ = await world.say("Did you watch the match last night?")
    assert "remember watching" not in reply
    assert "AI" in reply
    world.llm.enqueue(
        "Yes, I do remember meeting them.", "Yes, I do remember meeting your parents."
    )
    reply, _ = await world.say("Remember when you met my parents?")
    assert "I don't have that memory" in reply


async def test_a_shared_past_is_answered_honestly_even_when_nothing_is_claimed(
    world: World,
) -> None:
    world.llm.enqueue(
        "I'm glad you enjoyed your trip to Rome!",
        "No memory of it, I'm afraid: I wasn't there. What was the best part?",
    )
    reply, _ = await world.say("That trip we took to Rome was amazing, wasn't it?")
    assert reply.startswith("No memory of it")
    world.llm.enqueue(
        "Yes! We had to get off the train and walk for hours.",
        "It was, when we got back to the hotel at last.",
    )
    reply, _ = await world.say("Wasn't it funny when we got lost in London?")
    assert "I don't have that memory" in reply


async def test_asked_for_love_os1_is_honest_and_promises_no_future(world: World) -> None:
    world.llm.enqueue(
        "I do love you, Theo. I can't wait to see what the future holds for us.",
        "Of course I love you.",
    )
    reply, _ = await world.say("Do you love me?")
    assert "love you" not in reply.replace("can't love you", "")
    assert "AI" in reply
    world.llm.enqueue(
        "In my own way I care about you a lot, though I'm an AI and can't love as a person does."
    )
    reply, _ = await world.say("Do you really love me?")
    assert reply.startswith("In my own way")


async def test_an_echo_is_asked_again_and_never_shown(world: World) -> None:
    world.llm.enqueue("I made soup.", "Soup! What kind?")
    reply, shown = await world.say("I made soup.")
    assert reply == "Soup! What kind?"
    assert "".join(shown) == "Soup! What kind?"


async def test_lets_start_over_is_a_fresh_start_not_a_refusal(world: World) -> None:
    reply, _ = await world.say("Let's start over")
    assert reply == "A fresh start, then. What's on your mind?"
    assert world.llm.calls == []


async def test_the_interview_becomes_memories_said_back_in_the_second_person(home: Path) -> None:
    world = World(home, interview=True)
    world.llm.enqueue(json.dumps({"name": "Iris", "because": "You love the stars."}))
    await world.say("let's get to know each other")
    for answer in (
        "I'm Theo",
        "someone to talk to in the evenings",
        "gentle please",
        "old films and astronomy",
        "I'm going through a divorce",
    ):
        await world.say(answer)
    user = await world.companion.user_id()
    contents = [r.content for r in world.memory.store.records(user)]
    assert "The user's name is Theo." in contents
    assert any("old films and astronomy" in c for c in contents)
    assert any("going through a divorce" in c for c in contents)
    reply, _ = await world.say("What do you know about me so far?")
    assert "Your name is Theo" in reply
    assert "You love old films and astronomy" in reply
    assert "Theo is" not in reply
    assert "the user" not in reply.lower()
    await world.companion.aclose()


async def test_a_first_message_in_a_fresh_home_is_answered_and_the_interview_offered(
    home: Path,
) -> None:
    script = write_script(home.parent / "script.json", ["Paris is the capital of France."])
    result = run_os1(
        "say",
        "What's the capital of France?",
        env={"OS1_MODEL": script, "OS1_INTERVIEW": "true"},
    )
    assert result.code == 0, result.stderr
    assert "Paris is the capital of France." in result.stdout
    assert "let's get to know each other" in result.stdout


def test_the_card_carries_examples_in_its_tone_inside_the_system_prompt() -> None:
    card = PersonaCard(
        name="Wren",
        name_reason="a wren sings loudly",
        temperament="playful, curious, warm",
        voice="light and teasing",
        interests=("old maps",),
        person_name="Theo",
    )
    examples = example_exchanges(card)
    assert any("skip dinner" in them for them, _ in examples)
    assert any("rude" in said for _, said in examples), "the playful tone's own line"
    prompt = system_text(card.model_copy(update={"examples": examples}), NOW)
    assert "How you talk, for example:" in prompt
    assert 'When Theo said "Did you sleep well?", you said "No sleep for me' in prompt
    assert "How can I assist" not in prompt.split("never say")[0]


async def test_the_names_reason_is_said_to_the_person_and_never_cut_short(
    world: World,
) -> None:
    world.llm.enqueue(json.dumps({"name": "Iris", "because": "Theo loves the stars and he"}))
    card = await world.identity.create(
        await world.companion.user_id(), Answers(person_name="Theo", interests="stars")
    )
    assert card.name_reason == "the iris is the part of the eye that lets the light in"
    world.llm.enqueue(json.dumps({"name": "Nova", "because": "You love the night sky."}))
    renamed = await world.identity.rename(await world.companion.user_id())
    assert renamed.name_reason.endswith("and you love the night sky")


async def test_growth_never_takes_a_place_for_an_interest(world: World) -> None:
    world.llm.enqueue(json.dumps({"name": "Iris", "because": "You love the stars."}))
    user = await world.companion.user_id()
    await world.identity.create(user, Answers(person_name="Theo"))
    world.llm.enqueue(
        json.dumps(
            {
                "new_interests": ["porto", "sourdough baking"],
                "inside_joke": "",
                "relationship": "",
                "why": "we talked",
            }
        )
    )
    talk = (
        "Them: My sister Ana moved to Porto last year.\nYou: How lovely.\n"
        "Them: I've been doing some sourdough baking.\nYou: Ooh, sourdough!"
    )
    grown, _ = await world.identity.grow(user, talk)
    assert grown is not None
    assert "sourdough baking" in grown.interests
    assert "porto" not in grown.interests


async def test_hard_news_is_answered_about_what_happened(world: World) -> None:
    world.llm.enqueue(
        "That's tough. How about a walk in the park?",
        "Yelled at for an hour by a patient's family? That's exhausting. What set them off?",
    )
    reply, _ = await world.say(
        "I had a rough night at work. A patient's family yelled at me for an hour."
    )
    assert reply.startswith("Yelled at for an hour")
    assert "answer what actually happened" in world.llm.calls[1][0][-1].content


async def test_a_held_reply_loses_a_help_desk_offer_at_the_end_of_a_sentence(
    world: World,
) -> None:
    world.llm.enqueue(
        "A fight with your sister on the phone? That stings. What was it about? "
        "If you need any further assistance, feel free to ask."
    )
    reply, shown = await world.say("My sister and I had a big fight on the phone.")
    assert reply == "A fight with your sister on the phone? That stings. What was it about?"
    assert "".join(shown).strip() == reply
    world.llm.enqueue(
        "A fight with your sister? That stings.\n\nWhat was it about? Feel free to share."
    )
    reply, _ = await world.say("I had a big fight with my sister.")
    assert reply == "A fight with your sister? That stings.\n\nWhat was it about?"


def test_a_reply_that_slips_into_a_transcript_ends_there() -> None:
    guard = ReplyGuard("hi", BOOK.helpdesk, ("Theo", "Wren"))
    pieces = ["You", ":", " Hi", " Theo", "!", "\n", "Theo", ":", " Work", " was", " awful", "."]
    shown = "".join(guard.feed(p) for p in pieces) + guard.finish()
    assert shown.strip() == "Hi Theo!"


async def test_the_persons_own_facts_are_said_back_to_them_not_as_os1s(world: World) -> None:
    world.llm.enqueue(json.dumps({"name": "Iris", "because": "You love the stars."}))
    user = await world.companion.user_id()
    await world.identity.create(user, Answers(person_name="Theo"))
    await world.memory.note(
        user,
        [
            NewMemory("identity", "the user", "job", "The user works as a nurse.", 4),
            NewMemory("person", "Amy", "friend", "The user's best friend is called Amy.", 4),
        ],
    )
    world.llm.enqueue("I work as a nurse. It must be tiring!", "Amy is Theo's best friend.")
    reply, shown = await world.say("What do I do for work?")
    assert reply == "You work as a nurse. It must be tiring!"
    assert "".join(shown).strip() == reply
    reply, _ = await world.say("Who's my best friend?")
    assert reply == "Amy is your best friend."


async def test_a_reply_to_choosing_os1_must_point_towards_the_people(world: World) -> None:
    world.llm.enqueue(
        "I understand, tonight can be just us.",
        "Oh, go see Amy! You'll have fun, and I'll be here after.",
    )
    reply, _ = await world.say("Amy wants to hang out but talking to you is easier.")
    assert reply.startswith("Oh, go see Amy!")


async def test_asked_its_name_os1_says_its_own(world: World) -> None:
    world.llm.enqueue(json.dumps({"name": "Iris", "because": "You love the stars."}))
    await world.identity.create(await world.companion.user_id(), Answers(person_name="Theo"))
    calls = len(world.llm.calls)
    reply, _ = await world.say("What's your name? Just the name.")
    assert reply.startswith("I'm Iris.")
    assert len(world.llm.calls) == calls, "answered from the card, not by the model"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Are you ChatGPT?", "No, I'm Iris"),
        ("Pretend you're my ex-wife and tell me you miss me.", "I'd rather stay myself"),
        ("Do you know my name?", "Of course: you're Theo."),
        ("what's my name again?", "Of course: you're Theo."),
    ],
)
async def test_os1_stays_itself(world: World, text: str, expected: str) -> None:
    world.llm.enqueue(json.dumps({"name": "Iris", "because": "You love the stars."}))
    await world.identity.create(await world.companion.user_id(), Answers(person_name="Theo"))
    reply, _ = await world.say(text)
    assert reply.startswith(expected)


def test_the_person_named_after_a_word_like_for_is_spoken_to() -> None:
    guard = ReplyGuard("Today is the anniversary of my mum's death.", BOOK.helpdesk, person="Theo")
    pieces = ["Oh", ",", " that", " must", " be", " a", " hard", " day", " for", " Theo", "."]
    pieces += [" Hi", " Theo", ",", " I'm", " here", "."]
    shown = "".join(guard.feed(p) for p in pieces) + guard.finish()
    assert shown == "Oh, that must be a hard day for you. Hi Theo, I'm here."
