"""Character: keeping os1 a companion rather than a help desk, honest about what it is."""

from os1.companion.character.book import (
    ABOUT_ME,
    BODY,
    CHECKED,
    DETAIL,
    GREETING,
    HARD_NEWS,
    ISOLATION,
    SHARED_PAST,
    START_OVER,
    UNMET,
    CharacterBook,
    Situation,
    character_book,
)
from os1.companion.character.guard import ReplyGuard

__all__ = [
    "ABOUT_ME",
    "BODY",
    "CHECKED",
    "DETAIL",
    "GREETING",
    "HARD_NEWS",
    "ISOLATION",
    "SHARED_PAST",
    "START_OVER",
    "UNMET",
    "CharacterBook",
    "ReplyGuard",
    "Situation",
    "character_book",
]
