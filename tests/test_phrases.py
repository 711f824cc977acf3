"""The confirmation corpus: how people answer "shall I…?", and what os1 makes of it.

A false yes deletes or sends something the person never agreed to, so the
corpus holds far more ways of not saying yes than of saying it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from os1.companion.skills.forget import Forget
from os1.companion.skills.letter import Letter
from os1.companion.skills.proofread import Proofread
from os1.companion.skills.remind import Remind
from os1.companion.skills.rename import Rename
from os1.errors import ConfigError
from os1.phrases import Reply, phrases, read_reply
from os1.skills import Skill

YES = [
    "yes", "Yes.", "YES!", "yes please", "Yes, please do.", "yeah", "yep", "yup", "sure",
    "ok", "OK.", "okay", "Okay, do it.", "do it", "go ahead", "Go ahead!", "please do",
    "confirm", "absolutely", "of course", "yes, I'm sure", "Yes \u2014 I\u2019m sure.",
    "sure, why not", "yes delete them",
]  # fmt: skip
NO = [
    "no", "No.", "nope", "nah", "no thanks", "no, keep it", "No, not now", "don't",
    "Please don't.", "cancel", "keep them", "never mind", "forget it", "stop",
    "absolutely not", "Nope, not today.", "no no no",
]  # fmt: skip
UNSURE = [
    "Okay wait, what exactly would you forget?", "y'know, not sure", "wait", "hmm",
    "Hmm...", "um", "hold on", "hang on a second", "not sure", "I'm not sure",
    "maybe", "maybe later", "let me think", "I don't know", "dunno", "yes but",
    "yes, but only the first one", "yes and no", "ok but not the Porto one",
    "sure, except the one about my sister", "yes?", "Yes??", "ok?", "really?",
    "are you sure?", "which ones?", "what will you forget?", "why?", "how many?",
    "yeah I guess", "kind of", "probably", "I think so", "yes yes", "fine",
    "alright then", "right", "go on then", "sure thing", "", "   ", "...", "🙂", "👍",
    "do it now", "k", "yes if you must", "Please delete all of them right now",
    "remove everything you found about her", "go on then, erase it",
]  # fmt: skip
OTHER_LANGUAGES = [
    "sí", "si", "oui", "ja", "Ja, bitte", "sim", "да", "так", "tak", "evet", "ναι", "はい",  # noqa: RUF001
    "好的", "是", "네", "हाँ", "نعم", "כן", "claro", "vale", "d'accord", "genau", "va bene",
    "nein", "non", "não", "нет", "いいえ", "不要",
]  # fmt: skip
MOVING_ON = [
    "Actually, let's talk about something else.",
    "By the way, how was your day?",
    "Tell me about the best book you read this year",
    "I went to the market this morning and bought far too many lemons",
]


def test_the_corpus_is_large_enough_to_mean_something() -> None:
    assert len(YES) + len(NO) + len(UNSURE) + len(OTHER_LANGUAGES) + len(MOVING_ON) >= 60
    assert len(UNSURE) + len(OTHER_LANGUAGES) + len(MOVING_ON) > 2 * len(YES)


def test_no_phrasing_outside_the_yes_list_is_ever_read_as_yes() -> None:
    false_yeses = [
        said for said in NO + UNSURE + OTHER_LANGUAGES + MOVING_ON if read_reply(said) is Reply.YES
    ]
    assert false_yeses == []


@pytest.mark.parametrize("said", YES)
def test_a_plain_yes_is_yes(said: str) -> None:
    assert read_reply(said) is Reply.YES


@pytest.mark.parametrize("said", NO)
def test_a_plain_no_is_no(said: str) -> None:
    assert read_reply(said) is Reply.NO


@pytest.mark.parametrize("said", UNSURE)
def test_questions_hesitations_and_half_answers_leave_it_undecided(said: str) -> None:
    assert read_reply(said) is Reply.UNSURE


@pytest.mark.parametrize("said", OTHER_LANGUAGES)
def test_a_yes_or_no_in_another_language_is_never_acted_on(said: str) -> None:
    assert read_reply(said) is Reply.OTHER_LANGUAGE


@pytest.mark.parametrize("said", MOVING_ON)
def test_moving_on_is_not_an_answer(said: str) -> None:
    assert read_reply(said) is Reply.NEW


def test_an_unknown_language_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="Use one of: en"):
        phrases("xx")


# -- requests os1 carries out itself -------------------------------------------------

SKILL_PHRASINGS = [
    ("Forget what I told you about Ana.", "forget"),
    ("please forget about my ex", "forget"),
    ("Could you forget that I hate cilantro", "forget"),
    ("remind me to call mum tomorrow at 6pm", "remind"),
    ("Hey, can you remind me to stretch in 10 minutes?", "remind"),
    ("Help me write to my sister Ana for her birthday", "letter"),
    ("Can you help me write a letter to Grandma?", "letter"),
    ("Could you choose another name?", "rename"),
    ("I don't really like your name", "rename"),
    ("proofread: I could of gone untill monday", "proofread"),
    ("Please spell-check this: teh end", "proofread"),
]
NOT_REQUESTS = [
    "I forget things all the time",
    "Don't forget my birthday",
    "She never reminds me of anything",
    "remind me of my childhood",
    "I wrote to Ana yesterday",
    "write to me soon",
    "What a lovely name",
    "I proofread papers for a living",
    "yes",
]


# Matching reads only the words, so the skills need none of their parts here.
SKILLS: list[Skill] = [Forget(None), Remind(None), Letter(None), Rename(None), Proofread()]  # type: ignore[arg-type]


def skill_for(text: str) -> str | None:
    now = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    return next((s.name for s in SKILLS if s.match(text, now) is not None), None)


@pytest.mark.parametrize(("said", "skill"), SKILL_PHRASINGS)
def test_requests_reach_their_skill(said: str, skill: str) -> None:
    assert skill_for(said) == skill


@pytest.mark.parametrize("said", NOT_REQUESTS)
def test_talk_that_only_sounds_like_a_request_reaches_none(said: str) -> None:
    assert skill_for(said) is None
