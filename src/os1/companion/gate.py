"""The one gate every outward skill passes: propose, confirm, execute, audit.

An outward skill's plan becomes a proposal waiting in the conversation, with
a ``needs_confirmation`` event that shows exactly what would happen. The next
message decides it: only a plain yes (``os1.phrases``) carries it out; a no
declines it; anything undecided (a question, "wait", "yes, but…", a yes in a
language os1 does not read) leaves it waiting and os1 says what it is
waiting for; a new request lapses it. Carrying out is a claim on the waiting
row, so when two devices answer at once exactly one runs it; a skill that
raises becomes a failed ``action_result`` with the cause, and the turn is
still committed. Every step is in the audit log.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any

from os1.clock import Clock
from os1.events import ActionResult, Event, NeedsConfirmation, Notice
from os1.phrases import Reply, read_reply
from os1.skills import Call, Dialog, Outcome, Proposal, Skill
from os1.store.audit import DECLINED, DONE, FAILED, LAPSED, AuditLog
from os1.store.journal import PendingAction

log = logging.getLogger(__name__)

Handled = tuple[list[Event], str]

LAPSE_AFTER = timedelta(minutes=30)
"""A proposal not answered within this long lapses: a yes hours later may be meant for
something else."""
CLAIM_TIMEOUT = timedelta(minutes=5)
"""A claim older than this whose action never finished belongs to a process that ended."""


class Gate:
    """Proposals and their answers for one set of skills, on one audit log."""

    def __init__(
        self, audit: AuditLog, clock: Clock, skills: Sequence[Skill], language: str = "en"
    ) -> None:
        self.audit = audit
        self.clock = clock
        self.skills = {s.name: s for s in skills}
        self.language = language

    async def waiting(self, user_id: int, conversation: int) -> PendingAction | None:
        """The proposal this conversation's next message answers, if any.

        Claims left by a process that ended mid-action go back to waiting
        first, and a proposal left too long lapses.
        """
        now = self.clock.now()
        await asyncio.to_thread(
            self.audit.release_stale, user_id, conversation, now - CLAIM_TIMEOUT
        )
        found = await asyncio.to_thread(self.audit.waiting, user_id, conversation)
        if found is not None and now - found.created_at > LAPSE_AFTER:
            await asyncio.to_thread(self.audit.settle, user_id, found.id, LAPSED, "", now)
            return None
        return found

    async def take(self, skill: Skill, call: Call) -> Handled:
        """Use a skill: read-only ones answer now (audited); outward ones propose."""
        try:
            planned = await skill.plan(call)
        except Exception as exc:  # a skill's failure is data in the turn, not a lost turn
            log.exception("skill %s failed while planning", skill.name)
            planned = _failed(exc)
        if isinstance(planned, Proposal):
            return await self._propose(skill, call, planned)
        return await self._record(skill, call, planned)

    async def resume(
        self, dialog: Dialog, call: Call, step: str, state: dict[str, Any]
    ) -> Handled | None:
        """Carry a dialog on from its waiting step (audited); None when it lets go."""
        try:
            outcome = await dialog.resume(call, step, state)
        except Exception as exc:
            log.exception("skill %s failed at step %s", dialog.name, step)
            outcome = _failed(exc)
        if outcome is None:
            return None
        return await self._record(dialog, replace(call, arguments={"step": step}), outcome)

    async def _record(self, skill: Skill, call: Call, outcome: Outcome) -> Handled:
        """Log what a skill did without a proposal: read-only, or a dialog on the person's words."""
        await asyncio.to_thread(
            lambda: self.audit.record(
                call.user_id,
                self.clock.now(),
                conversation_id=call.conversation_id,
                skill=skill.name,
                arguments=call.arguments,
                status=DONE if outcome.done else FAILED,
                result=outcome.result or outcome.reply[:200],
                confirmed_by="asked for in the person's words",
            )
        )
        return list(outcome.events), outcome.reply

    async def _propose(self, skill: Skill, call: Call, proposal: Proposal) -> Handled:
        arguments = {**call.arguments, **proposal.arguments}
        action_id = await asyncio.to_thread(
            lambda: self.audit.propose(
                call.user_id,
                call.conversation_id,
                skill.name,
                arguments,
                proposal.summary,
                self.clock.now(),
                proposal.items,
            )
        )
        question = proposal.question or f"{proposal.summary}. Shall I? (yes/no)"
        return [
            NeedsConfirmation(
                action_id=action_id,
                summary=proposal.summary,
                items=[*proposal.items],
                skill=skill.name,
            )
        ], question

    async def answer(
        self, user_id: int, conversation: int, text: str, waiting: PendingAction, *, moved_on: bool
    ) -> Handled | None:
        """Decide the waiting proposal with ``text``; None when it lapsed and the turn goes on.

        ``moved_on`` says ``text`` is a new request (it matched a skill).
        """
        reply = Reply.NEW if moved_on else read_reply(text, self.language)
        now = self.clock.now()
        summary = str(waiting.payload.get("summary") or "the action I proposed")
        skill = str(waiting.payload.get("skill") or "")
        if reply is Reply.YES:
            return await self._confirmed(user_id, conversation, text, waiting)
        if reply is Reply.NO:
            if await asyncio.to_thread(self.audit.settle, user_id, waiting.id, DECLINED, text, now):
                result = ActionResult(
                    action_id=waiting.id, done=False, message="Declined.", skill=skill
                )
                return [result], "All right, I'll leave it as it is."
            return _already(waiting)
        if reply is Reply.NEW:
            await asyncio.to_thread(self.audit.settle, user_id, waiting.id, LAPSED, "", now)
            return None
        again = NeedsConfirmation(
            action_id=waiting.id,
            summary=summary,
            items=[str(i) for i in waiting.payload.get("items") or []],
            skill=skill,
        )
        if reply is Reply.OTHER_LANGUAGE:
            return [again], (
                "I haven't done anything yet: I only act on a plain yes or no in English. "
                f"{summary}: yes or no?"
            )
        return [again], f"I haven't done anything yet. I'm waiting for a yes or a no: {summary}?"

    async def _confirmed(
        self, user_id: int, conversation: int, text: str, waiting: PendingAction
    ) -> Handled:
        who = f"the person, saying {text.strip()[:60]!r} in conversation {conversation}"
        claimed = await asyncio.to_thread(
            self.audit.claim, user_id, waiting.id, who, self.clock.now()
        )
        if claimed is None:
            return _already(waiting)
        skill = self.skills.get(claimed.skill)
        call = Call(user_id, conversation, text, claimed.arguments)
        try:
            if skill is None:
                raise LookupError(f"the skill {claimed.skill!r} is not installed any more")
            outcome = await skill.run(call)
        except Exception as exc:  # the cause goes to the person and the log; the turn commits
            log.exception("skill %s failed", claimed.skill)
            outcome = _failed(exc)
        result = outcome.result or outcome.reply[:200]
        await asyncio.to_thread(
            lambda: self.audit.finish(
                user_id, claimed, done=outcome.done, result=result, at=self.clock.now()
            )
        )
        done = ActionResult(
            action_id=waiting.id, done=outcome.done, message=result, skill=claimed.skill
        )
        return [done, *outcome.events], outcome.reply


def _failed(exc: Exception) -> Outcome:
    cause = str(exc) or type(exc).__name__
    return Outcome(
        f"I couldn't do that: {cause}. Nothing else was changed.",
        done=False,
        result=f"failed: {cause}",
    )


def _already(waiting: PendingAction) -> Handled:
    notice = Notice(message="That was already answered (on another device, perhaps).")
    return [notice], "That was already taken care of; I haven't done it twice."
