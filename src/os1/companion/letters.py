"""Writing a letter inside a conversation: os1 asks what it needs, drafts, and revises on request.

"Help me write to my sister Ana for her birthday" starts it. os1 asks how the
person signs (once; it is kept on their own file in the letters studio) and
what they want Ana to know, drafts the letter with the studio, files it, and
shows it. "Make it warmer" revises; "perfect" ends it. Each step is a pending
action in the conversation, so a restart between turns loses nothing, and any
other message simply goes back to normal conversation.
"""

from __future__ import annotations

import asyncio
from typing import Any

from os1.clock import Clock
from os1.companion.intents import LetterRequest, answer, is_satisfied, wants_revision
from os1.errors import NotFound
from os1.events import Event, Notice
from os1.letters.studio import Studio
from os1.store.journal import Journal, PendingAction
from os1.store.letters import Letter

OWN_FILE = "Me"
"""The letters studio's client for letters the person writes themself."""

Handled = tuple[list[Event], str]


def _for(payload: dict[str, Any]) -> str:
    occasion = payload.get("occasion") or ""
    return f" for {occasion}" if occasion else ""


class LetterHelper:
    """The conversation side of the letters studio."""

    KINDS = ("letter_signature", "letter_notes", "letter_draft")

    def __init__(self, studio: Studio, journal: Journal, clock: Clock) -> None:
        self.studio = studio
        self.journal = journal
        self.clock = clock

    async def _propose(
        self, user_id: int, conversation: int, kind: str, payload: dict[str, Any]
    ) -> None:
        await asyncio.to_thread(
            self.journal.propose_action, user_id, conversation, kind, payload, self.clock.now()
        )

    async def _signature(self, user_id: int) -> str:
        try:
            own = await asyncio.to_thread(self.studio.store.client, user_id, OWN_FILE)
        except NotFound:
            return ""
        return "" if own.signs_as == OWN_FILE else own.signs_as

    async def start(self, user_id: int, conversation: int, request: LetterRequest) -> Handled:
        """Begin helping with a letter: ask for the signature if unknown, else what to say."""
        payload = {
            "name": request.name,
            "relationship": request.relationship,
            "occasion": request.occasion,
        }
        if not await self._signature(user_id):
            await self._propose(user_id, conversation, "letter_signature", payload)
            return [], (
                f"I'd love to help you write to {request.name}{_for(payload)}. "
                "First, how do you sign your letters? Just the name you'd write at the bottom."
            )
        return await self._ask_notes(user_id, conversation, payload)

    async def _ask_notes(self, user_id: int, conversation: int, payload: dict[str, Any]) -> Handled:
        await self._propose(user_id, conversation, "letter_notes", payload)
        name = payload["name"]
        return [], (
            f"Tell me what you'd like {name} to know{_for(payload)}: a memory you share, "
            f"what {name} means to you, anything on your mind. A few lines are plenty; "
            "I'll write a first draft from them."
        )

    async def resume(
        self, user_id: int, conversation: int, text: str, pending: PendingAction
    ) -> Handled | None:
        """Carry on from the step waiting in this conversation, or None to talk normally."""
        payload = pending.payload
        if pending.kind != "letter_draft" and answer(text) is False:
            return [], "All right, we'll leave the letter for now."
        if pending.kind == "letter_signature":
            return await self._signed(user_id, conversation, text, payload)
        if pending.kind == "letter_notes":
            return await self._draft(user_id, conversation, text, payload)
        if pending.kind == "letter_draft":
            letter_id = int(payload["letter_id"])
            if wants_revision(text):
                letter = await self.studio.revise_letter(user_id, letter_id, text)
                return await self._show(user_id, conversation, letter, "Here it is, changed:")
            if is_satisfied(text):
                return [], (
                    f"I'm glad. It's kept as letter {letter_id}: `os1 letters render "
                    f"{letter_id}` writes it out by hand on paper."
                )
        return None

    async def _signed(
        self, user_id: int, conversation: int, text: str, payload: dict[str, Any]
    ) -> Handled:
        signature = " ".join(text.strip().strip(".!").split())[:60]
        for lead in ("i sign as ", "i sign ", "just ", "sign it ", "it's ", "as "):
            if signature.lower().startswith(lead):
                signature = signature[len(lead) :].strip()
        if not signature:
            await self._propose(user_id, conversation, "letter_signature", payload)
            return [], "What name should go at the bottom of the letter?"
        try:
            own = await asyncio.to_thread(self.studio.store.client, user_id, OWN_FILE)
            await asyncio.to_thread(
                self.studio.store.set_signature, user_id, own.id, signature, self.clock.now()
            )
        except NotFound:
            await asyncio.to_thread(
                self.studio.store.add_client,
                user_id,
                OWN_FILE,
                self.clock.now(),
                about="the person os1 talks with, writing their own letters",
                signs_as=signature,
            )
        return await self._ask_notes(user_id, conversation, payload)

    async def _draft(
        self, user_id: int, conversation: int, text: str, payload: dict[str, Any]
    ) -> Handled:
        name = str(payload["name"])
        own = await asyncio.to_thread(self.studio.store.client, user_id, OWN_FILE)
        try:
            await asyncio.to_thread(self.studio.store.recipient, user_id, own.id, name)
        except NotFound:
            await asyncio.to_thread(
                self.studio.store.add_recipient,
                user_id,
                own.id,
                name,
                self.clock.now(),
                relationship=str(payload.get("relationship") or ""),
            )
        letter = await self.studio.write_letter(
            user_id, OWN_FILE, name, str(payload.get("occasion") or ""), text
        )
        return await self._show(user_id, conversation, letter, "Here's a first draft:")

    async def _show(self, user_id: int, conversation: int, letter: Letter, lead: str) -> Handled:
        await self._propose(user_id, conversation, "letter_draft", {"letter_id": letter.id})
        version = letter.latest
        check = (
            "\n\nThe parts in [brackets] are my guesses; keep them only if they're true."
            if version.unconfirmed
            else ""
        )
        return [Notice(message=f"Letter {letter.id}, version {version.number}, is saved.")], (
            f"{lead}\n\n{version.text}{check}\n\n"
            'Tell me what to change ("make it warmer", "mention the lake"), '
            "or say it's good."
        )
