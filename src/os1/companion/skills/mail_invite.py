"""A mailed invitation becomes an event: "add the invitation from Ines to my calendar".

The person names the mail (by its sender or number); its ``text/calendar``
part is read by ``os1.agenda`` into typed fields, and the event it would
write is proposed exactly, with any clash. Only the person's yes writes it.
Nothing is sent to the organiser: accepting on the person's behalf would be
another outward action, and this one only fills their own calendar.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from os1.agenda import Agenda, parse_invitation
from os1.companion.skills.calendar_change import applied, proposal_for
from os1.companion.skills.calendar_week import agenda_of
from os1.companion.skills.parts import Parts
from os1.errors import NotFound, Os1Error
from os1.mail import MailStore, StoredMail
from os1.phrases import intent
from os1.skills import Call, Outcome, Proposal
from os1.terminal import clean

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "mail": {"type": "string", "maxLength": 120},
        "change": {"type": "object"},
    },
    "required": ["mail"],
    "additionalProperties": False,
}


class MailInvite:
    """Puts the event of a mailed invitation in the person's calendar, after their yes."""

    name = "mail_invite"
    description = (
        "Add the event of an invitation that came by mail to the person's calendar "
        "('add the invitation from Ines to my calendar', 'put the invite in mail 12 in my "
        "calendar'). Written only after a yes."
    )
    schema = SCHEMA
    outward = True

    def __init__(self, mail: MailStore, agenda: Agenda) -> None:
        self.mail = mail
        self.agenda = agenda

    def match(self, text: str, now: datetime) -> dict[str, Any] | None:
        """Asks like "add the invitation from Ines to my calendar"."""
        found = intent("mail_invite").search(text)
        if found is None:
            return None
        return {"mail": (found.group("sender") or found.group("number")).strip()}

    def _invitation(self, user_id: int, named: str) -> StoredMail | None:
        if named.lstrip("#").isdigit():
            try:
                found = self.mail.get(user_id, int(named.lstrip("#")))
            except NotFound:
                return None
            return found if found.calendar else None
        return next((m for m in self.mail.search(user_id, [], named, 50) if m.calendar), None)

    async def plan(self, call: Call) -> Proposal | Outcome:
        """The event the invitation would add, exactly, with any clash."""
        named = str(call.arguments["mail"])
        mail = await asyncio.to_thread(self._invitation, call.user_id, named)
        if mail is None or mail.calendar is None:
            return Outcome(
                f"I found no invitation in a mail from {clean(named)!r}.",
                done=False,
                result="no invitation found",
            )
        try:
            invitation = parse_invitation(mail.calendar.encode("utf-8"))
            change = await asyncio.to_thread(self.agenda.plan_invitation, call.user_id, invitation)
        except Os1Error as exc:
            return Outcome(str(exc), done=False, result=exc.problem[:200])
        return proposal_for(change)

    async def run(self, call: Call) -> Outcome:
        """Write the event shown (nothing is sent to the organiser)."""
        return await applied(self.agenda, call)


def create(parts: Parts) -> MailInvite:
    """The skill, over the mail store and the agenda."""
    return MailInvite(MailStore(parts.journal.engine), agenda_of(parts))
