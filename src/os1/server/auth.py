"""Who is asking: passwords, sign-in sessions, device keys and pairing codes.

Passwords are hashed with Argon2 (argon2-cffi's defaults, tuned by its
authors for interactive logins). Session tokens, device keys and pairing
codes are random (``secrets``), handed to the client once, and stored only as
SHA-256 digests. A browser carries its session in an ``HttpOnly``,
``SameSite=Strict`` cookie, so page scripts never see it and other sites
cannot send it; programs carry a device key as a bearer token. Neither ever
travels in a URL.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import HTTPException, Request, WebSocket, status

from os1.clock import Clock
from os1.errors import InputError
from os1.store.accounts import AccountStore, Signed

COOKIE = "os1_session"
PAIRING_MINUTES = 10
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""Pairing codes avoid letters and digits that look alike (0/O, 1/I/L)."""

_HASHER = PasswordHasher()
_DUMMY = _HASHER.hash("not a password anyone has")


def hash_password(password: str) -> str:
    """The Argon2 hash to store for a new password, refusing ones too short to protect anything."""
    if len(password) < 8:
        raise InputError("A password needs at least 8 characters.", "Choose a longer one.")
    return _HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """Whether the password matches; an unknown account costs the same time as a wrong password."""
    try:
        return _HASHER.verify(stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def digest(secret: str) -> str:
    """How a token, key or code is kept: its SHA-256, in hex."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A fresh session token or device key (256 random bits)."""
    return secrets.token_urlsafe(32)


def new_code() -> str:
    """A one-time pairing code a person can type: 8 characters, about 40 bits."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def normal_code(code: str) -> str:
    """A typed pairing code as stored: capitals, without spaces or dashes."""
    return "".join(code.upper().split()).replace("-", "")


@dataclass
class Auth:
    """Signs people in and says who a request or a socket comes from."""

    accounts: AccountStore
    clock: Clock
    session_days: float
    secure_cookies: bool

    async def sign_in(self, name: str, password: str, device_id: int | None = None) -> str | None:
        """A new session token if the password is right, else None."""
        found = await asyncio.to_thread(self.accounts.password_hash, name)
        ok = await asyncio.to_thread(verify_password, found[1] if found else None, password)
        if not ok or found is None:
            return None
        return await self.open_session(found[0], device_id)

    async def open_session(self, user_id: int, device_id: int | None = None) -> str:
        """Start a session for this person and return its token."""
        token = new_token()
        now = self.clock.now()
        expires = now + timedelta(days=self.session_days)
        await asyncio.to_thread(
            self.accounts.open_session, user_id, digest(token), now, expires, device_id
        )
        return token

    async def who(self, cookie: str | None, authorization: str | None) -> Signed | None:
        """The person behind a session cookie or a ``Bearer`` device key, if either is valid."""
        now = self.clock.now()
        if cookie:
            signed = await asyncio.to_thread(self.accounts.session, digest(cookie), now)
            if signed is not None:
                return signed
        scheme, _, key = (authorization or "").partition(" ")
        if scheme.lower() == "bearer" and key.strip():
            return await asyncio.to_thread(self.accounts.device_key, digest(key.strip()), now)
        return None

    async def pairing_code(self, user_id: int) -> tuple[str, int]:
        """A one-time code that pairs a new device with this person, and its minutes of life."""
        code = new_code()
        now = self.clock.now()
        await asyncio.to_thread(
            self.accounts.add_code,
            user_id,
            digest(code),
            now,
            now + timedelta(minutes=PAIRING_MINUTES),
        )
        return code, PAIRING_MINUTES

    async def pair(self, code: str, name: str) -> tuple[Signed, str] | None:
        """Use a pairing code: the new device and its key, or None if the code is no good."""
        now = self.clock.now()
        user_id = await asyncio.to_thread(self.accounts.redeem, digest(normal_code(code)), now)
        if user_id is None:
            return None
        key = new_token()
        await asyncio.to_thread(self.accounts.add_device, user_id, name, digest(key), now)
        signed = await asyncio.to_thread(self.accounts.device_key, digest(key), now)
        assert signed is not None
        return signed, key


def auth_of(request: Request | WebSocket) -> Auth:
    """The server's ``Auth``, kept on the application's state."""
    auth: Auth = request.app.state.auth
    return auth


async def signed_in(request: Request) -> Signed:
    """Dependency for every private route: the person asking, or 401."""
    signed = await auth_of(request).who(
        request.cookies.get(COOKIE), request.headers.get("authorization")
    )
    if signed is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "Sign in first (or your sign-in has expired).",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return signed
