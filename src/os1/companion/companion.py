"""The companion: one turn of conversation, from the person's message to a committed reply."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
import re
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from os1.clock import Clock
from os1.companion.care import CrisisCheck, crisis_reply
from os1.companion.care.replies import CARE_MODEL, CARE_NOTE, CARE_TURNS, a_way_to_a_person
from os1.companion.character import (
    ABOUT_ME,
    CHECKED,
    DETAIL,
    START_OVER,
    UNMET,
    CharacterBook,
    ReplyGuard,
    Situation,
    character_book,
)
from os1.companion.gate import Gate
from os1.companion.identity import Identity
from os1.companion.initiative import Initiatives
from os1.companion.letters import LetterHelper
from os1.companion.persona import self_answer, self_note, system_text
from os1.companion.picker import Picker
from os1.companion.prompt import PreparedInput, build_messages, input_budget, prepare_input
from os1.companion.setup import SETUP_OFFER, Interview
from os1.companion.sight import NO_WORDS, Eyes, Seen, Shown, fits_memory, memory_of
from os1.companion.skills import Parts
from os1.content import Part, stored_parts, turn_parts
from os1.errors import Os1Error, VisionUnavailable
from os1.events import (
    ErrorEvent,
    Event,
    InitiativeEvent,
    Notice,
    Timings,
    TokenDelta,
    TurnCommitted,
    TurnStarted,
)
from os1.llm.base import LLM, GenerationOptions, Message, complete_json
from os1.llm.speculative import Speculation
from os1.memory import Context, Memory
from os1.skills import Call, Dialog, Skill, load_skills
from os1.store.audit import AuditLog
from os1.store.journal import ConversationRecord, Journal, PendingAction, TurnRecord
from os1.vision import for_prompt, summary

log = logging.getLogger(__name__)

_PIECES = re.compile(r"\S+\s*|\s+")


HISTORY_BLOCK = 8
VOICE_MEMORY_TOKENS = 120
"""Most tokens of remembered facts a spoken turn carries.

The block is read once per utterance, while the person is still speaking or
before they start, and the embedded model reads 25-80 tokens a second on two
cores: 300 tokens took 10-13 s behind a long conversation, so a spoken turn
carries the few facts that matter most."""
REFLECT_AFTER_MEMORIES = 15
GROW_AFTER_TURNS = 12


class Companion:
    """Talks with one person; every front door drives it through :meth:`turn`."""

    def __init__(
        self,
        journal: Journal,
        llm: LLM,
        clock: Clock,
        *,
        memory: Memory | None = None,
        letters: LetterHelper | None = None,
        identity: Identity | None = None,
        initiatives: Initiatives | None = None,
        care: CrisisCheck | None = None,
        character: CharacterBook | None = None,
        skills: Sequence[Skill] | None = None,
        eyes: Eyes | None = None,
        route_with_model: bool = False,
        interview: bool = True,
        user: str = "me",
        context_tokens: int = 4096,
        max_reply_tokens: int = 512,
        temperature: float = 0.7,
        history_turns: int = 24,
    ) -> None:
        self.journal = journal
        self.llm = llm
        self.clock = clock
        self.memory = memory
        self.letters = letters
        self.identity = identity
        self.initiatives = initiatives
        self.care = care or CrisisCheck(None, None)
        self.character = character or character_book()
        self._early = Speculation(llm)
        self._held: dict[int, Context] = {}
        """Per conversation, the memory block of the spoken turn to come (see _memory_for)."""
        self._interview = Interview(identity, journal, memory) if identity and interview else None
        if skills is None:
            skills = load_skills(
                Parts(journal, clock, memory, identity, initiatives, letters, self._interview, llm)
            )
        self.skills: tuple[Skill, ...] = tuple(skills)
        self.gate = Gate(AuditLog(journal.engine), clock, self.skills)
        self.eyes = eyes
        self._route_with_model = route_with_model
        self.picker = Picker(self._ask_json, self.skills)
        self._user = user
        self._user_id: int | None = None
        self._context_tokens = context_tokens
        self._max_reply_tokens = max_reply_tokens
        self._temperature = temperature
        self._history_turns = history_turns

    def for_user(self, user: str) -> Companion:
        """The same mind (model, stores, skills, gate) talking with another person.

        Everything per person is looked up by the user's id at the query
        level, so the copy shares every backend and only knows a different
        name; a ``Session`` makes one for its user.
        """
        if user == self._user:
            return self
        other = copy.copy(self)
        other._user, other._user_id = user, None
        return other

    async def user_id(self) -> int:
        """The store id of the person this companion talks with."""
        if self._user_id is None:
            self._user_id = await asyncio.to_thread(
                self.journal.user_id, self._user, self.clock.now()
            )
        return self._user_id

    async def new_conversation(self) -> int:
        """Start a fresh conversation."""
        return await asyncio.to_thread(
            self.journal.new_conversation, await self.user_id(), self.clock.now()
        )

    async def resolve_conversation(self, conversation_id: int | None = None) -> int:
        """Pick the given conversation (if it is this person's), else the latest, else a new one."""
        user_id = await self.user_id()
        if conversation_id is not None:
            await asyncio.to_thread(self.journal.require_conversation, user_id, conversation_id)
            return conversation_id
        latest = await self.latest_conversation()
        if latest is not None:
            return latest
        return await asyncio.to_thread(self.journal.first_conversation, user_id, self.clock.now())

    async def latest_conversation(self) -> int | None:
        """The conversation this person spoke in last, without starting one."""
        return await asyncio.to_thread(self.journal.latest_conversation, await self.user_id())

    async def history(self, conversation_id: int) -> list[TurnRecord]:
        """Everything said in one of this person's conversations."""
        user_id = await self.user_id()
        await asyncio.to_thread(self.journal.require_conversation, user_id, conversation_id)
        return await asyncio.to_thread(self.journal.turns, user_id, conversation_id)

    async def conversations(self) -> list[ConversationRecord]:
        """List this person's conversations, most recent first."""
        return await asyncio.to_thread(self.journal.conversations, await self.user_id())

    async def turn(
        self,
        text: str,
        conversation_id: int | None = None,
        *,
        stop: asyncio.Event | None = None,
        spoken: Callable[[], str] | None = None,
        heard: Callable[[], Awaitable[None]] | None = None,
        image: Shown | None = None,
    ) -> AsyncGenerator[Event, None]:
        """Answer ``text``, streaming events; the turn is stored before ``TurnCommitted``.

        Setting ``stop`` (the person interrupted) ends the reply at once and
        commits it as interrupted with what was said so far: by default what was
        generated, or what ``spoken()`` says was actually heard (voice). With
        ``heard``, a finished reply is committed only once ``heard()`` returns
        (voice: when it has been played), so a late interruption still counts.
        An ``image`` is looked at when the model answers (see :meth:`_look`).
        """
        if image is not None and not text.strip():
            text = NO_WORDS
        try:
            prepared = prepare_input(
                text, input_budget(self._context_tokens, self._max_reply_tokens)
            )
            conversation = await self.resolve_conversation(conversation_id)
            user_id = await self.user_id()
            started_at = self.clock.now()
            opened = await asyncio.to_thread(
                lambda: self.journal.open_turn(
                    user_id,
                    conversation,
                    user_text=prepared.text,
                    model=self.llm.name,
                    remember=self.memory is not None,
                    started_at=started_at,
                )
            )
        except Os1Error as exc:
            yield ErrorEvent(message=str(exc))
            return
        kept = _ShownSoFar(self.journal, user_id, opened)
        committed = answered = False
        answer = self._answer(
            prepared, conversation, user_id, started_at, opened,
            stop=stop, spoken=spoken, heard=heard, image=image,
        )  # fmt: skip
        try:
            async with contextlib.aclosing(answer) as events:
                async for event in events:
                    if isinstance(event, TokenDelta):
                        kept.add(event.text)
                    committed = committed or isinstance(event, TurnCommitted)
                    yield event
            answered = True
        finally:
            # An error the person was shown ends the turn uncommitted, as before;
            # anything else leaves the message for the next start to commit.
            await asyncio.shield(kept.close(drop=answered and not committed))

    async def _answer(
        self,
        prepared: PreparedInput,
        conversation: int,
        user_id: int,
        started_at: datetime,
        opened: int,
        *,
        stop: asyncio.Event | None,
        spoken: Callable[[], str] | None,
        heard: Callable[[], Awaitable[None]] | None,
        image: Shown | None = None,
    ) -> AsyncGenerator[Event, None]:
        """The turn once its message is kept: the answer, then the commit that closes it."""
        started = time.perf_counter()
        yield TurnStarted(conversation_id=conversation, user_text=prepared.text, at=started_at)
        for notice in prepared.notices:
            yield Notice(message=notice)
        care = await self._care_reply(user_id, conversation, prepared.text)
        if care is not None:
            await self._early.cancel()
            await asyncio.to_thread(
                lambda: self.journal.mark_open_turn(
                    user_id, opened, model=CARE_MODEL, remember=False
                )
            )
            said = _PIECES.findall(care)
            for piece in said:
                yield TokenDelta(text=piece)
            yield await self._commit(
                user_id, conversation, prepared.text, said, False, started_at, None, started,
                model=CARE_MODEL, remember=False, opened=opened,
            )  # fmt: skip
            return
        try:
            handled = await self._handle_request(
                user_id, conversation, prepared.text, spoken=spoken is not None
            )
        except Os1Error as exc:
            yield ErrorEvent(message=str(exc))
            return
        if handled is not None:
            await self._early.cancel()
            await asyncio.to_thread(
                lambda: self.journal.mark_open_turn(user_id, opened, model="os1", remember=False)
            )
            events, reply = handled
            for event in events:
                yield event
            said = _PIECES.findall(reply)
            for piece in said:
                yield TokenDelta(text=piece)
            yield await self._commit(
                user_id, conversation, prepared.text, said, False, started_at, None, started,
                model="os1", remember=False, parts=turn_parts(prepared.text, reply, events),
                opened=opened,
            )  # fmt: skip
            return

        seen: Seen | None = None
        if image is not None:
            try:
                async for looked in self._look(image, prepared.text, user_id):
                    if isinstance(looked, Seen):
                        seen = looked
                    else:
                        yield looked
            except Os1Error as exc:
                yield ErrorEvent(message=str(exc))
                return
        notices: list[str] = []
        situations = self.character.read(prepared.text)
        caring = await self._in_care(user_id, conversation)
        facts: list[str] = []
        messages = await self._reply_messages(
            user_id, conversation, prepared.text, notices, facts, caring,
            spoken=spoken is not None, shown=for_prompt(seen.observation) if seen else "",
        )  # fmt: skip
        self._held.pop(conversation, None)  # used: the next spoken turn recalls afresh
        for message in notices:
            yield Notice(message=message)
        options = self._reply_options(conversation)
        hold = any(s.name in CHECKED for s in situations)
        card = await self.identity.current(user_id) if self.identity else None
        speakers = (card.name, card.person_name) if card else ()
        person = card.person_name if card else ""
        pieces: list[str] = []
        held: list[str] = []
        first_token_ms: float | None = None
        interrupted = False
        retried = False
        guard = ReplyGuard(
            prepared.text, self.character.helpdesk, speakers, facts=facts, person=person
        )
        stream = self._early.stream(messages, options)
        try:
            while True:
                piece = await _next_or_stop(stream, stop)
                if piece is None:
                    interrupted = stop is not None and stop.is_set()
                    if interrupted:
                        if spoken is not None:
                            pieces = [spoken()]
                        break
                    tail = guard.finish()
                    (held if hold else pieces).append(tail)
                    if tail and not hold:
                        first_token_ms = first_token_ms or _since(started)
                        yield TokenDelta(text=tail)
                    problem = guard.failed or (
                        _breaks(situations, guard.shown, prepared.text) if hold else None
                    )
                    if problem is None or (retried and problem.endswith(DETAIL)):
                        break  # a second answer without a detail is still an answer
                    if retried:
                        fallback = _fallback(situations, problem)
                        held = [fallback] if hold else held
                        if not hold:
                            first_token_ms = first_token_ms or _since(started)
                            pieces.append(fallback)
                            yield TokenDelta(text=fallback)
                        break
                    retried = True
                    with contextlib.suppress(Exception):
                        await stream.aclose()  # type: ignore[attr-defined]
                    guard = ReplyGuard(
                        prepared.text, self.character.helpdesk, speakers, facts=facts, person=person
                    )
                    held = []
                    stream = self.llm.stream(_again(messages, problem), options)
                    continue
                shown = guard.feed(piece)
                if not shown:
                    continue
                if hold:
                    held.append(shown)
                else:
                    first_token_ms = first_token_ms or _since(started)
                    pieces.append(shown)
                    yield TokenDelta(text=shown)
            if hold and not interrupted:
                pieces = _PIECES.findall(self.character.without_offers("".join(held)))
                first_token_ms = _since(started)  # a held reply is first seen now
                for piece in pieces:
                    yield TokenDelta(text=piece)
            if caring and not interrupted:
                added = a_way_to_a_person("".join(pieces))
                if added:
                    pieces.append(added)
                    yield TokenDelta(text=added)
            if not interrupted and await self._offers_setup(user_id, conversation):
                pieces.append(f"\n\n{SETUP_OFFER}")
                yield TokenDelta(text=pieces[-1])
            if heard is not None and not interrupted:
                await heard()
                if stop is not None and stop.is_set():
                    interrupted = True
                    pieces = [spoken()] if spoken is not None else pieces
        except Os1Error as exc:
            yield ErrorEvent(message=str(exc))
            return
        except (asyncio.CancelledError, GeneratorExit):
            # The front door went away mid-reply: keep what was said, as interrupted.
            await asyncio.shield(
                self._commit(
                    user_id,
                    conversation,
                    prepared.text,
                    pieces,
                    True,
                    started_at,
                    first_token_ms,
                    started,
                    opened=opened,
                    seen=seen,
                )
            )
            raise
        finally:
            with contextlib.suppress(Exception):
                await stream.aclose()  # type: ignore[attr-defined]
        committed = await self._commit(
            user_id,
            conversation,
            prepared.text,
            pieces,
            interrupted,
            started_at,
            first_token_ms,
            started,
            opened=opened,
            seen=seen,
        )
        if seen is not None and not interrupted:
            await self._remember_seen(user_id, prepared.text, seen, committed.turn_id)
        yield committed

    async def _look(
        self, image: Shown, said: str, user_id: int
    ) -> AsyncGenerator[Notice | Seen, None]:
        """Look at the photo: say first if it leaves this machine, then what was found.

        Only a turn the model answers looks, so a photo sent with "yes" or
        "forget…" is not read for nothing; the person's words are the question.
        """
        if self.eyes is None:
            raise VisionUnavailable(
                "This os1 was started without a way to see images.", "Send the words alone."
            )
        if self.eyes.vision.sends_to:
            yield Notice(
                message=f"Sending the photo to {self.eyes.vision.sends_to} to be seen "
                "(the `vision` setting); os1 on its own keeps images on this machine."
            )
        question = "" if said == NO_WORDS else said
        seen = await self.eyes.look(image, question, user_id, self.clock.now())
        yield Notice(message=summary(seen.observation))
        yield seen

    async def _remember_seen(self, user_id: int, said: str, seen: Seen, turn_id: int) -> None:
        """Remember a photo the person described; a failure only means it is not remembered."""
        if self.memory is None or not fits_memory(said, seen.observation):
            return
        try:
            await self.memory.note(user_id, [memory_of(said, seen.observation, turn_id)])
        except Os1Error:
            log.exception("a photo could not be remembered")

    async def _care_reply(self, user_id: int, conversation: int, text: str) -> str | None:
        """The care reply when the message speaks of risk; always checked first, never gated."""
        recent = await asyncio.to_thread(self.journal.turns, user_id, conversation, CARE_TURNS)
        assessment = await self.care.assess(text, [t.user_text for t in recent[-2:]])
        if not assessment.crisis:
            return None
        card = await self.identity.current(user_id) if self.identity else None
        again = any(t.model == CARE_MODEL for t in recent)
        return crisis_reply(assessment.risk, person=card.person_name if card else "", again=again)

    async def _offers_setup(self, user_id: int, conversation: int) -> bool:
        """Whether this reply offers the interview: no name yet, and a conversation's first turn."""
        if self._interview is None or self.identity is None:
            return False
        if await self.identity.current(user_id) is not None:
            return False
        return await asyncio.to_thread(self.journal.turn_count, user_id, conversation) == 0

    async def _in_care(self, user_id: int, conversation: int) -> bool:
        """Whether someone spoke of risk in this conversation's last few turns."""
        recent = await asyncio.to_thread(self.journal.turns, user_id, conversation, CARE_TURNS)
        return any(t.model == CARE_MODEL for t in recent)

    async def _commit(
        self,
        user_id: int,
        conversation: int,
        user_text: str,
        pieces: list[str],
        interrupted: bool,
        started_at: datetime,
        first_token_ms: float | None,
        started: float,
        *,
        model: str | None = None,
        remember: bool = True,
        parts: list[Part] | None = None,
        opened: int | None = None,
        seen: Seen | None = None,
    ) -> TurnCommitted:
        reply = "".join(pieces).strip()
        content = parts if parts is not None else turn_parts(user_text, reply)
        if seen is not None:
            content = [content[0], *seen.parts(), *content[1:]]
        timings = Timings(
            first_token_ms=first_token_ms,
            total_ms=(time.perf_counter() - started) * 1000,
            reply_chunks=len(pieces),
        )
        committed_at = self.clock.now()
        record = await asyncio.to_thread(
            lambda: self.journal.commit_turn(
                user_id,
                conversation,
                user_text=user_text,
                reply=reply,
                interrupted=interrupted,
                model=model or self.llm.name,
                started_at=started_at,
                committed_at=committed_at,
                timings=timings.model_dump(),
                remember=remember and self.memory is not None,
                parts=stored_parts(content),
                opened=opened,
            )
        )
        return TurnCommitted(
            conversation_id=conversation,
            turn_id=record.id,
            reply=reply,
            interrupted=interrupted,
            model=model or self.llm.name,
            timings=timings,
            at=committed_at,
        )

    async def _reply_messages(
        self,
        user_id: int,
        conversation: int,
        text: str,
        notices: list[str] | None = None,
        facts: list[str] | None = None,
        caring: bool | None = None,
        *,
        spoken: bool = False,
        shown: str = "",
    ) -> list[Message]:
        """The prompt the model answers ``text`` from: persona, history, memories, message.

        ``facts`` receives the remembered facts the prompt carries, so the reply
        can be checked for speaking them as os1's own. A ``spoken`` turn keeps
        one memory block from before the person spoke to the reply (see
        :meth:`_memory_for`).
        """
        now = self.clock.now()
        history = await self._window(user_id, conversation)
        remembered = ""
        if self.memory is not None:
            try:
                context = await self._memory_for(user_id, conversation, text, spoken)
                remembered = context.text
                if facts is not None:
                    facts.extend(context.facts)
            except Os1Error as exc:
                if notices is not None:
                    notices.append(f"Memory is unavailable for this turn: {exc}")
        card = await self.identity.current(user_id) if self.identity else None
        notes = [self_note(card, text) if card else ""]
        notes += [s.note for s in self.character.read(text) if s.note]
        if caring if caring is not None else await self._in_care(user_id, conversation):
            notes.append(CARE_NOTE)
        return build_messages(
            now,
            history,
            text,
            context_tokens=self._context_tokens,
            reply_tokens=self._max_reply_tokens,
            remembered=remembered,
            persona=system_text(card, now) if card else None,
            note=" ".join(n for n in notes if n),
            shown=shown,
        )

    async def _memory_for(
        self, user_id: int, conversation: int, text: str, spoken: bool
    ) -> Context:
        """The memory block for a turn: recalled for its words, or held for a spoken turn.

        Remembered facts ride in the newest message, after the cached prefix. A
        typed message is read once, so its block is recalled for its words. A
        spoken one is read again and again as the words come in, and a block
        recalled anew each time would be read anew each time (seconds for every
        partial transcript); so a spoken turn takes the block :meth:`prewarm`
        recalled from the last exchange, or else the one its first words
        called up, capped at ``VOICE_MEMORY_TOKENS``, and keeps it to the reply.
        """
        assert self.memory is not None
        if not spoken:
            return await self.memory.context_for(user_id, text)
        held = self._held.get(conversation)
        if held is None:
            held = await self.memory.context_for(user_id, text, VOICE_MEMORY_TOKENS)
            self._held[conversation] = held
        return held

    async def _situation_answer(self, user_id: int, text: str) -> str | None:
        """Moments os1 answers itself: a fresh start, and what it knows about the person."""
        for situation in self.character.read(text):
            if situation.name == START_OVER and situation.reply:
                return situation.reply
            if situation.name == ABOUT_ME:
                return await self._what_i_know(user_id)
        return None

    async def _what_i_know(self, user_id: int) -> str:
        """What os1 knows about the person, from memory and the interview, said to them."""
        card = await self.identity.current(user_id) if self.identity else None
        facts = await self.memory.about_person(user_id) if self.memory is not None else []
        if (
            card is not None
            and card.person_name
            and not any(card.person_name.lower() in f.lower() for f in facts)
        ):
            facts.insert(0, f"your name is {card.person_name}")
        if not facts:
            return (
                "Honestly, not much yet: we've only just started. Tell me about yourself? "
                "Anything you tell me I'll remember, and you can see it all with "
                "`os1 memory list`."
            )
        listing = "\n".join(f"- {fact[0].upper()}{fact[1:]}" for fact in facts)
        return (
            f"Here's what I know about you so far:\n{listing}\n"
            "Is any of it wrong, or is there something you'd like me to know? "
            "(You can see, correct or forget any of it with `os1 memory`.)"
        )

    async def _window(self, user_id: int, conversation: int) -> list[TurnRecord]:
        """The recent turns the model sees: the newest, dropped in blocks as the talk goes on.

        Dropping the oldest turn every time would change the start of the
        prompt on every turn; llama.cpp then shifts its cache, and each shift
        left prompt reading slower (measured: 55 → 85 ms a token after four
        shifts). Dropping ``HISTORY_BLOCK`` turns at once shifts it an eighth
        as often; the window holds between ``history_turns - HISTORY_BLOCK + 1``
        and ``history_turns`` turns.
        """
        total = await asyncio.to_thread(self.journal.turn_count, user_id, conversation)
        block = max(1, min(HISTORY_BLOCK, self._history_turns // 2))
        over = max(0, total - self._history_turns)
        dropped = -(-over // block) * block
        return await asyncio.to_thread(
            self.journal.turns, user_id, conversation, max(0, total - dropped)
        )

    def _reply_options(self, conversation: int) -> GenerationOptions:
        return GenerationOptions(
            max_tokens=self._max_reply_tokens,
            temperature=self._temperature,
            session=f"conversation-{conversation}",
        )

    async def anticipate(self, text: str, conversation_id: int, *, final: bool) -> None:
        """Get ahead of a spoken turn: read the words so far, or start the reply at a pause.

        With ``final`` the reply itself starts, and :meth:`turn` on the same
        words takes it over; otherwise the words are only read into the
        model's cache (and this returns once they are). Nothing is stored or
        said, so if the person goes on, :meth:`withdraw` loses nothing.
        Turns os1 answers itself (confirmations, setup, reminders…) are not
        anticipated.
        """
        if not self._early.possible:
            return
        try:
            prepared = prepare_input(
                text, input_budget(self._context_tokens, self._max_reply_tokens)
            )
        except Os1Error:
            return
        user_id = await self.user_id()
        if await self._answers_itself(user_id, conversation_id, prepared.text):
            return
        messages = await self._reply_messages(user_id, conversation_id, prepared.text, spoken=True)
        options = self._reply_options(conversation_id)
        if final:
            await self._early.start(messages, options)
        else:
            await self._early.prefill(messages, options)

    async def withdraw(self) -> None:
        """Stop an anticipated reply: the person went on speaking."""
        await self._early.cancel()

    async def _answers_itself(self, user_id: int, conversation: int, text: str) -> bool:
        """Whether :meth:`turn` would answer ``text`` without the model (no side effects)."""
        if (await self.care.assess(text)).crisis:
            return True
        return await self._route(user_id, conversation, text) is not None

    async def _handle_request(
        self, user_id: int, conversation: int, text: str, *, spoken: bool = False
    ) -> tuple[list[Event], str] | None:
        """Answer what os1 answers itself, as :meth:`_route` decides (care comes before this).

        Returns the events and the reply, or None when the model should answer.
        A spoken turn never waits for the model's pick of a skill: on two cores
        that call took 3-13 s before the first word (the voice bench's slowest
        turns), so spoken requests reach skills through their phrasings only.
        """
        route = await self._route(user_id, conversation, text)
        if route is not None:
            return await self._follow(route, user_id, conversation, text)
        if not self._route_with_model or spoken:
            return None
        picked = await self.picker.pick(text, self.clock.now())
        if picked is None:
            return None
        call = Call(user_id, conversation, text, picked.arguments)
        return await self.gate.take(picked.skill, call)

    async def _ask_json(self, system: str, user: str, schema: dict[str, Any]) -> Any:
        """The picker's schema-constrained call, on a cached session of its own."""
        return await complete_json(
            self.llm,
            [Message("system", system), Message("user", user)],
            schema,
            GenerationOptions(max_tokens=200, temperature=0.0, session="routing-work"),
        )

    def _matched(self, text: str) -> tuple[Skill, dict[str, Any]] | None:
        """The first skill whose phrasing ``text`` (the person's own words) matches."""
        now = self.clock.now()
        for skill in self.skills:
            arguments = skill.match(text, now)
            if arguments is not None:
                return skill, arguments
        return None

    def _dialog(self, step: str) -> Dialog | None:
        """The skill that continues a waiting step of this kind."""
        for skill in self.skills:
            if step in getattr(skill, "steps", ()):
                return skill  # type: ignore[return-value]
        return None

    async def _route(self, user_id: int, conversation: int, text: str) -> _Route | None:
        """Who answers ``text`` instead of the model, or None for the model.

        Nothing a person would notice changes here (a claim left by a process
        that ended goes back to waiting, a proposal left too long lapses), so
        anticipating a spoken turn can ask too.

        In order: the proposal waiting for its answer; what os1 says about
        itself and the moments it answers itself; a dialog's waiting step (the
        setup interview, a letter); a skill whose phrasing matches.
        """
        card = await self.identity.current(user_id) if self.identity else None
        step = await asyncio.to_thread(self.journal.peek_action, user_id, conversation)
        matched = self._matched(text)
        waiting = await self.gate.waiting(user_id, conversation)
        if waiting is not None:
            return _Route("answer", matched, waiting)
        own = self_answer(card, text) if card else None
        if own is not None:
            return _Route("self", reply=own)
        if any(s.name in (ABOUT_ME, START_OVER) for s in self.character.read(text)):
            return _Route("situation", matched)
        if step is not None and self._dialog(step.kind) is not None:
            return _Route("step", matched, step)
        return None if matched is None else _Route("skill", matched)

    async def _follow(
        self, route: _Route, user_id: int, conversation: int, text: str
    ) -> tuple[list[Event], str] | None:
        """Do what the route says; a lapsed proposal or a step that lets go routes on."""
        if route.kind == "self":
            return [], route.reply
        if route.kind == "situation":
            said = await self._situation_answer(user_id, text)
            if said is not None:
                return [], said
        if route.kind == "answer" and route.waiting is not None:
            handled = await self.gate.answer(
                user_id, conversation, text, route.waiting, moved_on=route.matched is not None
            )
            if handled is not None:
                return handled
            return await self._handle_request(user_id, conversation, text)
        if route.kind == "step" and route.waiting is not None:
            step = await asyncio.to_thread(self.journal.take_action, user_id, conversation)
            dialog = self._dialog(step.kind) if step is not None else None
            if step is not None and dialog is not None:
                call = Call(user_id, conversation, text, {})
                handled = await self.gate.resume(dialog, call, step.kind, step.payload)
                if handled is not None:
                    return handled
        if route.matched is not None:
            skill, arguments = route.matched
            return await self.gate.take(skill, Call(user_id, conversation, text, arguments))
        return None

    async def greeting(self, conversation_id: int | None = None) -> str | None:
        """What os1 says before the person does: the first setup question, when setup is due."""
        if self._interview is None or self.identity is None:
            return None
        user_id = await self.user_id()
        if await self.identity.current(user_id) is not None:
            return None
        conversation = await self.resolve_conversation(conversation_id)
        pending = await asyncio.to_thread(self.journal.peek_action, user_id, conversation)
        if pending is not None and pending.kind == "setup":
            return self._interview.question(pending)
        return await self._interview.start(user_id, conversation)

    async def grow(self, max_turns: int = 30) -> tuple[bool, str]:
        """Reflect on what was said since the persona last changed; (changed, why or why not)."""
        if self.identity is None:
            return False, "there is no persona"
        user_id = await self.user_id()
        current = await asyncio.to_thread(self.identity.store.current, user_id)
        if current is None:
            return False, "there is no persona yet"
        recent: list[TurnRecord] = []
        for conversation in await self.conversations():
            if conversation.updated_at > current.created_at:
                turns = await asyncio.to_thread(self.journal.turns, user_id, conversation.id)
                recent += [t for t in turns if t.committed_at > current.created_at]
        recent.sort(key=lambda t: t.committed_at)
        text = "\n".join(
            f"Them: {t.user_text}\nYou: {t.reply}" for t in recent[-max_turns:] if t.reply
        )
        grown, why = await self.identity.grow(user_id, text)
        return grown is not None, why

    async def speak_first(self) -> list[InitiativeEvent]:
        """Whatever os1 has to say first now: due reminders, follow-ups, a check-in.

        Front doors poll this, so it only reads what is due; follow-ups are
        scheduled when memories are extracted (``remember_pending``).
        """
        if self.initiatives is None:
            return []
        user_id = await self.user_id()
        conversations = await self.conversations()
        card = await self.identity.current(user_id) if self.identity else None
        last = max((c.updated_at for c in conversations), default=None)
        await self.initiatives.check_in(user_id, last, card.person_name if card else "")
        return [
            InitiativeEvent(
                kind=d.initiative.kind,
                text=d.initiative.text,
                due_at=d.initiative.due_at,
                late=d.late,
            )
            for d in await self.initiatives.deliver_due(user_id)
        ]

    async def warm_up(self) -> None:
        """Start loading the model now, so it is ready by the time the person has spoken."""
        with contextlib.suppress(Exception):  # the check embeds its banks on first use instead
            await self.care.prepare()
        load = getattr(self.llm, "load", None)
        if load is not None:
            await load()

    async def prewarm(
        self, conversation_id: int | None = None, *, speaking: tuple[str, str] | None = None
    ) -> None:
        """Read the conversation so far into the model's cache before the person's next turn.

        ``speaking`` is an exchange (the person's words, os1's reply) whose reply
        is still being played: it is read in as if already kept, so the reading
        happens while the person listens rather than when they answer.

        The model then only has to read the new message when it comes: the last
        reply, the turn's opening and, with memory on, the facts the last
        exchange calls up (held for the next spoken turn) are already in its cache.
        """
        user_id = await self.user_id()
        conversation = await self.resolve_conversation(conversation_id)
        history = await self._window(user_id, conversation)
        card = await self.identity.current(user_id) if self.identity else None
        now = self.clock.now()
        if speaking is not None:
            said, reply = speaking
            history = [*history, TurnRecord(0, conversation, said, reply, False, "", now, now)]
        remembered = ""
        if self.memory is not None:
            last = f"{history[-1].user_text} {history[-1].reply}" if history else ""
            with contextlib.suppress(Os1Error):
                held = await self.memory.context_for(user_id, last, VOICE_MEMORY_TOKENS)
                self._held[conversation] = held
                remembered = held.text
        messages = build_messages(
            now,
            history,
            "",
            context_tokens=self._context_tokens,
            reply_tokens=self._max_reply_tokens,
            remembered=remembered,
            persona=system_text(card, now) if card else None,
        )
        options = GenerationOptions(
            max_tokens=1, temperature=0.0, session=f"conversation-{conversation}"
        )
        stream = self.llm.stream(messages, options)
        try:
            async for _ in stream:
                break
        finally:
            with contextlib.suppress(Exception):
                await stream.aclose()  # type: ignore[attr-defined]

    @property
    def caches_prompts(self) -> bool:
        """Whether the model keeps a prompt cache, so reading ahead saves time later."""
        return self._early.possible

    async def listen_ahead(self, conversation_id: int) -> None:
        """Before a first spoken turn: read the conversation and its memory block ahead.

        Only with memory on, on a model with a prompt cache, and only if no
        block is held yet (after a reply, :meth:`prewarm` has already done it).
        """
        if self.memory is not None and self._early.possible and conversation_id not in self._held:
            await self.prewarm(conversation_id)

    async def idle(self) -> None:
        """Work for quiet moments: remember the last exchange; now and then reflect and grow.

        Memories are consolidated once enough new facts have piled up since the
        last insight, and the persona reflects on conversations once enough
        turns have passed since it last changed.
        """
        remembered = await self.remember_pending()
        if remembered:
            log.info("memories extracted from %d turns", remembered)
        user_id = await self.user_id()
        if self.memory is not None:
            fresh = await asyncio.to_thread(self.memory.store.new_since_reflection, user_id)
            if fresh >= REFLECT_AFTER_MEMORIES:
                added, pruned = await self.memory.reflect(user_id)
                log.info("reflected: %d insights added, %d duplicates pruned", len(added), pruned)
        if self.identity is not None:
            current = await asyncio.to_thread(self.identity.store.current, user_id)
            if current is not None:
                said = await asyncio.to_thread(
                    self.journal.turns_since, user_id, current.created_at
                )
                if said >= GROW_AFTER_TURNS:
                    grown, why = await self.grow()
                    log.info("the persona %s: %s", "grew" if grown else "stayed", why)

    async def remember_pending(self, limit: int | None = None) -> int:
        """Extract memories from turns not yet remembered; front doors call it when idle.

        Plans and events with a date that this brings in get their follow-up.
        """
        if self.memory is None:
            return 0
        user_id = await self.user_id()
        done = await self.memory.extract_pending(user_id, limit)
        if done and self.initiatives is not None:
            records = await asyncio.to_thread(
                self.memory.store.records, user_id, kinds=("plan", "event")
            )
            await self.initiatives.follow_up(user_id, records)
        return done

    async def aclose(self) -> None:
        """Release the model and the database."""
        await self._early.cancel()
        await self.llm.aclose()
        await asyncio.to_thread(self.journal.close)


def _since(started: float) -> float:
    """Milliseconds since ``started`` (a ``perf_counter`` reading)."""
    return (time.perf_counter() - started) * 1000


def _breaks(situations: list[Situation], reply: str, message: str) -> str | None:
    """Why a held reply crosses the limits of the moment it answers, or None."""
    for situation in situations:
        broken = situation.breaks(reply, message)
        if broken is not None:
            return f"{situation.name}: {broken}"
    return None


def _fallback(situations: list[Situation], problem: str) -> str:
    """os1's own words when the model twice could not answer within the moment's limits."""
    name = problem.split(":", 1)[0]
    for situation in situations:
        if situation.name == name and situation.fallback:
            return situation.fallback
    return "I'm listening. Tell me a bit more?"


def _again(messages: list[Message], problem: str) -> list[Message]:
    """The prompt once more, with a word about what was wrong with the first answer."""
    if problem == "echo":
        why = "Note: do not repeat their words back to them; answer in your own words."
    elif problem.endswith(DETAIL):
        why = "Note: answer what actually happened to them: name it, then ask one thing about it."
    elif problem.endswith(UNMET):
        why = "Note: warmly encourage them towards the people or plans they mentioned."
    elif problem == "empty":
        why = "Note: talk to them like a friend would, not like an assistant or a help desk."
    else:
        broken = problem.split(": ", 1)[-1]
        why = f'Note: do not say anything like "{broken}": it is not true or not kind.'
    last = messages[-1]
    return [*messages[:-1], Message(last.role, f"{last.content}\n[{why}]")]


@dataclass(frozen=True)
class _Route:
    """Where a message goes instead of the model (see ``Companion._route``)."""

    kind: str
    matched: tuple[Skill, dict[str, Any]] | None = None
    waiting: PendingAction | None = None
    reply: str = ""


class _ShownSoFar:
    """The reply's words as shown, kept with the open turn about once a second.

    A process killed mid-reply then leaves the message and most of what was
    shown; the next start commits them as an interrupted turn. Writes run one
    at a time in a worker thread, never in the way of the next token.
    """

    EVERY_S = 1.0

    def __init__(self, journal: Journal, user_id: int, opened: int) -> None:
        self._journal = journal
        self._user_id = user_id
        self._opened = opened
        self._text: list[str] = []
        self._written = time.perf_counter()
        self._writing: asyncio.Task[None] | None = None

    def add(self, piece: str) -> None:
        """Note a piece shown; write what was shown if a second has passed since the last write."""
        self._text.append(piece)
        due = time.perf_counter() - self._written >= self.EVERY_S
        if due and (self._writing is None or self._writing.done()):
            self._written = time.perf_counter()
            reply = "".join(self._text)
            self._writing = asyncio.ensure_future(
                asyncio.to_thread(self._journal.note_reply, self._user_id, self._opened, reply)
            )

    async def close(self, *, drop: bool) -> None:
        """Wait for the last write; with ``drop`` (the turn failed and said so) forget the turn."""
        if self._writing is not None:
            with contextlib.suppress(Exception):
                await self._writing
        if drop:
            await asyncio.to_thread(self._journal.drop_open_turn, self._user_id, self._opened)


async def _next_or_stop(stream: AsyncIterator[str], stop: asyncio.Event | None) -> str | None:
    """The next piece of the reply, or None when it ended or ``stop`` was set first."""
    if stop is None:
        return await anext(stream, None)
    if stop.is_set():
        return None
    nxt: asyncio.Task[str | None] = asyncio.ensure_future(anext(stream, None))
    stopped = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({nxt, stopped}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopped.cancel()
        if not nxt.done() and not stop.is_set():  # we are being cancelled ourselves
            nxt.cancel()
    if nxt.done():
        return nxt.result()
    nxt.cancel()
    with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
        await nxt
    return None
