"""The letters studio's files: clients, the people they write to, and every version of a letter.

A version is never changed once written; revising adds the next one, so any two
can be compared and an earlier one rendered again. Every query filters by
``user_id``: one person's clients and letters are invisible to another.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import Connection, Engine, Row, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from os1.errors import InputError, NotFound
from os1.store.database import aware, translate_errors
from os1.store.schema import letter_clients, letter_recipients, letter_versions, letters


@dataclass(frozen=True)
class ClientHand:
    """A client's own handwriting, as the parameters the pen is given.

    ``base`` is the style whose font and paper it starts from; ``slant`` is in degrees
    (to the right); ``size`` a factor on the base size; ``roundness``, ``pressure`` and
    ``messiness`` run from 0 to 1.
    """

    base: str = "classic"
    slant: float = 4.0
    size: float = 1.0
    roundness: float = 0.5
    pressure: float = 0.5
    messiness: float = 0.5

    RANGES: ClassVar[Mapping[str, tuple[float, float]]] = {
        "slant": (-15.0, 30.0),
        "size": (0.7, 1.4),
        "roundness": (0.0, 1.0),
        "pressure": (0.0, 1.0),
        "messiness": (0.0, 1.0),
    }

    def __post_init__(self) -> None:
        for name, (low, high) in self.RANGES.items():
            value = getattr(self, name)
            if not low <= value <= high:
                raise InputError(
                    f"A hand's {name} of {value:g} is out of range.",
                    f"Give a {name} from {low:g} to {high:g}.",
                )

    def as_json(self) -> dict[str, str | float]:
        """The stored form."""
        return {
            "base": self.base,
            **{name: float(getattr(self, name)) for name in self.RANGES},
        }


@dataclass(frozen=True)
class Client:
    """Someone letters are written for, and how they write."""

    id: int
    name: str
    about: str
    signs_as: str
    address: tuple[str, ...]
    samples: tuple[str, ...]
    hand: ClientHand | None = None


@dataclass(frozen=True)
class Recipient:
    """Someone a client writes to: who they are to the client and what the two share."""

    id: int
    client_id: int
    name: str
    relationship: str
    history: str
    details: tuple[str, ...]
    address: tuple[str, ...]


@dataclass(frozen=True)
class Version:
    """One version of a letter's text, with the instruction that produced it."""

    number: int
    text: str
    instruction: str
    unconfirmed: tuple[str, ...]
    created_at: datetime


@dataclass(frozen=True)
class Letter:
    """A letter from a client to a recipient, with all its versions, oldest first."""

    id: int
    client_id: int
    recipient_id: int
    occasion: str
    created_at: datetime
    versions: tuple[Version, ...]

    @property
    def latest(self) -> Version:
        """The current text: the newest version."""
        return self.versions[-1]


def _client(row: Row[Any]) -> Client:
    stored = row.hand
    hand = ClientHand(**stored) if isinstance(stored, dict) else None
    return Client(
        row.id, row.name, row.about, row.signs_as, tuple(row.address), tuple(row.samples), hand
    )


def _recipient(row: Row[Any]) -> Recipient:
    return Recipient(
        row.id,
        row.client_id,
        row.name,
        row.relationship,
        row.history,
        tuple(row.details),
        tuple(row.address),
    )


def _version(row: Row[Any]) -> Version:
    return Version(
        row.number, row.text, row.instruction, tuple(row.unconfirmed), aware(row.created_at)
    )


@contextlib.contextmanager
def _unique(refused: InputError) -> Iterator[None]:
    """Turn a unique-name violation into the person-facing ``refused``."""
    try:
        yield
    except IntegrityError:
        raise refused from None


class LetterStore:
    """Reads and writes one user's clients, recipients and letters."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._where = engine.url.render_as_string(hide_password=True)

    # -- clients and recipients ----------------------------------------------

    def add_client(
        self,
        user_id: int,
        name: str,
        at: datetime,
        *,
        about: str = "",
        signs_as: str = "",
        address: Sequence[str] = (),
        samples: Sequence[str] = (),
    ) -> Client:
        """Open a client's file; a name already on file is refused rather than merged."""
        refused = InputError(
            f"There is already a client called {name!r}.",
            "Pick another name, or see the file with `os1 letters client show`.",
        )
        with translate_errors(self._where), _unique(refused), self.engine.begin() as conn:
            client_id = conn.execute(
                insert(letter_clients)
                .values(
                    user_id=user_id,
                    name=name,
                    about=about,
                    signs_as=signs_as or name,
                    address=list(address),
                    samples=list(samples),
                    created_at=at,
                    updated_at=at,
                )
                .returning(letter_clients.c.id)
            ).scalar_one()
        return self.client(user_id, int(client_id))

    def add_sample(self, user_id: int, client_id: int, sample: str, at: datetime) -> None:
        """Keep one more letter in the client's own words, to learn their voice from."""
        client = self.client(user_id, client_id)
        with translate_errors(self._where), self.engine.begin() as conn:
            conn.execute(
                update(letter_clients)
                .where(letter_clients.c.id == client.id, letter_clients.c.user_id == user_id)
                .values(samples=[*client.samples, sample], updated_at=at)
            )

    def set_signature(self, user_id: int, client_id: int, signs_as: str, at: datetime) -> None:
        """Change how the client signs."""
        with translate_errors(self._where), self.engine.begin() as conn:
            conn.execute(
                update(letter_clients)
                .where(letter_clients.c.id == client_id, letter_clients.c.user_id == user_id)
                .values(signs_as=signs_as, updated_at=at)
            )

    def set_hand(self, user_id: int, client_id: int, hand: ClientHand, at: datetime) -> None:
        """Keep the client's own hand, which their letters are then rendered in."""
        with translate_errors(self._where), self.engine.begin() as conn:
            changed = conn.execute(
                update(letter_clients)
                .where(letter_clients.c.id == client_id, letter_clients.c.user_id == user_id)
                .values(hand=hand.as_json(), updated_at=at)
            ).rowcount
        if changed != 1:
            raise NotFound(
                f"There is no client {client_id}.",
                "See who is on file with `os1 letters client list`.",
            )

    def clients(self, user_id: int) -> list[Client]:
        """Every client on file, by name."""
        with translate_errors(self._where), self.engine.connect() as conn:
            rows = conn.execute(
                select(letter_clients)
                .where(letter_clients.c.user_id == user_id)
                .order_by(letter_clients.c.name)
            ).all()
        return [_client(r) for r in rows]

    def client(self, user_id: int, key: int | str) -> Client:
        """A client by id or name."""
        column = letter_clients.c.id if isinstance(key, int) else letter_clients.c.name
        with translate_errors(self._where), self.engine.connect() as conn:
            row = conn.execute(
                select(letter_clients).where(letter_clients.c.user_id == user_id, column == key)
            ).first()
        if row is None:
            raise NotFound(
                f"There is no client {key!r}.",
                "See who is on file with `os1 letters client list`.",
            )
        return _client(row)

    def add_recipient(
        self,
        user_id: int,
        client_id: int,
        name: str,
        at: datetime,
        *,
        relationship: str = "",
        history: str = "",
        details: Sequence[str] = (),
        address: Sequence[str] = (),
    ) -> Recipient:
        """Note someone the client writes to; the same name twice for one client is refused."""
        self.client(user_id, client_id)
        refused = InputError(
            f"This client already writes to someone called {name!r}.",
            "Use another name, or see the file with `os1 letters client show`.",
        )
        with translate_errors(self._where), _unique(refused), self.engine.begin() as conn:
            recipient_id = conn.execute(
                insert(letter_recipients)
                .values(
                    user_id=user_id,
                    client_id=client_id,
                    name=name,
                    relationship=relationship,
                    history=history,
                    details=list(details),
                    address=list(address),
                    created_at=at,
                    updated_at=at,
                )
                .returning(letter_recipients.c.id)
            ).scalar_one()
        return self.recipient(user_id, client_id, int(recipient_id))

    def recipients(self, user_id: int, client_id: int) -> list[Recipient]:
        """Everyone this client writes to, by name."""
        with translate_errors(self._where), self.engine.connect() as conn:
            rows = conn.execute(
                select(letter_recipients)
                .where(
                    letter_recipients.c.user_id == user_id,
                    letter_recipients.c.client_id == client_id,
                )
                .order_by(letter_recipients.c.name)
            ).all()
        return [_recipient(r) for r in rows]

    def recipient(self, user_id: int, client_id: int, key: int | str) -> Recipient:
        """One of the client's recipients by id or name."""
        column = letter_recipients.c.id if isinstance(key, int) else letter_recipients.c.name
        with translate_errors(self._where), self.engine.connect() as conn:
            row = conn.execute(
                select(letter_recipients).where(
                    letter_recipients.c.user_id == user_id,
                    letter_recipients.c.client_id == client_id,
                    column == key,
                )
            ).first()
        if row is None:
            raise NotFound(
                f"This client writes to no one called {key!r}.",
                "Add them with `os1 letters recipient add`.",
            )
        return _recipient(row)

    # -- letters --------------------------------------------------------------

    def new_letter(
        self,
        user_id: int,
        client_id: int,
        recipient_id: int,
        occasion: str,
        first: Version,
    ) -> Letter:
        """File a new letter with its first version."""
        self.recipient(user_id, client_id, recipient_id)
        with translate_errors(self._where), self.engine.begin() as conn:
            letter_id = int(
                conn.execute(
                    insert(letters)
                    .values(
                        user_id=user_id,
                        client_id=client_id,
                        recipient_id=recipient_id,
                        occasion=occasion,
                        created_at=first.created_at,
                        updated_at=first.created_at,
                    )
                    .returning(letters.c.id)
                ).scalar_one()
            )
            self._insert_version(conn, user_id, letter_id, 1, first)
        return self.letter(user_id, letter_id)

    def add_version(self, user_id: int, letter_id: int, version: Version) -> Letter:
        """Keep a revised text as the letter's next version; earlier ones stay as they were."""
        with translate_errors(self._where), self.engine.begin() as conn:
            owned = conn.execute(
                update(letters)
                .where(letters.c.id == letter_id, letters.c.user_id == user_id)
                .values(updated_at=version.created_at)
            ).rowcount
            if owned != 1:
                raise self._missing(letter_id)
            number = conn.execute(
                select(func.coalesce(func.max(letter_versions.c.number), 0)).where(
                    letter_versions.c.letter_id == letter_id
                )
            ).scalar_one()
            self._insert_version(conn, user_id, letter_id, int(number) + 1, version)
        return self.letter(user_id, letter_id)

    @staticmethod
    def _insert_version(
        conn: Connection, user_id: int, letter_id: int, number: int, version: Version
    ) -> None:
        conn.execute(
            insert(letter_versions).values(
                letter_id=letter_id,
                user_id=user_id,
                number=number,
                text=version.text,
                instruction=version.instruction,
                unconfirmed=list(version.unconfirmed),
                created_at=version.created_at,
            )
        )

    @staticmethod
    def _missing(letter_id: int) -> NotFound:
        return NotFound(
            f"There is no letter {letter_id}.", "See the letters with `os1 letters list`."
        )

    def letter(self, user_id: int, letter_id: int) -> Letter:
        """A letter with all its versions."""
        found = self.letters(user_id, ids=[letter_id])
        if not found:
            raise self._missing(letter_id)
        return found[0]

    def letters(
        self,
        user_id: int,
        *,
        client_id: int | None = None,
        recipient_id: int | None = None,
        ids: Sequence[int] | None = None,
    ) -> list[Letter]:
        """Letters in the order they were started, each with its versions."""
        query = select(letters).where(letters.c.user_id == user_id)
        if client_id is not None:
            query = query.where(letters.c.client_id == client_id)
        if recipient_id is not None:
            query = query.where(letters.c.recipient_id == recipient_id)
        if ids is not None:
            query = query.where(letters.c.id.in_(list(ids)))
        with translate_errors(self._where), self.engine.connect() as conn:
            rows = conn.execute(query.order_by(letters.c.created_at, letters.c.id)).all()
            versions: dict[int, list[Version]] = {int(r.id): [] for r in rows}
            for v in conn.execute(
                select(letter_versions)
                .where(
                    letter_versions.c.user_id == user_id,
                    letter_versions.c.letter_id.in_(list(versions)),
                )
                .order_by(letter_versions.c.number)
            ).all():
                versions[int(v.letter_id)].append(_version(v))
        return [
            Letter(
                int(r.id),
                int(r.client_id),
                int(r.recipient_id),
                r.occasion,
                aware(r.created_at),
                tuple(versions[int(r.id)]),
            )
            for r in rows
        ]
