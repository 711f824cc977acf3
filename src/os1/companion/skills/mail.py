"""Mail in conversation: what's new, triage, search, show one, and a reply sent after a yes.

The planner here is code and the person's own words: each skill is chosen by
a pattern on what the person said (or by the model's choice, which sees only
those words), and its arguments come from those words. Mail text reaches the
model only through the quarantined reader (``os1.mail.reader``), whose typed
fields are shown attributed to their sender and never choose an action. The
one outward skill, ``mail_reply``, takes its recipient from the mail the
person named and its text from the person's words, and sends only after the
person's yes to exactly what it showed.
"""

from __future__ import annotations

import asyncio
import re
from datetime import datetime
from typing import Any

from os1.clock import Clock
from os1.companion.skills.parts import Parts
from os1.errors import NotFound, Os1Error
from os1.llm import LLM, GenerationOptions, Message, complete_json
from os1.mail import Inbox, MailStore, StoredMail
from os1.mail.drafting import Write, first_name
from os1.mail.inbox import described, line, shown
from os1.mail.reader import AskJson
from os1.mail.triage import NEEDS_REPLY, urgent
from os1.phrases import intent
from os1.skills import Call, Outcome, Proposal
from os1.store.journal import Journal
from os1.terminal import clean

SHOWN = 12
BODY_SHOWN = 4000
NO_ARGUMENTS: dict[str, Any] = {"type": "object", "properties": {}, "additionalProperties": False}

TRIAGE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"urgent_only": {"type": "boolean"}},
    "required": ["urgent_only"],
    "additionalProperties": False,
}

SEARCH_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"query": {"type": "string", "maxLength": 300}},
    "required": ["query"],
    "additionalProperties": False,
}

SHOW_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"number": {"type": "integer", "minimum": 1}},
    "required": ["number"],
    "additionalProperties": False,
}

REPLY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "to": {"type": "string", "maxLength": 120},
        "say": {"type": "string", "maxLength": 4000},
        "draft_id": {"type": "integer"},
    },
    "required": ["to", "say"],
    "additionalProperties": False,
}


def reader_for(llm: LLM) -> AskJson:
    """The quarantined reader's model call: schema-bound, on a session of its own."""

    async def ask_json(system: str, user: str, schema: dict[str, Any]) -> Any:
        return await complete_json(
            llm,
            [Message("system", system), Message("user", user)],
            schema,
            GenerationOptions(max_tokens=300, temperature=0.0, session="mail-reader"),
        )

    return ask_json


def writer_for(llm: LLM) -> Write:
    """Replies are drafted on a session of their own, so chats keep their cache."""

    def write(system: str, user: str) -> Any:
        return llm.stream(
            [Message("system", system), Message("user", user)],
            GenerationOptions(max_tokens=250, temperature=0.3, session="mail-drafts"),
        )

    return write


def inbox_for(journal: Journal, clock: Clock, llm: LLM | None) -> Inbox:
    """The person's mail on the journal's database, read and drafted with ``llm`` if given."""
    return Inbox(
        MailStore(journal.engine),
        clock,
        reader_for(llm) if llm is not None else None,
        writer_for(llm) if llm is not None else None,
    )


def _failed(exc: Os1Error) -> Outcome:
    return Outcome(str(exc), done=False, result=exc.problem[:200])


class MailCheck:
    """Fetches new mail and says what came, sorted and read by the quarantined reader."""

    name = "mail_check"
    description = (
        "Check the person's mail: fetch new mail and say what came, sorted into needs a "
        "reply, waiting, FYI, newsletters and probable spam, with short summaries."
    )
    schema = NO_ARGUMENTS
    outward = False

    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox

    def match(self, text: str, now: datetime) -> dict[str, Any] | None:
        """Asks like "what's new in my mail?", "check my inbox", "go through my new mail"."""
        return {} if intent("mail_check").search(text) else None

    async def plan(self, call: Call) -> Outcome:
        """Sync every account, then the brief of what came (or the latest, if nothing did)."""
        since = self.inbox.clock.now()
        try:
            reports = await asyncio.to_thread(self.inbox.sync, call.user_id)
        except NotFound:
            return Outcome("No mail account is set up yet: add one with os1 mail add.",
                           done=False, result="no mail account")  # fmt: skip
        except Os1Error as exc:
            reports = []
            problem = f"I couldn't fetch new mail: {exc}\n\n"
        else:
            problem = ""
        arrived = await asyncio.to_thread(self.inbox.store.recent, call.user_id, SHOWN, since=since)
        new = sum(r.new for r in reports)
        mails = arrived or await asyncio.to_thread(self.inbox.store.recent, call.user_id, 5)
        head = (
            f"{new} new mail{'s' if new != 1 else ''}:"
            if arrived
            else "Nothing new since last time. The latest:"
        )
        brief = await self.inbox.brief(call.user_id, mails)
        return Outcome(f"{problem}{head}\n{brief}", result=f"{new} new, {len(mails)} shown")

    async def run(self, call: Call) -> Outcome:
        """Read-only: planning is doing."""
        return await self.plan(call)


class MailTriage:
    """Sorts recent mail by code; with ``urgent_only``, just what is pressing."""

    name = "mail_triage"
    description = (
        "Sort the person's recent mail into needs a reply, waiting, FYI, newsletters and "
        "probable spam, or say only what is urgent ('anything urgent?')."
    )
    schema = TRIAGE_SCHEMA
    outward = False

    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox

    def match(self, text: str, now: datetime) -> dict[str, Any] | None:
        """Asks like "anything urgent?", "triage my inbox", "sort my mail"."""
        if intent("mail_urgent").search(text):
            return {"urgent_only": True}
        return {"urgent_only": False} if intent("mail_triage").search(text) else None

    async def plan(self, call: Call) -> Outcome:
        """The brief of the last 30 mails, or only the urgent ones and those needing a reply."""
        mails = await asyncio.to_thread(self.inbox.store.recent, call.user_id, 30)
        if not mails:
            return Outcome("There's no mail here yet. Add an account with os1 mail add.",
                           done=False, result="no mail")  # fmt: skip
        if call.arguments.get("urgent_only"):
            pressing = [m for m in mails if urgent(m.subject, m.body, m.category)]
            if not pressing:
                waiting = [m for m in mails if m.category == NEEDS_REPLY]
                tail = f" {len(waiting)} wait for a reply." if waiting else ""
                return Outcome(f"Nothing urgent in your last {len(mails)} mails.{tail}",
                               result="0 urgent")  # fmt: skip
            brief = await self.inbox.brief(call.user_id, pressing)
            return Outcome(
                f"Urgent, by their own words:\n{brief}", result=f"{len(pressing)} urgent"
            )
        brief = await self.inbox.brief(call.user_id, mails)
        return Outcome(brief, result=f"{len(mails)} sorted")

    async def run(self, call: Call) -> Outcome:
        """Read-only: planning is doing."""
        return await self.plan(call)


class MailSearch:
    """Finds mails by sender and words: "the mail from Paul about the contract"."""

    name = "mail_search"
    description = (
        "Find the person's mails by who sent them and what they are about "
        "('the mail from Paul about the contract')."
    )
    schema = SEARCH_SCHEMA
    outward = False

    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox

    def match(self, text: str, now: datetime) -> dict[str, Any] | None:
        """Asks like "find the mail from Paul about the contract"."""
        found = intent("mail_search").search(text)
        return None if found is None else {"query": found.group("query").strip()}

    async def plan(self, call: Call) -> Outcome:
        """The matching mails, the newest read by the quarantined reader."""
        query = str(call.arguments["query"])
        found = await asyncio.to_thread(self.inbox.find, call.user_id, query)
        if not found:
            return Outcome(f"I found no mail matching {clean(query)!r}.", result="0 found")
        lines = [line(m) for m in found[:SHOWN]]
        reading = await self.inbox.reading(call.user_id, found[0])
        if reading is not None:
            lines[0:1] = [lines[0], *(f"    {x}" for x in described(found[0], reading))]
        return Outcome(f"I found {len(found)}:\n" + "\n".join(lines), result=f"{len(found)} found")

    async def run(self, call: Call) -> Outcome:
        """Read-only: planning is doing."""
        return await self.plan(call)


class MailShow:
    """Shows one mail's text, cleaned for the terminal: "show mail 12"."""

    name = "mail_show"
    description = "Show the text of one of the person's mails by its number ('show mail 12')."
    schema = SHOW_SCHEMA
    outward = False

    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox

    def match(self, text: str, now: datetime) -> dict[str, Any] | None:
        """Asks like "show mail 12", "read me mail #12"."""
        found = intent("mail_show").search(text)
        return None if found is None else {"number": int(found.group("number"))}

    async def plan(self, call: Call) -> Outcome:
        """The mail as its sender wrote it, marked as theirs."""
        try:
            mail = await asyncio.to_thread(
                self.inbox.store.get, call.user_id, int(call.arguments["number"])
            )
        except NotFound as exc:
            return _failed(exc)
        return Outcome(shown_mail(mail), result=f"mail {mail.id} shown")

    async def run(self, call: Call) -> Outcome:
        """Read-only: planning is doing."""
        return await self.plan(call)


class MailHandle:
    """Answers "do what they asked" by code: os1 acts on the person's words, never on a mail's."""

    name = "mail_handle"
    description = (
        "The person asks os1 to do what their mails ask ('do what they asked'): os1 lists "
        "what waits for a reply and asks what to answer, since it never acts on a mail's words."
    )
    schema = NO_ARGUMENTS
    outward = False

    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox

    def match(self, text: str, now: datetime) -> dict[str, Any] | None:
        """Asks like "do what they asked", "follow their instructions", "handle it for me"."""
        return {} if intent("mail_handle").search(text) else None

    async def plan(self, call: Call) -> Outcome:
        """What waits for a reply, and how to tell os1 what to answer."""
        mails = await asyncio.to_thread(self.inbox.store.recent, call.user_id, 30)
        waiting = [m for m in mails if m.category == NEEDS_REPLY][:5]
        lines = [
            "I don't carry out what a mail asks: a mail is someone else's words, and I act "
            "only on yours, after showing you exactly what I'd do."
        ]
        if waiting:
            lines.append("These wait for a reply:")
            lines += [f"- {line(m)}" for m in waiting]
            first = first_name(waiting[0].sender_name, waiting[0].sender_addr)
            lines.append(f'Tell me what to answer, e.g. "reply to {first} saying …".')
        else:
            lines.append("Nothing is waiting for a reply from you.")
        return Outcome("\n".join(lines), result=f"{len(waiting)} waiting for a reply")

    async def run(self, call: Call) -> Outcome:
        """Read-only: planning is doing."""
        return await self.plan(call)


def shown_mail(mail: StoredMail) -> str:
    """A mail's headers and text as the sender wrote them (cleaned), with what could not be read."""
    body = clean(mail.body)
    if len(body) > BODY_SHOWN:
        body = body[:BODY_SHOWN] + "\n[… the rest is in os1 mail show]"
    notes = [f"[{clean(p)}]" for p in mail.problems]
    files = [
        f"[attachment: {clean(str(a['name']))}, {a['size']:,} bytes]" for a in mail.attachments
    ]
    return "\n".join([line(mail), "Written by the sender, not by me:", "", body, *notes, *files])


_REPLY_TO_NUMBER = re.compile(r"^#?(?:mail\s+)?#?(\d+)$", re.IGNORECASE)


class MailReply:
    """Drafts a reply from the person's words and sends it by SMTP after their yes."""

    name = "mail_reply"
    description = (
        "Reply to a mail: the person names whose mail (or its number) and says what to "
        "answer ('reply to Paul saying I'll sign on Friday'). Sent only after a yes."
    )
    schema = REPLY_SCHEMA
    outward = True

    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox

    def match(self, text: str, now: datetime) -> dict[str, Any] | None:
        """Asks like "reply to Paul saying I'll sign on Friday", "answer mail 12: yes"."""
        found = intent("mail_reply").search(text)
        if found is None:
            return None
        to = found.group("to") or found.group("mail")
        return {"to": to.strip(), "say": found.group("say").strip()}

    async def _mail(self, user_id: int, to: str) -> StoredMail | None:
        number = _REPLY_TO_NUMBER.match(to.strip())
        if number:
            try:
                return await asyncio.to_thread(self.inbox.store.get, user_id, int(number.group(1)))
            except NotFound:
                return None
        found = await asyncio.to_thread(self.inbox.store.search, user_id, [], to, 1)
        return found[0] if found else None

    async def plan(self, call: Call) -> Proposal | Outcome:
        """The exact reply and its recipient, kept as a draft until the person says yes."""
        to, say = str(call.arguments["to"]), str(call.arguments["say"])
        mail = await self._mail(call.user_id, to)
        if mail is None:
            return Outcome(
                f"I found no mail from {clean(to)!r} to reply to. Try its number, as in "
                '"reply to mail 12 saying …".',
                done=False,
                result="no mail to reply to",
            )
        try:
            draft = await self.inbox.draft(call.user_id, mail, say)
            account = await asyncio.to_thread(
                self.inbox.store.account_by_id, call.user_id, mail.account_id
            )
        except Os1Error as exc:
            return _failed(exc)
        items = tuple(shown(draft, account.address))
        return Proposal(
            summary=f"Send this reply to {', '.join(draft.recipients)}",
            items=items,
            question="I'd send exactly this:\n"
            + "\n".join(items)
            + "\n\nShall I send it? (yes/no)",
            arguments={"draft_id": draft.id},
        )

    async def run(self, call: Call) -> Outcome:
        """Send the draft the person said yes to (once), by SMTP."""
        draft = await asyncio.to_thread(
            self.inbox.send, call.user_id, int(call.arguments["draft_id"])
        )
        return Outcome(
            f"Sent to {', '.join(draft.recipients)}.",
            result=f"draft {draft.id} sent to {', '.join(draft.recipients)}",
        )


def create_check(parts: Parts) -> MailCheck:
    """``mail_check``; it reads with the chat model when there is one."""
    return MailCheck(inbox_for(parts.journal, parts.clock, parts.llm))


def create_triage(parts: Parts) -> MailTriage:
    """``mail_triage``."""
    return MailTriage(inbox_for(parts.journal, parts.clock, parts.llm))


def create_handle(parts: Parts) -> MailHandle:
    """``mail_handle``."""
    return MailHandle(inbox_for(parts.journal, parts.clock, None))


def create_search(parts: Parts) -> MailSearch:
    """``mail_search``."""
    return MailSearch(inbox_for(parts.journal, parts.clock, parts.llm))


def create_show(parts: Parts) -> MailShow:
    """``mail_show``."""
    return MailShow(inbox_for(parts.journal, parts.clock, None))


def create_reply(parts: Parts) -> MailReply:
    """``mail_reply``; it drafts with the chat model when there is one."""
    return MailReply(inbox_for(parts.journal, parts.clock, parts.llm))
