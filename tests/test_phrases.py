"""The confirmation corpus: how people answer "shall I…?", and what os1 makes of it.

A false yes deletes or sends something the person never agreed to, so the
corpus holds far more ways of not saying yes than of saying it.
"""

from __future__ import annotations

import pytest

from os1.errors import ConfigError
from os1.phrases import Reply, phrases, read_reply

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
    "do it now", "k", "yes if you must",
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
