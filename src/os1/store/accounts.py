"""Accounts: who may sign in, their sign-in sessions, paired devices and pairing codes.

An account is a row of ``users`` with a password hash, so the person the
terminal has always spoken as (``user = "me"``) becomes an account, with all
their conversations and memories, the moment a password is set. Secrets are
never stored: passwords as Argon2 hashes (made by ``os1.server.auth``),
session tokens, device keys and pairing codes as SHA-256 digests (they are
random and long, so a digest is enough and lets a lookup use an index).
Every query about a device or a session says whose it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from os1.store.database import aware, translate_errors
from os1.store.schema import auth_sessions, devices, pairing_codes, users


@dataclass(frozen=True)
class Account:
    """A person who can sign in (``has_password``) or who so far only used the terminal."""

    id: int
    name: str
    created_at: datetime
    has_password: bool


@dataclass(frozen=True)
class Signed:
    """Who a valid session token or device key belongs to."""

    user_id: int
    name: str
    device_id: int | None


@dataclass(frozen=True)
class Device:
    """A paired device: its name, when it was paired and last seen, and whether it still may."""

    id: int
    name: str
    created_at: datetime
    last_seen_at: datetime | None
    revoked: bool


class AccountStore:
    """Reads and writes accounts, sessions, devices and pairing codes."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._where = engine.url.render_as_string(hide_password=True)

    def set_password(self, name: str, password_hash: str, at: datetime) -> int:
        """Give the named person a password (creating the account if new); return the id."""
        with translate_errors(self._where):
            try:
                with self.engine.begin() as conn:
                    changed = conn.execute(
                        update(users)
                        .where(users.c.name == name)
                        .values(password_hash=password_hash)
                    ).rowcount
                    if changed:
                        return int(
                            conn.execute(
                                select(users.c.id).where(users.c.name == name)
                            ).scalar_one()
                        )
                    return int(
                        conn.execute(
                            insert(users)
                            .values(name=name, created_at=at, password_hash=password_hash)
                            .returning(users.c.id)
                        ).scalar_one()
                    )
            except IntegrityError:  # created by another process in the meantime
                return self.set_password(name, password_hash, at)

    def password_hash(self, name: str) -> tuple[int, str] | None:
        """The account's id and password hash, or None if it cannot sign in."""
        with translate_errors(self._where), self.engine.connect() as conn:
            row = conn.execute(
                select(users.c.id, users.c.password_hash).where(users.c.name == name)
            ).first()
        if row is None or not row.password_hash:
            return None
        return int(row.id), str(row.password_hash)

    def accounts(self) -> list[Account]:
        """Everyone known to this store, by name."""
        with translate_errors(self._where), self.engine.connect() as conn:
            rows = conn.execute(select(users).order_by(users.c.name)).all()
        return [Account(r.id, r.name, aware(r.created_at), bool(r.password_hash)) for r in rows]

    def remove(self, name: str) -> bool:
        """Delete the person and everything that is theirs; False if there is no such person."""
        with translate_errors(self._where), self.engine.begin() as conn:
            return conn.execute(delete(users).where(users.c.name == name)).rowcount == 1

    # -- sessions --------------------------------------------------------------

    def open_session(
        self,
        user_id: int,
        token_hash: str,
        at: datetime,
        expires_at: datetime,
        device_id: int | None = None,
    ) -> None:
        """Record a sign-in lasting until ``expires_at``; this person's expired ones go."""
        with translate_errors(self._where), self.engine.begin() as conn:
            conn.execute(
                delete(auth_sessions).where(
                    auth_sessions.c.user_id == user_id, auth_sessions.c.expires_at <= at
                )
            )
            conn.execute(
                insert(auth_sessions).values(
                    user_id=user_id,
                    device_id=device_id,
                    token_hash=token_hash,
                    created_at=at,
                    expires_at=expires_at,
                )
            )

    def session(self, token_hash: str, now: datetime) -> Signed | None:
        """Who the session belongs to, if it exists, has not expired and its device may still."""
        query = (
            select(auth_sessions.c.user_id, auth_sessions.c.device_id, users.c.name)
            .join(users, users.c.id == auth_sessions.c.user_id)
            .outerjoin(devices, devices.c.id == auth_sessions.c.device_id)
            .where(
                auth_sessions.c.token_hash == token_hash,
                auth_sessions.c.expires_at > now,
                devices.c.revoked_at.is_(None),
            )
        )
        with translate_errors(self._where), self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else Signed(int(row.user_id), str(row.name), row.device_id)

    def close_session(self, token_hash: str) -> None:
        """Sign out: the token stops working at once."""
        with translate_errors(self._where), self.engine.begin() as conn:
            conn.execute(delete(auth_sessions).where(auth_sessions.c.token_hash == token_hash))

    # -- devices ---------------------------------------------------------------

    def add_code(self, user_id: int, code_hash: str, at: datetime, expires_at: datetime) -> None:
        """Store a one-time pairing code for this person."""
        with translate_errors(self._where), self.engine.begin() as conn:
            conn.execute(
                insert(pairing_codes).values(
                    user_id=user_id, code_hash=code_hash, created_at=at, expires_at=expires_at
                )
            )

    def redeem(self, code_hash: str, now: datetime) -> int | None:
        """Use a pairing code once: the id of whose it was, or None if unknown, used or stale."""
        with translate_errors(self._where), self.engine.begin() as conn:
            row = conn.execute(
                select(pairing_codes.c.id, pairing_codes.c.user_id).where(
                    pairing_codes.c.code_hash == code_hash
                )
            ).first()
            if row is None:
                return None
            claimed = conn.execute(
                update(pairing_codes)
                .where(
                    pairing_codes.c.id == row.id,
                    pairing_codes.c.used_at.is_(None),
                    pairing_codes.c.expires_at > now,
                )
                .values(used_at=now)
            ).rowcount
        return int(row.user_id) if claimed == 1 else None

    def add_device(self, user_id: int, name: str, key_hash: str, at: datetime) -> int:
        """Pair a device; its key (kept as a digest) lets it in until it is revoked."""
        with translate_errors(self._where), self.engine.begin() as conn:
            return int(
                conn.execute(
                    insert(devices)
                    .values(user_id=user_id, name=name, key_hash=key_hash, created_at=at)
                    .returning(devices.c.id)
                ).scalar_one()
            )

    def device_key(self, key_hash: str, now: datetime) -> Signed | None:
        """Who a device key belongs to (and note that the device was seen), unless revoked."""
        query = (
            select(devices.c.id, devices.c.user_id, users.c.name)
            .join(users, users.c.id == devices.c.user_id)
            .where(devices.c.key_hash == key_hash, devices.c.revoked_at.is_(None))
        )
        with translate_errors(self._where), self.engine.begin() as conn:
            row = conn.execute(query).first()
            if row is None:
                return None
            conn.execute(update(devices).where(devices.c.id == row.id).values(last_seen_at=now))
        return Signed(int(row.user_id), str(row.name), int(row.id))

    def devices(self, user_id: int) -> list[Device]:
        """The devices of this person, oldest first."""
        with translate_errors(self._where), self.engine.connect() as conn:
            rows = conn.execute(
                select(devices).where(devices.c.user_id == user_id).order_by(devices.c.id)
            ).all()
        return [
            Device(
                r.id,
                r.name,
                aware(r.created_at),
                aware(r.last_seen_at) if r.last_seen_at else None,
                r.revoked_at is not None,
            )
            for r in rows
        ]

    def revoke(self, user_id: int, device_id: int, at: datetime) -> bool:
        """Stop one of this person's devices (its key and its sign-ins); False if not theirs."""
        with translate_errors(self._where), self.engine.begin() as conn:
            changed = conn.execute(
                update(devices)
                .where(
                    devices.c.id == device_id,
                    devices.c.user_id == user_id,
                    devices.c.revoked_at.is_(None),
                )
                .values(revoked_at=at)
            ).rowcount
            if changed:
                conn.execute(
                    delete(auth_sessions).where(
                        auth_sessions.c.device_id == device_id, auth_sessions.c.user_id == user_id
                    )
                )
        return changed == 1
