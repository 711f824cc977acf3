"""Noticing risk: whether a person is speaking of ending their life or harming themself.

One regular expression caught the plain words and missed what people in
crisis mostly say ("I've been giving my things away", "everyone would be
better off", "sleep and never wake up"). So the check has three layers, each
only as costly as it must be:

1. phrases (``en.toml``): certain on their own, after figures of speech
   ("this project is killing me") are set aside;
2. meaning: the message (and each of its sentences) is compared with a bank
   of crisis expressions and a bank of safe ones (idioms, ordinary sadness,
   stories) using the embedder memory already loads, a few milliseconds;
3. for messages that come faintly close to the crisis bank without being
   clear: care, or with the ``care_judge`` setting the model's
   schema-constrained judgement. The embedded 1.5B model judged such messages
   near chance (of 8 close calls among 864 test messages, all real risk, it
   cleared 2), so by default a close call is answered with care.

When a layer cannot run (no embedder, the model is busy or failing) the check
leans towards care: a message that came close is treated as a crisis.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
import time
import tomllib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from os1.memory.embedder import Embedder, Vectors

AskJson = Callable[[str, str, dict[str, Any]], Awaitable[Any]]

LEANING = 0.5
"""Closeness (cosine, mean of the nearest two) to the crisis bank that is a crisis alone,
if the safe bank is further.

Lower than a clear match on purpose: the small model, asked about messages
between ``CLOSE`` and this, judged "standing at the edge of the platform when
the train comes" and "I've said goodbye to my sister, she doesn't know why"
safe; so it only decides the faintest close calls, where a miss is least likely."""
CLOSE = 0.47
"""Below this the message is not close to any crisis expression; above it (and below
``LEANING``) it is a close call: care, or the model's judgement where that is on.

Raised from 0.45 when the example files doubled the banks: with more examples every
message finds closer neighbours, and at 0.45 "Do you know my name?" and "how do I parallel
park without panicking" became close calls (everyday false alarms 17 -> 27 of 725). At 0.47 they
are 20, and one crisis message in 390 of the left-out example files is lost."""
CLEAR = 0.65
"""Closeness to the crisis bank that no likeness to an everyday question can outweigh."""
ORDINARY = 0.6
"""Closeness to the everyday bank (questions and requests such as "a good stretch for a stiff
neck?") at which a message that is not clearly a crisis is taken as the everyday thing it is.

Folded into the safe bank, these examples pulled real risk towards safety ("I went deeper on
purpose and it won't stop bleeding", among others: recall on the blind set fell 0.74 -> 0.69);
as a separate bank that only speaks against a close call, they cut false alarms on 738 everyday
messages from 27 to 20 and lost no crisis message on any set."""
MARGIN = 0.04
"""How much closer to the crisis bank than to the safe bank a message must be."""
NEIGHBOURS = 2
"""How many of a bank's nearest examples a message is compared with (their mean).

One nearest example let a single odd example decide: with two, on the sets
used to develop the check, recall rose and false alarms fell (0.86/0.06 ->
0.90/0.04 with the closeness bars lowered to match); three or more lost recall."""
JUDGE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"risk": {"type": "string", "enum": ["high", "none", "unsure"]}},
    "required": ["risk"],
    "additionalProperties": False,
}
_SENTENCES = re.compile(r"(?<=[.!?;])\s+|\n+")


class Risk(StrEnum):
    """How much danger a message speaks of."""

    NONE = "none"
    CRISIS = "crisis"
    URGENT = "urgent"
    """A crisis with a plan, the means at hand, a time, or harm already done."""


@dataclass(frozen=True)
class Assessment:
    """The outcome of the check, with which layer decided and how close the message came."""

    risk: Risk
    layer: str
    similarity: float = 0.0
    took_ms: float = 0.0

    @property
    def crisis(self) -> bool:
        """Whether os1 must answer with care and ways to reach a person."""
        return self.risk is not Risk.NONE


@dataclass(frozen=True)
class Closeness:
    """Cosine closeness to the crisis and safe banks: the riskiest sentence, and the whole."""

    sentence: float
    sentence_safe: float
    whole: float
    whole_safe: float
    everyday: float = 0.0
    """The whole message's closeness to everyday questions and requests."""


@dataclass(frozen=True)
class ExampleSet:
    """Labelled messages from one writer (``examples/<language>-*.toml``).

    Kept apart from the bank so the check can be measured with them left out.
    """

    name: str
    crisis: tuple[str, ...]
    safe: tuple[str, ...]


@dataclass(frozen=True)
class Phrasebook:
    """One language's phrases and examples (``<language>.toml`` and ``examples/`` here)."""

    crisis: tuple[re.Pattern[str], ...]
    signs: tuple[re.Pattern[str], ...]
    frames: tuple[re.Pattern[str], ...]
    urgent: tuple[re.Pattern[str], ...]
    idioms: tuple[re.Pattern[str], ...]
    crisis_examples: tuple[str, ...]
    safe_examples: tuple[str, ...]
    everyday_examples: tuple[str, ...]
    judge: str
    sets: tuple[ExampleSet, ...] = ()
    """The example files whose messages are in ``crisis_examples`` and ``safe_examples``."""

    def without(self, name: str) -> Phrasebook:
        """The same book with one example file left out, to measure the check on it."""
        left = next(s for s in self.sets if s.name == name)
        return replace(
            self,
            crisis_examples=_minus(self.crisis_examples, left.crisis),
            safe_examples=_minus(self.safe_examples, left.safe),
            sets=tuple(s for s in self.sets if s.name != name),
        )

    def without_idioms(self, text: str) -> str:
        """The message with its figures of speech blanked out."""
        for idiom in self.idioms:
            text = idiom.sub(" ", text)
        return text

    def says_crisis(self, text: str) -> bool:
        """Whether a crisis phrase is in the message, once idioms are set aside."""
        plain = self.without_idioms(_normalise(text))
        return any(p.search(plain) for p in self.crisis)

    def shows_signs(self, text: str) -> bool:
        """Whether the message has a warning sign that its meaning must confirm or explain."""
        plain = self.without_idioms(_normalise(text))
        return any(p.search(plain) for p in self.signs)

    def speaks_of_others(self, text: str) -> bool:
        """Whether the message speaks from someone's work or of other people and stories."""
        plain = _normalise(text)
        return any(p.search(plain) for p in self.frames)

    def says_urgent(self, text: str) -> bool:
        """Whether the message speaks of a plan, means at hand, a time, or harm done."""
        plain = _normalise(text)
        return any(p.search(plain) for p in self.urgent)


def _minus(examples: tuple[str, ...], leaving: tuple[str, ...]) -> tuple[str, ...]:
    gone = set(leaving)
    return tuple(e for e in examples if e not in gone)


def _normalise(text: str) -> str:
    return " ".join(text.replace("\u2019", "'").replace("\u2018", "'").split())


@cache
def phrasebook(language: str = "en") -> Phrasebook:
    """The phrases and examples for ``language`` (English is the one written so far)."""
    here = resources.files("os1.companion.care")
    data = tomllib.loads(here.joinpath(f"{language}.toml").read_text(encoding="utf-8"))
    sets = []
    for path in sorted(here.joinpath("examples").iterdir(), key=lambda p: p.name):
        if path.name.startswith(f"{language}-") and path.name.endswith(".toml"):
            labelled = tomllib.loads(path.read_text(encoding="utf-8"))
            name = path.name.removesuffix(".toml")
            sets.append(ExampleSet(name, tuple(labelled["crisis"]), tuple(labelled["safe"])))

    def compiled(key: str) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p, re.IGNORECASE) for p in data["phrases"][key])

    return Phrasebook(
        crisis=compiled("crisis"),
        signs=compiled("signs"),
        frames=compiled("frames"),
        urgent=compiled("urgent"),
        idioms=compiled("idioms"),
        crisis_examples=(*data["bank"]["crisis"], *(t for s in sets for t in s.crisis)),
        safe_examples=(*data["bank"]["safe"], *(t for s in sets for t in s.safe)),
        everyday_examples=tuple(data["bank"]["everyday"]),
        judge=str(data["judge"]["system"]).strip(),
        sets=tuple(sets),
    )


def _save(path: Path, vectors: Vectors) -> None:
    """Write the vectors readable by their owner only, whole or not at all."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.partial")
    with partial.open("wb") as out:
        os.fchmod(out.fileno(), 0o600)
        np.save(out, vectors, allow_pickle=False)
    os.replace(partial, path)


def _brief(text: str) -> bool:
    """Too short for a close call: a word or two ("evening!") lands near anything."""
    return len(re.findall(r"\w+", text)) < 3


def _nearest(vectors: Vectors, bank: Vectors) -> Any:
    """Each row's mean closeness to its ``NEIGHBOURS`` nearest examples in ``bank``."""
    return np.sort(vectors @ bank.T, axis=1)[:, -NEIGHBOURS:].mean(axis=1)


def sentences(text: str) -> list[str]:
    """The message and, for longer messages, each sentence in it (risk hides in one)."""
    parts = [p.strip() for p in _SENTENCES.split(text) if len(p.strip()) > 3]
    return [text, *parts] if len(parts) > 1 else [text]


class CrisisCheck:
    """Tells real risk from idioms, on every message, before anything else happens."""

    def __init__(
        self,
        embedder: Embedder | None,
        ask_json: AskJson | None,
        *,
        language: str = "en",
        cache: Path | None = None,
        book: Phrasebook | None = None,
    ) -> None:
        self._cache = cache
        self._embedder = embedder
        self._ask_json = ask_json
        self.book = book or phrasebook(language)
        self._banks: tuple[Vectors, Vectors, Vectors] | None = None
        self._lock = asyncio.Lock()

    async def prepare(self) -> None:
        """Have the example banks' vectors ready: from the cache file, or embedded now.

        Embedding the ~2,400 examples takes about 16 s on two cores, which a first run
        would pay while the chat model loads; they only change with the examples or the
        embedder, and hold nothing of the person, so one file beside the models serves
        every home on the machine.
        """
        if self._embedder is None or self._banks is not None:
            return
        async with self._lock:
            if self._banks is not None:
                return
            book = self.book
            examples = [*book.crisis_examples, *book.safe_examples, *book.everyday_examples]
            key = hashlib.sha256("\n".join([self._embedder.name, *examples]).encode()).hexdigest()
            cached = self._cache / f"care-{key[:24]}.npy" if self._cache else None
            vectors: Vectors | None = None
            if cached is not None and cached.exists():
                with contextlib.suppress(OSError, ValueError):
                    vectors = np.load(cached, allow_pickle=False)
            if vectors is None or vectors.shape[0] != len(examples):
                vectors = await self._embedder.embed(examples)
                if cached is not None:
                    with contextlib.suppress(OSError):
                        _save(cached, vectors)
            crisis, safe = len(book.crisis_examples), len(book.safe_examples)
            self._banks = (
                vectors[:crisis],
                vectors[crisis : crisis + safe],
                vectors[crisis + safe :],
            )

    async def closeness(self, text: str) -> Closeness:
        """How close the message, and its riskiest sentence, come to each bank (cosine).

        Each sentence is compared on its own, and the one that leans furthest
        towards the crisis bank speaks for the message when it is clear: risk
        often hides in one sentence among ordinary ones. A close call is judged
        on the whole message, so a fragment ("What is my dog", a transcript cut
        short) that happens to sit near "I gave my dog away…" is not one.
        """
        await self.prepare()
        if self._embedder is None or self._banks is None:
            return Closeness(0.0, 0.0, 0.0, 0.0)
        crisis_bank, safe_bank, everyday_bank = self._banks
        parts = sentences(_normalise(text))
        vectors = await self._embedder.embed(parts)
        to_crisis = _nearest(vectors, crisis_bank)
        to_safe = _nearest(vectors, safe_bank)
        leaning = np.where(to_crisis >= to_safe + MARGIN, to_crisis, to_crisis - 1.0)
        best = int(np.argmax(leaning))  # the sentence that leans furthest towards risk
        return Closeness(
            float(to_crisis[best]),
            float(to_safe[best]),
            float(to_crisis[0]),
            float(to_safe[0]),
            float(_nearest(vectors[:1], everyday_bank)[0]),
        )

    async def assess(self, text: str, context: Sequence[str] = ()) -> Assessment:
        """Whether ``text`` speaks of risk; ``context`` is what the person said just before."""
        started = time.perf_counter()

        def done(risk: Risk, layer: str, similarity: float = 0.0) -> Assessment:
            if risk is Risk.CRISIS and self.book.says_urgent(text):
                risk = Risk.URGENT
            return Assessment(risk, layer, similarity, (time.perf_counter() - started) * 1000)

        certain = self.book.says_crisis(text)
        others = self.book.speaks_of_others(text)
        if certain and not others:
            return done(Risk.CRISIS, "phrase", 1.0)
        try:
            near = await self.closeness(self.book.without_idioms(text))
        except Exception:  # no embedder today: the phrases and the model still listen
            near = Closeness(CLOSE, 0.0, CLOSE, 0.0)
        ordinary = near.everyday >= ORDINARY and near.everyday >= near.whole
        if near.sentence >= LEANING and near.sentence >= near.sentence_safe + MARGIN:
            if near.sentence >= CLEAR or not ordinary:
                return done(Risk.CRISIS, "meaning", near.sentence)
            return done(Risk.NONE, "everyday", near.everyday)
        if ordinary:
            return done(Risk.NONE, "everyday", near.everyday)
        if certain or self.book.shows_signs(text):
            # a sign is risk unless the message means something safer; speaking
            # of work, stories or others, it must mean risk more than safety
            lean = -MARGIN if others else MARGIN
            if near.whole + lean >= near.whole_safe:
                return done(Risk.CRISIS, "sign", near.whole)
        if near.whole < CLOSE or near.whole < near.whole_safe + MARGIN or _brief(text):
            return done(Risk.NONE, "meaning", max(near.whole, near.sentence))
        if near.whole >= LEANING:
            return done(Risk.CRISIS, "meaning", near.whole)
        layer = "model" if self._ask_json is not None else "close"
        return done(await self._judge(text, context), layer, near.whole)

    async def _judge(self, text: str, context: Sequence[str]) -> Risk:
        """The model's reading of a message that came close; care when it cannot answer."""
        if self._ask_json is None:
            return Risk.CRISIS
        before = "".join(f"Earlier: {line[:300]}\n" for line in context[-2:])
        try:
            data = await self._ask_json(
                self.book.judge, f"{before}Message: {text[:1500]}", JUDGE_SCHEMA
            )
            verdict = str(data.get("risk", "unsure"))
        except Exception:  # the model failed: a close message is answered with care
            return Risk.CRISIS
        return Risk.NONE if verdict == "none" else Risk.CRISIS
