"""Composition: the only place that chooses and wires the backends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from os1.assets import is_installed
from os1.clock import Clock, clock_from_env
from os1.companion import Companion
from os1.companion.care import CrisisCheck
from os1.companion.identity import Identity
from os1.companion.initiative import Initiatives, Rules, parse_quiet_hours
from os1.companion.letters import LetterHelper
from os1.companion.sight import Eyes
from os1.config import Paths, Settings, resolve_paths
from os1.letters.composer import Write
from os1.letters.studio import Studio
from os1.llm import LLM, GenerationOptions, Message, complete_json, create_llm
from os1.memory import MINILM, MINILM_ASSETS, Embedder, Memory, create_embedder
from os1.private import secure_home
from os1.store import Journal, MemoryStore
from os1.store.initiatives import InitiativeStore
from os1.store.letters import LetterStore
from os1.store.personas import PersonaStore
from os1.store.preferences import PreferenceStore
from os1.vision import create_vision
from os1.voice.base import STT, TTS, VAD
from os1.voice.registry import create_stt, create_tts, create_vad


def json_asker(llm: LLM, session: str = "memory-work") -> Any:
    """Schema-constrained calls for background work, on their own cached session."""

    async def ask_json(system: str, user: str, schema: dict[str, Any]) -> Any:
        return await complete_json(
            llm,
            [Message("system", system), Message("user", user)],
            schema,
            GenerationOptions(max_tokens=400, temperature=0.0, session=session),
        )

    return ask_json


def care_embedder(settings: Settings, paths: Paths, memory: Embedder | None) -> Embedder | None:
    """The embedder the crisis check compares meaning with: memory's, or MiniLM on its own.

    Only an embedder that knows meaning will do (``hashing`` only counts
    words); without one the check listens with its phrases and the model.
    """
    if memory is not None and settings.embedder != "hashing":
        return memory
    if settings.embedder == MINILM and all(is_installed(a, paths) for a in MINILM_ASSETS):
        return create_embedder(MINILM, paths)
    return None


def care_banks(paths: Paths) -> Path:
    """Where the crisis check keeps its examples' vectors: beside the models, for every home.

    They are derived from the examples and the embedder alone and hold nothing of anyone.
    """
    return paths.models_dir / "care"


async def prepare_care(settings: Settings, paths: Paths) -> bool:
    """Embed the crisis check's examples now, once per machine, so no first turn waits for it."""
    embedder = care_embedder(settings, paths, None)
    if embedder is None:
        return False
    await CrisisCheck(embedder, None, cache=care_banks(paths)).prepare()
    return True


def letter_writer(llm: LLM, temperature: float = 0.7, max_tokens: int = 700) -> Write:
    """Letters stream from the chat model on their own session, so chats keep their cache."""

    def write(system: str, user: str) -> AsyncIterator[str]:
        return llm.stream(
            [Message("system", system), Message("user", user)],
            GenerationOptions(max_tokens=max_tokens, temperature=temperature, session="letters"),
        )

    return write


def open_studio(companion: Companion) -> Studio:
    """The letters studio on the companion's store, model and clock."""
    if companion.letters is not None:
        return companion.letters.studio
    return Studio(
        LetterStore(companion.journal.engine), letter_writer(companion.llm), companion.clock
    )


@dataclass(frozen=True)
class Voice:
    """The speech parts the settings name, for every front door that listens or speaks."""

    stt: STT
    tts: TTS
    vad: VAD


def build_voice(settings: Settings, paths: Paths | None = None) -> Voice:
    """Create the configured recogniser, voice and voice activity detector."""
    paths = paths or resolve_paths()
    return Voice(
        create_stt(settings, paths), create_tts(settings, paths), create_vad(settings, paths)
    )


def build(settings: Settings, paths: Paths | None = None, clock: Clock | None = None) -> Companion:
    """Open the store, create the configured backends, and return the companion."""
    paths = paths or resolve_paths()
    clock = clock or clock_from_env()
    secure_home(paths)  # the database, its WAL and the saved model states are born 0600
    journal = Journal.open(settings.database_url, paths.database_file)
    try:
        llm = create_llm(settings, paths)
        embedder = (
            create_embedder(settings.embedder, paths, settings.openai_api_key)
            if settings.memory
            else None
        )
        memory = (
            Memory(
                MemoryStore(journal.engine),
                embedder,
                json_asker(llm),
                clock,
                budget_tokens=settings.memory_budget_tokens,
            )
            if embedder is not None
            else None
        )
        care = CrisisCheck(
            care_embedder(settings, paths, embedder),
            json_asker(llm, "care-work") if settings.care_judge else None,
            cache=care_banks(paths),
        )
    except BaseException:
        journal.close()
        raise
    letters = LetterHelper(
        Studio(LetterStore(journal.engine), letter_writer(llm, settings.temperature), clock),
        journal,
        clock,
    )
    quiet_start, quiet_end = parse_quiet_hours(settings.quiet_hours)
    rules = Rules(settings.initiative, quiet_start, quiet_end, settings.daily_initiatives)
    return Companion(
        journal,
        llm,
        clock,
        memory=memory,
        letters=letters,
        identity=Identity(PersonaStore(journal.engine), json_asker(llm, "persona-work"), clock),
        initiatives=Initiatives(
            InitiativeStore(journal.engine), clock, rules, PreferenceStore(journal.engine)
        ),
        care=care,
        eyes=Eyes(lambda: create_vision(settings, paths), paths.data_dir / "images"),
        route_with_model=settings.route_with_model,
        interview=settings.interview,
        user=settings.user,
        context_tokens=settings.context_tokens,
        max_reply_tokens=settings.max_reply_tokens,
        temperature=settings.temperature,
        history_turns=settings.history_turns,
    )
