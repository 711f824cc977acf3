"""The export format: complete, versioned JSON that import accepts back, validated strictly."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)

from os1.errors import InputError
from os1.store.memories import KINDS, MemoryRecord

FORMAT = "os1-memory-export"
VERSION = 1
MAX_MEMORIES = 200_000

MAX_CONTENT = 2000
"""The longest memory, in characters: what import accepts is what editing allows."""
MAX_LABEL = 200
"""The longest ``about``, ``aspect`` or ``source``."""

_When = TypeVar("_When", bound=date)
EARLIEST_YEAR = 1900
LATEST_YEAR = 9000


def _plausible(moment: _When) -> _When:
    """A time near enough to now that every time zone can show it (year 1 in UTC-5 cannot)."""
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise ValueError(f"must fall between the years {EARLIEST_YEAR} and {LATEST_YEAR}")
    return moment


Moment = Annotated[datetime, AfterValidator(_plausible)]
Day = Annotated[date, AfterValidator(_plausible)]
Short = Annotated[str, StringConstraints(max_length=MAX_LABEL)]
Long = Annotated[str, StringConstraints(min_length=1, max_length=MAX_CONTENT)]


class ExportedMemory(BaseModel):
    """One memory as exported; ids are local to the file and renumbered on import."""

    model_config = ConfigDict(extra="forbid", strict=True)

    id: int = Field(ge=1)
    kind: Literal[KINDS]  # type: ignore[valid-type]
    about: Short
    aspect: Short
    content: Long
    importance: int = Field(ge=1, le=5)
    confidence: float = Field(ge=0, le=1)
    happens_on: Day | None = Field(default=None, strict=False)
    source: Short
    source_turn_id: int | None = None
    derived_from: list[int] = Field(default_factory=list, max_length=1000)
    created_at: Moment = Field(strict=False)
    updated_at: Moment = Field(strict=False)
    superseded_by: int | None = None
    superseded_at: Moment | None = Field(default=None, strict=False)


class Export(BaseModel):
    """The whole file."""

    model_config = ConfigDict(extra="forbid", strict=True)

    format: Literal["os1-memory-export"]
    version: int
    exported_at: Moment = Field(strict=False)
    memories: list[ExportedMemory] = Field(max_length=MAX_MEMORIES)


def to_export(records: list[MemoryRecord], exported_at: datetime) -> dict[str, Any]:
    """Everything remembered, including replaced facts and their history links."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": exported_at.isoformat(),
        "memories": [
            {
                "id": r.id,
                "kind": r.kind,
                "about": r.about,
                "aspect": r.aspect,
                "content": r.content,
                "importance": r.importance,
                "confidence": r.confidence,
                "happens_on": r.happens_on.isoformat() if r.happens_on else None,
                "source": r.source,
                "source_turn_id": r.source_turn_id,
                "derived_from": list(r.derived_from),
                "created_at": r.created_at.isoformat(),
                "updated_at": r.updated_at.isoformat(),
                "superseded_by": r.superseded_by,
                "superseded_at": r.superseded_at.isoformat() if r.superseded_at else None,
            }
            for r in sorted(records, key=lambda r: r.id)
        ],
    }


def parse_export(data: Any) -> list[MemoryRecord]:
    """Validate a whole export before anything is written; name the first problems found."""
    if (
        isinstance(data, dict)
        and isinstance(data.get("version"), int)
        and data["version"] > VERSION
    ):
        raise InputError(
            f"This export is format version {data['version']}, newer than this os1 "
            f"understands ({VERSION}).",
            "Upgrade os1 to import it.",
        )
    try:
        export = Export.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5]
        )
        raise InputError(
            f"The file is not a valid os1 memory export ({problems}).",
            "Nothing was imported. Use a file made by `os1 memory export`.",
        ) from exc
    if export.version < 1:
        raise InputError(f"Unknown export version {export.version}.", "Nothing was imported.")
    ids = [m.id for m in export.memories]
    if len(set(ids)) != len(ids):
        raise InputError("The export repeats a memory id.", "Nothing was imported.")
    known = set(ids)
    for memory in export.memories:
        if memory.superseded_by is not None and memory.superseded_by not in known:
            raise InputError(
                f"Memory {memory.id} says it was replaced by {memory.superseded_by}, "
                "which is not in the file.",
                "Nothing was imported.",
            )
    return [
        MemoryRecord(
            id=m.id,
            kind=m.kind,
            about=m.about,
            aspect=m.aspect,
            content=m.content,
            importance=m.importance,
            confidence=m.confidence,
            happens_on=m.happens_on,
            source=m.source,
            source_turn_id=None,
            derived_from=tuple(i for i in m.derived_from if i in known),
            created_at=m.created_at,
            updated_at=m.updated_at,
            superseded_by=m.superseded_by,
            superseded_at=m.superseded_at,
        )
        for m in export.memories
    ]
