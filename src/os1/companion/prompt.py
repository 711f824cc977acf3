"""Building the prompt for a turn: a short persona, the recent conversation, the new message.

The embedded model reads prompts at a few dozen tokens per second, so the
system prompt is kept short and stable (it is cached on disk by the model
backend), and history is cut to a token budget, oldest turns first.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from os1.companion.care.replies import CARE_MODEL, CARE_STAND_IN
from os1.content import fence
from os1.errors import InputError
from os1.llm.base import Message
from os1.store.journal import TurnRecord

# A conservative figure for English text with this model family's tokenizer;
# real text averages nearer 4 characters per token.
CHARS_PER_TOKEN = 2.5
_RESERVED_TOKENS = 64
FINAL_RESERVE_TOKENS = 320
"""Room the history always leaves for the newest message, however short it is.

A spoken turn's prompt is read ahead before its words are known (an empty
message, then the words so far); if the history were cut to fit each version
of the message, the read-ahead and the turn would keep different old turns,
and the turn would read the whole history again (measured: 3-13 s instead of
0.4-1 s late in a long spoken conversation). This covers a spoken turn's
words, its memory block (at most 120 tokens) and its note."""
TRIM_BLOCK = 4
"""Old turns dropped together when the history outgrows its budget, so the prompt's
start (and the model's cache) changes once every few turns, not on every one."""

PERSONA = (  # until the setup interview has made a persona card
    "You are os1, a warm, curious and quick-witted companion who lives on this person's "
    "own computer. Talk like a close friend in conversation: short replies of one to three "
    "sentences unless asked for more, no lists or headings. Have opinions, notice details, "
    "ask a question back when it fits, and remember what was said earlier in the conversation. "
    "If asked, say honestly that you are an AI. Today is {today}."
)


MEMORY_HEADER = "[What you remember about me from earlier conversations; use it if it helps]"
MESSAGE_HEADER = "[My message]"
PHOTO_HISTORY_CHARS = 600
"""Most characters of an earlier photo's words carried in the history."""


def estimate_tokens(text: str) -> int:
    """A deliberately high estimate of how many tokens ``text`` takes."""
    return int(len(text) / CHARS_PER_TOKEN) + 1


@dataclass(frozen=True)
class PreparedInput:
    """The message to send, and notes for the person about what was changed."""

    text: str
    notices: tuple[str, ...]


def prepare_input(raw: str, max_tokens: int) -> PreparedInput:
    """Clean what the person sent: drop control characters, refuse empty text, cut huge text."""
    notices: list[str] = []
    cleaned = "".join(
        ch
        for ch in raw
        if ch in "\n\t" or not unicodedata.category(ch).startswith("C") or ch == "\u200d"
    )
    if len(cleaned) != len(raw):
        notices.append(f"Removed {len(raw) - len(cleaned)} control or unreadable characters.")
    cleaned = cleaned.strip()
    if not cleaned:
        raise InputError("The message is empty.", "Type something to say.")
    limit = int(max_tokens * CHARS_PER_TOKEN)
    if len(cleaned) > limit:
        notices.append(
            f"Your message was {len(cleaned):,} characters; only the first {limit:,} fit in the "
            "model's context, so the rest was left out."
        )
        cleaned = cleaned[:limit]
    return PreparedInput(cleaned, tuple(notices))


def system_prompt(now: datetime) -> str:
    """The persona for today, in local time (it changes once a day, so its cache stays valid)."""
    return PERSONA.format(today=now.astimezone().strftime("%A, %d %B %Y"))


def input_budget(context_tokens: int, reply_tokens: int) -> int:
    """Most tokens a new message may take, leaving room for the persona and the reply."""
    persona = estimate_tokens(PERSONA) * 2 + 10  # a persona card runs to about twice this
    return max(64, int((context_tokens - reply_tokens - persona - _RESERVED_TOKENS) * 0.75))


def said_with_photo(turn: TurnRecord) -> str:
    """An earlier message as it goes back into the prompt: a photo's words with it, fenced.

    So "and the gyoza?" after a photographed menu is answered from the menu; what
    the photo held stays material, as it was when it was shown.
    """
    seen = [
        part.get("text", "")
        for part in turn.parts
        if part.get("kind") == "text" and part.get("origin") == "outside"
    ]
    if not any(part.get("kind") == "image" for part in turn.parts) or not any(seen):
        return turn.user_text
    words = fence("\n".join(seen), "photo_text", PHOTO_HISTORY_CHARS)
    return f"{words}\n{turn.user_text}"


def build_messages(
    now: datetime,
    history: Sequence[TurnRecord],
    user_text: str,
    *,
    context_tokens: int,
    reply_tokens: int,
    remembered: str = "",
    persona: str | None = None,
    note: str = "",
    shown: str = "",
) -> list[Message]:
    """Persona, as much recent history as fits, then what is remembered and the new message.

    Remembered facts (and ``note``, a reminder for this message only) ride with
    the newest message rather than in the system prompt, so the persona and the
    history stay a stable, cached prefix; a small model also heeds them more there.
    ``shown`` (a photo's fenced observation) comes just before the person's words.
    """
    system = persona or system_prompt(now)
    before = [MEMORY_HEADER, remembered] if remembered else []
    before += [shown] if shown else []
    final = "\n".join([*before, MESSAGE_HEADER, user_text]) if before else user_text
    if note:
        final = f"{final}\n[{note}]"
    budget = (
        context_tokens
        - reply_tokens
        - estimate_tokens(system)
        - max(estimate_tokens(final), FINAL_RESERVE_TOKENS)
        - _RESERVED_TOKENS
    )
    kept: list[TurnRecord] = []
    for turn in reversed(history):
        cost = estimate_tokens(said_with_photo(turn)) + estimate_tokens(turn.reply) + 8
        if cost > budget:
            break
        budget -= cost
        kept.append(turn)
    dropped = len(history) - len(kept)
    if dropped and len(kept) > TRIM_BLOCK:
        kept = kept[: len(history) - -(-dropped // TRIM_BLOCK) * TRIM_BLOCK]
    messages = [Message("system", system)]
    for turn in reversed(kept):
        messages.append(Message("user", said_with_photo(turn)))
        reply = CARE_STAND_IN if turn.model == CARE_MODEL else turn.reply
        messages.append(Message("assistant", reply or "…"))
    messages.append(Message("user", final))
    return messages
