"""The REST API under ``/api``: signing in, and what the person owns, read and changed.

Every route but signing in and pairing depends on ``signed_in`` (401
without a valid session or device key), and every store call passes the
signed-in person's id, so another person's ids are simply not found (404).
The OpenAPI description is served at ``/api/openapi.json``.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from os1.companion import Companion
from os1.errors import NotFound
from os1.memory import Memory
from os1.server.auth import COOKIE, Auth, auth_of, digest, signed_in
from os1.server.limits import Window
from os1.server.protocol import schema
from os1.server.qr import qr_data_url
from os1.store import MemoryRecord
from os1.store.accounts import AccountStore, Signed
from os1.store.initiatives import InitiativeStore
from os1.store.letters import LetterStore
from os1.store.preferences import PreferenceStore

Me = Annotated[Signed, Depends(signed_in)]
Id = Annotated[int, Path(ge=1, le=2**31 - 1, description="An id, as the lists give it.")]
MISSING: dict[int | str, dict[str, Any]] = {
    404: {"description": "Not found among the signed-in person's own"}
}


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class SignIn(BaseModel):
    """A name and password; ``device`` names the device when a sign-in pairs it."""

    model_config = ConfigDict(extra="forbid")
    user: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1000)


class Person(_Out):
    """Who is signed in, and through which paired device (if any)."""

    user: str
    device_id: int | None


class ConversationOut(_Out):
    """A conversation and how much was said in it."""

    id: int
    created_at: datetime
    updated_at: datetime
    turns: int


class TurnOut(_Out):
    """One exchange: the person's words and os1's reply."""

    id: int
    conversation_id: int
    user_text: str
    reply: str
    interrupted: bool
    started_at: datetime
    committed_at: datetime


class MemoryOut(_Out):
    """One thing os1 remembers about the person, and where it came from."""

    id: int
    kind: str
    about: str
    content: str
    importance: int
    confidence: float
    happens_on: date | None
    source: str
    source_turn_id: int | None
    created_at: datetime
    updated_at: datetime


class MemoryEdit(BaseModel):
    """The corrected words of a memory."""

    model_config = ConfigDict(extra="forbid")
    content: str = Field(min_length=1, max_length=2000, pattern=r"\S")


class ReminderOut(_Out):
    """Something os1 will say first (or said, or was cancelled)."""

    id: int
    kind: str
    text: str
    due_at: datetime
    status: str
    delivered_at: datetime | None


class JournalOut(_Out):
    """An entry of os1's journal: what changed in it and why."""

    persona_version: int
    written_at: datetime
    text: str


class AuditOut(_Out):
    """One step of one action os1 proposed or took."""

    id: int
    at: datetime
    conversation_id: int | None
    action_id: int | None
    skill: str
    arguments: dict[str, Any]
    status: str
    result: str
    confirmed_by: str


class DeviceOut(_Out):
    """A paired device."""

    id: int
    name: str
    created_at: datetime
    last_seen_at: datetime | None
    revoked: bool


class PairingCode(_Out):
    """A one-time code to type on the new device, and how long it lasts.

    ``link`` opens this server's sign-in page with the code filled in; it
    carries the code after ``#``, which a browser never sends to a server, so
    the code stays out of request lines and logs. ``qr`` is that link as a QR
    code (a PNG ``data:`` URL) for a phone's camera.
    """

    code: str
    minutes: int
    link: str
    qr: str


class Pairing(BaseModel):
    """A new device presents the code shown on a signed-in one, and names itself."""

    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=4, max_length=40)
    name: str = Field(min_length=1, max_length=200)


class Paired(_Out):
    """The new device's key (shown once; send it as ``Authorization: Bearer``)."""

    device_id: int
    user: str
    key: str


def _companion(request: Request) -> Companion:
    companion: Companion = request.app.state.hub.companion
    return companion


async def _mind(request: Request, me: Signed) -> Companion:
    mind = _companion(request).for_user(me.name)
    await mind.user_id()
    return mind


def _memory(request: Request) -> Memory:
    memory = _companion(request).memory
    if memory is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Memory is switched off on this server.")
    return memory


def _memory_out(r: MemoryRecord) -> MemoryOut:
    return MemoryOut(
        id=r.id,
        kind=r.kind,
        about=r.about,
        content=r.content,
        importance=r.importance,
        confidence=r.confidence,
        happens_on=r.happens_on,
        source=r.source,
        source_turn_id=r.source_turn_id,
        created_at=r.created_at,
        updated_at=r.updated_at,
    )


def _gone(what: str) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, f"There is no {what}.")


public = APIRouter(prefix="/api")
private = APIRouter(
    prefix="/api",
    dependencies=[Depends(signed_in)],
    responses={401: {"description": "Not signed in, or the sign-in expired"}},
)
LIMITED: dict[int | str, dict[str, Any]] = {429: {"description": "Too many tries; wait"}}


@public.post("/session", responses={401: {"description": "Wrong name or password"}, **LIMITED})
async def sign_in(body: SignIn, request: Request, response: Response) -> Person:
    """Sign in with a name and password; the session comes back as an HttpOnly cookie."""
    failures: Window = request.app.state.sign_in_rate
    if await failures.blocked(body.user.lower()):
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, "Too many tries; wait 5 minutes.")
    auth = auth_of(request)
    token = await auth.sign_in(body.user, body.password)
    if token is None:
        await failures.count(body.user.lower())
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Wrong name or password.")
    _keep_session(response, auth, token)
    return Person(user=body.user, device_id=None)


def _keep_session(response: Response, auth: Auth, token: str) -> None:
    """Hand a browser its session: HttpOnly (no script reads it), SameSite=Strict, path /."""
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(auth.session_days * 86400),
        httponly=True,
        samesite="strict",
        secure=auth.secure_cookies,
        path="/",
    )


@private.delete("/session", status_code=status.HTTP_204_NO_CONTENT)
async def sign_out(request: Request, response: Response, who: Me) -> None:
    """Sign out this browser: its session, and its open sockets here, stop at once."""
    token = request.cookies.get(COOKIE)
    if token:
        accounts: AccountStore = auth_of(request).accounts
        await asyncio.to_thread(accounts.close_session, digest(token))
        request.app.state.hub.cut(who.user_id, session=digest(token))
    response.delete_cookie(COOKIE, path="/")


@private.get("/me")
async def me(who: Me) -> Person:
    """Who this request is signed in as."""
    return Person(user=who.name, device_id=who.device_id)


@private.get("/conversations")
async def conversations(request: Request, who: Me) -> list[ConversationOut]:
    """The person's conversations, most recent first."""
    mind = await _mind(request, who)
    return [
        ConversationOut(
            id=c.id, created_at=c.created_at, updated_at=c.updated_at, turns=c.turn_count
        )
        for c in await mind.conversations()
    ]


@private.get("/conversations/{conversation_id}", responses=MISSING)
async def conversation(conversation_id: Id, request: Request, who: Me) -> list[TurnOut]:
    """Everything said in one of the person's conversations, oldest first."""
    mind = await _mind(request, who)
    try:
        turns = await mind.history(conversation_id)
    except NotFound:
        raise _gone(f"conversation {conversation_id}") from None
    return [
        TurnOut(
            id=t.id,
            conversation_id=t.conversation_id,
            user_text=t.user_text,
            reply=t.reply,
            interrupted=t.interrupted,
            started_at=t.started_at,
            committed_at=t.committed_at,
        )
        for t in turns
    ]


@private.get("/memories")
async def memories(request: Request, who: Me) -> list[MemoryOut]:
    """What os1 remembers about the person, newest first."""
    memory = _memory(request)
    records = await asyncio.to_thread(memory.store.records, who.user_id)
    return [_memory_out(r) for r in records]


@private.patch("/memories/{memory_id}", responses=MISSING)
async def edit_memory(memory_id: Id, body: MemoryEdit, request: Request, who: Me) -> MemoryOut:
    """Correct a memory in the person's own words."""
    memory = _memory(request)
    try:
        return _memory_out(await memory.edit(who.user_id, memory_id, content=body.content))
    except NotFound:
        raise _gone(f"memory {memory_id}") from None


@private.delete("/memories/{memory_id}", status_code=status.HTTP_204_NO_CONTENT, responses=MISSING)
async def forget_memory(memory_id: Id, request: Request, who: Me) -> None:
    """Forget a memory (with its earlier versions); asked for directly, so no confirmation."""
    if not await _memory(request).forget(who.user_id, [memory_id]):
        raise _gone(f"memory {memory_id}")


@private.get("/reminders")
async def reminders(
    request: Request,
    who: Me,
    everything: Annotated[bool, Query(description="Delivered and cancelled too.")] = False,
) -> list[ReminderOut]:
    """Reminders, follow-ups and check-ins waiting to be said (or all with ``everything``)."""
    store = InitiativeStore(_companion(request).journal.engine)
    found = await asyncio.to_thread(store.listed, who.user_id, None if everything else "scheduled")
    return [
        ReminderOut(
            id=i.id,
            kind=i.kind,
            text=i.text,
            due_at=i.due_at,
            status=i.status,
            delivered_at=i.delivered_at,
        )
        for i in found
    ]


QUIET_HOURS = r"^([01]?[0-9]|2[0-3]):[0-5][0-9]-([01]?[0-9]|2[0-3]):[0-5][0-9]$"
"""From-until times of day, as ``parse_quiet_hours`` reads them."""


class Preferences(BaseModel):
    """When os1 may speak first to this person: their own choice over the server's settings."""

    model_config = ConfigDict(extra="forbid")
    initiative: bool = Field(description="Follow-ups and check-ins (reminders always come).")
    quiet_hours: str = Field(
        pattern=QUIET_HOURS, description="When nothing is said first, local time: 22:00-08:00."
    )
    daily_initiatives: int = Field(ge=0, le=50, description="Most follow-ups and check-ins a day.")


@private.get("/preferences")
async def preferences(request: Request, who: Me) -> Preferences:
    """The person's preferences as they apply now (the settings where they chose nothing)."""
    initiatives = _companion(request).initiatives
    if initiatives is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Speaking first is off on this server.")
    rules = await initiatives.rules_for(who.user_id)
    return Preferences(
        initiative=rules.enabled,
        quiet_hours=f"{rules.quiet_start:%H:%M}-{rules.quiet_end:%H:%M}",
        daily_initiatives=rules.daily_cap,
    )


@private.put("/preferences", responses={422: {"description": "Hours that are not 22:00-08:00"}})
async def set_preferences(body: Preferences, request: Request, who: Me) -> Preferences:
    """Keep this person's preferences; they apply from the next thing due."""
    store = PreferenceStore(_companion(request).journal.engine)
    await asyncio.to_thread(store.set, who.user_id, body.model_dump())
    return await preferences(request, who)


@private.delete(
    "/reminders/{reminder_id}", status_code=status.HTTP_204_NO_CONTENT, responses=MISSING
)
async def cancel_reminder(reminder_id: Id, request: Request, who: Me) -> None:
    """Cancel one before it is said."""
    store = InitiativeStore(_companion(request).journal.engine)
    if not await asyncio.to_thread(store.cancel, who.user_id, reminder_id):
        raise _gone(f"reminder {reminder_id} waiting")


@private.get("/persona", responses={404: {"description": "No persona yet"}})
async def persona(request: Request, who: Me) -> dict[str, Any]:
    """Who os1 is now with this person (its persona card)."""
    identity = _companion(request).identity
    card = await identity.current(who.user_id) if identity else None
    if card is None:
        raise _gone("persona yet; it is made by the setup interview")
    return card.model_dump(mode="json")


class Pin(BaseModel):
    """An interest to keep through growth (``keep``), or to let go of again."""

    model_config = ConfigDict(extra="forbid")
    interest: str = Field(min_length=1, max_length=40)
    keep: bool = True


REFUSED: dict[int | str, dict[str, Any]] = {
    400: {"description": "Refused; the detail says why (not an interest, nothing to reset to)"},
    404: {"description": "No persona yet"},
}


@private.post("/persona/pins", responses=REFUSED)
async def pin_interest(body: Pin, request: Request, who: Me) -> dict[str, Any]:
    """Pin an interest so growth never drops it (adding it if new), or unpin it."""
    identity = _companion(request).identity
    if identity is None or await identity.current(who.user_id) is None:
        raise _gone("persona yet; it is made by the setup interview")
    card = await identity.pin(who.user_id, body.interest, keep=body.keep)
    return card.model_dump(mode="json")


@private.post("/persona/reset", responses=REFUSED)
async def reset_persona(request: Request, who: Me) -> dict[str, Any]:
    """Go back to the persona the setup interview made (the name stays)."""
    identity = _companion(request).identity
    if identity is None or await identity.current(who.user_id) is None:
        raise _gone("persona yet; it is made by the setup interview")
    return (await identity.reset(who.user_id)).model_dump(mode="json")


@private.get("/journal")
async def journal(request: Request, who: Me) -> list[JournalOut]:
    """os1's journal with this person: what changed in it, when and why."""
    identity = _companion(request).identity
    if identity is None:
        return []
    entries = await asyncio.to_thread(identity.store.journal, who.user_id)
    return [
        JournalOut(persona_version=e.persona_version, written_at=e.written_at, text=e.text)
        for e in entries
    ]


@private.get("/audit")
async def audit(
    request: Request,
    who: Me,
    last: Annotated[int | None, Query(ge=1, le=10_000, description="Only the newest N.")] = None,
) -> list[AuditOut]:
    """Every action os1 proposed or took for the person, and on whose word."""
    gate = _companion(request).gate
    entries = await asyncio.to_thread(gate.audit.entries, who.user_id, last)
    return [
        AuditOut(
            id=e.id,
            at=e.at,
            conversation_id=e.conversation_id,
            action_id=e.action_id,
            skill=e.skill,
            arguments=e.arguments,
            status=e.status,
            result=e.result,
            confirmed_by=e.confirmed_by,
        )
        for e in entries
    ]


class VersionOut(_Out):
    """One version of a letter: its text, what it was asked to change, what is unconfirmed."""

    number: int
    text: str
    instruction: str
    unconfirmed: list[str]
    created_at: datetime


class LetterOut(_Out):
    """A letter: who writes to whom, for what, and its versions (the last is the current)."""

    id: int
    client: str
    recipient: str
    occasion: str
    created_at: datetime
    versions: list[VersionOut]


@private.get("/letters")
async def letters(request: Request, who: Me) -> list[LetterOut]:
    """The person's letters, in the order they were started, each with every version."""
    store = LetterStore(_companion(request).journal.engine)

    def read() -> list[LetterOut]:
        clients = {c.id: c for c in store.clients(who.user_id)}
        names = {
            r.id: r.name for c in clients.values() for r in store.recipients(who.user_id, c.id)
        }
        return [
            LetterOut(
                id=letter.id,
                client=clients[letter.client_id].name,
                recipient=names.get(letter.recipient_id, ""),
                occasion=letter.occasion,
                created_at=letter.created_at,
                versions=[
                    VersionOut(
                        number=v.number,
                        text=v.text,
                        instruction=v.instruction,
                        unconfirmed=list(v.unconfirmed),
                        created_at=v.created_at,
                    )
                    for v in letter.versions
                ],
            )
            for letter in store.letters(who.user_id)
        ]

    return await asyncio.to_thread(read)


@private.get("/devices")
async def devices(request: Request, who: Me) -> list[DeviceOut]:
    """The person's paired devices."""
    accounts: AccountStore = auth_of(request).accounts
    found = await asyncio.to_thread(accounts.devices, who.user_id)
    return [
        DeviceOut(
            id=d.id,
            name=d.name,
            created_at=d.created_at,
            last_seen_at=d.last_seen_at,
            revoked=d.revoked,
        )
        for d in found
    ]


@private.delete("/devices/{device_id}", status_code=status.HTTP_204_NO_CONTENT, responses=MISSING)
async def revoke_device(device_id: Id, request: Request, who: Me) -> None:
    """Revoke a device: its key, sign-ins and open sockets here stop at once."""
    auth: Auth = auth_of(request)
    if not await asyncio.to_thread(auth.accounts.revoke, who.user_id, device_id, auth.clock.now()):
        raise _gone(f"device {device_id} to revoke")
    request.app.state.hub.cut(who.user_id, device_id=device_id)


@private.post("/devices/code")
async def pairing_code(request: Request, who: Me) -> PairingCode:
    """A one-time code that pairs a new device with this person (valid for 10 minutes)."""
    code, minutes = await auth_of(request).pairing_code(who.user_id)
    link = f"{str(request.base_url).rstrip('/')}/login#pair={code}"
    return PairingCode(code=code, minutes=minutes, link=link, qr=qr_data_url(link))


@public.post(
    "/devices", responses={401: {"description": "Unknown, used or expired code"}, **LIMITED}
)
async def pair(body: Pairing, request: Request, response: Response) -> Paired:
    """Pair a new device with a one-time code: its key (shown once) and, for a browser, a session.

    A program keeps the key and sends it as ``Authorization: Bearer``; a
    browser is signed in by the cookie, bound to the device, so revoking the
    device signs it out.
    """
    failures: Window = request.app.state.sign_in_rate
    if await failures.blocked("pairing"):
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, "Too many tries; wait 5 minutes.")
    paired = await auth_of(request).pair(body.code, body.name)
    if paired is None:
        await failures.count("pairing")
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "That code is unknown, used or expired.")
    signed, key = paired
    assert signed.device_id is not None
    auth = auth_of(request)
    _keep_session(response, auth, await auth.open_session(signed.user_id, signed.device_id))
    return Paired(device_id=signed.device_id, user=signed.name, key=key)


@private.get("/protocol.json")
async def protocol() -> dict[str, Any]:
    """The JSON schema of the WebSocket protocol ``os1.v1`` at ``/ws``."""
    return schema()
