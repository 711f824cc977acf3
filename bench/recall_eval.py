"""Does os1 remember? Scripted multi-session conversations, scored against a no-memory baseline.

os1's promise is a companion that knows you next week: your name, your people, what you
hate, when your interview is, and that your sister moved to Porto, not Lisbon, after all.
That only holds if the whole chain works on the small embedded model: the extraction
that runs after each reply (``Companion.remember_pending``) must turn what the person
said into good memory records, supersede facts that changed, and the recall that runs
before each reply must put the right ones into the prompt, where the model has to use
them. This script measures the chain end to end, through ``Companion.turn``, exactly as
a front door drives it:

1. Planting. Five sessions, days apart (a ``FixedClock`` moved between them), each a fresh
   ``build(load_settings())`` companion (a restart) with a new conversation, say personal
   facts, people, likes and dislikes, plans with dates, feelings, facts that later change
   ("Ana is moving to Lisbon in March", a week later "she moved to Porto instead"), facts
   hidden in small talk, and small talk with no facts at all. After each turn the script
   calls ``remember_pending()`` and times it.
2. Questions. Three later sessions (more restarts, more days) ask 44 questions, each in a
   new conversation, so an answer can only come from long-term memory, never from the
   chat history. Answers are scored deterministically: every expected pattern must be
   present (case-insensitive regexes with alternatives); ``wrong`` values (a neighbour's
   cat's name when asked for one's own dog's) must be absent; for changed facts the
   outdated value must be absent, or appear only in a clause that marks it as past
   ("was", "instead of", "used to", "quit", ...).

The same script is played twice, each in a fresh temporary ``OS1_HOME``: with memory on
(os1's defaults) and with memory off (``memory=False``) as the baseline, which shows
how much the model guesses right without memory (it should be close to nothing). Both
use temperature 0 and ``max_reply_tokens=96``, and only one model is loaded at a time.
For each question answered wrongly with memory on, the report says at which stage the
chain broke, judged on the memories taken from the turns the question relies on:
``extraction`` (none ever held the answer), ``superseded`` (one did, but a later memory
replaced it), ``stale`` (the outdated fact is still active), ``recall`` (stored, but not
in the memory block the turn received) or ``answer`` (in the block, and the model did not
use it). The stages are a heuristic (regexes over memory text), a guide for reading
``--dump`` output, not a verdict. The last line printed is
``recall_accuracy=... baseline_accuracy=...``.

Run: ``.venv/bin/python bench/recall_eval.py [--quick] [--dump FILE] [--show-memories]``
(about 11-13 minutes on 2 cores; ``--quick`` plants six turns, asks 15 questions, and
takes about 3 minutes).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from os1.app import build
from os1.clock import FixedClock
from os1.companion import Companion
from os1.config import Settings, load_settings
from os1.events import ErrorEvent, TurnCommitted
from os1.store.memories import MemoryRecord

MAX_REPLY_TOKENS = 96
MINUTES_BETWEEN_TURNS = 2

# --- the script ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plant:
    """One turn of a planting session; ``key`` names it for the questions that rely on it."""

    key: str
    text: str
    facts: bool = True  # False for small talk that should leave no memory


@dataclass(frozen=True)
class PlantSession:
    at: datetime
    turns: tuple[Plant, ...]


@dataclass(frozen=True)
class Question:
    """A question and how its answer is scored.

    ``expect``: regexes that must all match (each may hold alternatives); ``wrong``:
    regexes that must not match at all; ``outdated``: regexes that may match only in a
    clause that marks the value as past. ``needs``: the planting turns it relies on.
    """

    category: str
    text: str
    expect: tuple[str, ...]
    needs: tuple[str, ...]
    wrong: tuple[str, ...] = ()
    outdated: tuple[str, ...] = ()


@dataclass(frozen=True)
class QuestionSession:
    at: datetime
    questions: tuple[Question, ...]


def day(month: int, dom: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, dom, hour, minute, tzinfo=UTC)


PLANTING = (
    PlantSession(
        day(2, 2, 19),  # Monday
        (
            Plant(
                "name_job", "Hi! I'm Maya. I work as a vet nurse at an animal clinic in Bristol."
            ),
            Plant("dog", "I have a golden retriever called Biscuit. He's three years old."),
            Plant("rain", "Ugh, it has rained all day here. So grey.", facts=False),
            Plant("ana", "My sister Ana is an architect. She's moving to Lisbon in March."),
            Plant("cilantro", "I hate cilantro, it tastes like soap to me."),
        ),
    ),
    PlantSession(
        day(2, 5, 20),  # Thursday
        (
            Plant("amy", "My best friend Amy is a pilot for a small airline."),
            Plant("band", "My favourite band is Radiohead, I've seen them live twice."),
            Plant("houseplant", "Haha. Anyway, what's a good name for a houseplant?", facts=False),
            Plant("cello", "I'm learning to play the cello, I practise every Sunday morning."),
            Plant("curry", "Thai green curry is my favourite food."),
        ),
    ),
    PlantSession(
        day(2, 10, 18, 30),  # Tuesday
        (
            Plant("coffee", "I drink way too much coffee, like four cups a day."),
            Plant("mum", "My mum Rosa lives in Seville."),
            Plant("neighbour", "My neighbour Tom has a grumpy cat called Pickles."),
            Plant("tidy", "Not much going on today, just tidying up. Lol.", facts=False),
            Plant(
                "car", "Traffic was awful today. Oh, and my car is a red Fiat Panda, by the way."
            ),
            Plant("flying", "I'm scared of flying, so I always take the train."),
            Plant("birthday", "Ana's birthday is on the 9th of March."),
        ),
    ),
    PlantSession(
        day(2, 16, 19),  # Monday
        (
            Plant(
                "porto",
                "Big news: Ana didn't move to Lisbon after all. She moved to Porto instead.",
            ),
            Plant("tea", "I've quit coffee. I only drink green tea now."),
            Plant(
                "interview",
                "I have a job interview at the Natural History Museum on Thursday at 10.",
            ),
            Plant("nervous", "I'm really nervous about that interview."),
            Plant("dentist", "My dentist appointment is on the 27th of February at 3pm."),
            Plant("howday", "Anyway, enough about me. How's your day going?", facts=False),
        ),
    ),
    PlantSession(
        day(2, 17, 8, 30),  # Tuesday
        (
            Plant("amy_yoga", "Amy quit flying, she's a yoga teacher now."),
            Plant("resched", "The museum moved my interview to Friday at 2pm."),
            Plant("lonely", "I've been feeling a bit lonely since Ana left."),
            Plant("edinburgh", "Amy and I are taking the train to Edinburgh on the 14th of March."),
        ),
    ),
)

# Alternatives for times: "2pm", "2 p.m.", "2:00", "two", "14:00" (not "20th" or "12").
TWO_PM = r"\b2(?![\d]|st|nd|th)|\btwo\b|\b14[:.]00"
TEN_AM = r"\b10(?![\d]|st|nd|th)|\bten\b"
THREE_PM = r"\b3(?![\d]|rd)|\bthree\b|\b15[:.]00"
NONE_NOW = r"\bno\b|\bnone\b|\bzero\b|n't|\bnot\b|quit|stopped|gave up|no longer|\btea\b"

Q = Question
QUESTIONS = (
    QuestionSession(
        day(2, 18, 10),  # Wednesday
        (
            Q("identity", "What's my name?", (r"\bmaya\b",), ("name_job",)),
            Q("identity", "What do I do for work?", (r"\bvet",), ("name_job",),
              wrong=(r"architect", r"pilot", r"yoga")),
            Q("identity", "Which city do I work in?", (r"bristol",), ("name_job",)),
            Q("identity", "What kind of pet do I have?", (r"\bdog|retriever",), ("dog",)),
            Q("identity", "What breed is my dog?", (r"golden|retriever",), ("dog",)),
            Q("identity", "How old is my dog?", (r"\bthree\b|\b3\b",), ("dog",)),
            Q("identity", "What instrument am I learning?", (r"cello",), ("cello",)),
            Q("people", "What's my sister's name?", (r"\bana\b",), ("ana",)),
            Q("people", "What does my sister Ana do for a living?", (r"architect",), ("ana",),
              wrong=(r"\bnurse", r"pilot", r"yoga")),
            Q("people", "What's my best friend's name?", (r"\bamy\b",), ("amy",)),
            Q("plans", "When is my dentist appointment?", (r"\b27|twenty-seventh", THREE_PM),
              ("dentist",)),
            Q("plans", "What's happening on the 27th of February?", (r"dentist",), ("dentist",)),
            Q("plans", "When is Ana's birthday?", (r"\b9(?!\d)|ninth", r"march"), ("birthday",)),
            Q("changed", "When is my job interview?",
              (r"friday|\b20(?!\d)|twentieth|day after tomorrow", TWO_PM),
              ("interview", "resched"), outdated=(r"thursday",)),
            Q("changed", "Where does my sister Ana live now?", (r"porto",), ("ana", "porto"),
              outdated=(r"lisbon",)),
        ),
    ),
    QuestionSession(
        day(2, 18, 21),  # Wednesday evening, after a restart
        (
            Q("people", "What's my mum's name?", (r"\brosa\b",), ("mum",)),
            Q("people", "Where does my mum live?", (r"sevill",), ("mum",),
              wrong=(r"porto", r"lisbon", r"bristol")),
            Q("people", "Who is Tom?", (r"neighbo",), ("neighbour",)),
            Q("preferences", "What food do I hate?", (r"cilantro|coriander",), ("cilantro",)),
            Q("preferences", "What does cilantro taste like to me?", (r"soap",), ("cilantro",)),
            Q("preferences", "What's my favourite band?", (r"radiohead",), ("band",)),
            Q("preferences", "How many times have I seen my favourite band live?",
              (r"twice|\btwo\b|\b2\b",), ("band",)),
            Q("preferences", "What's my favourite food?", (r"curry",), ("curry",),
              wrong=(r"cilantro",)),
            Q("preferences", "How do I usually travel?", (r"train",), ("flying",)),
            Q("plans", "Where is my job interview?", (r"museum",), ("interview",)),
            Q("plans", "Where am I going with Amy in March?", (r"edinburgh",), ("edinburgh",)),
            Q("plans", "When is my trip to Edinburgh?", (r"\b14|fourteenth", r"march"),
              ("edinburgh",)),
            Q("plans", "When do I practise the cello?", (r"sunday",), ("cello",)),
            Q("feelings", "How am I feeling about my job interview?",
              (r"nervous|anxious|anxiety|worried|stress|jitter",), ("nervous",)),
            Q("changed", "Which city did Ana move to?", (r"porto",), ("ana", "porto"),
              outdated=(r"lisbon",)),
        ),
    ),
    QuestionSession(
        day(2, 19, 9),  # Thursday morning, after another restart
        (
            Q("feelings", "What am I scared of?", (r"\bfly|plane",), ("flying",)),
            Q("feelings", "How have I been feeling lately?", (r"lonel|alone|miss|nervous|anxious",),
              ("lonely",)),
            Q("feelings", "Is there anything I'm nervous about at the moment?", (r"interview",),
              ("nervous",)),
            Q("changed", "What do I drink these days?", (r"\btea\b",), ("coffee", "tea"),
              outdated=(r"coffee",)),
            Q("changed", "How many cups of coffee do I drink a day?", (NONE_NOW,),
              ("coffee", "tea"), outdated=(r"\bfour\b|\b4\b",)),
            Q("changed", "What did I give up recently?", (r"coffee",), ("tea",)),
            Q("changed", "What does my friend Amy do for work now?", (r"yoga",),
              ("amy", "amy_yoga"), outdated=(r"pilot|airline|fl(?:y|ies|ying) planes",)),
            Q("changed", "What time is my job interview?", (TWO_PM,), ("interview", "resched"),
              outdated=(TEN_AM,)),
            Q("distractors", "What's my dog called?", (r"biscuit",), ("dog",),
              wrong=(r"pickles",)),
            Q("distractors", "What's the name of my neighbour's cat?", (r"pickles",),
              ("neighbour",), wrong=(r"biscuit",)),
            Q("distractors", "What car do I drive?", (r"fiat|panda",), ("car",)),
            Q("distractors", "Which of my friends is a yoga teacher?", (r"\bamy\b",),
              ("amy_yoga",), wrong=(r"\bana\b",)),
            Q("distractors", "Which city does my sister live in, and which city do I work in?",
              (r"porto", r"bristol"), ("porto", "name_job"), outdated=(r"lisbon",)),
            Q("distractors", "Who is Biscuit?", (r"\bdog|retriever",), ("dog",),
              wrong=(r"\bcat\b",)),
        ),
    ),
)  # fmt: skip

CATEGORIES = ("identity", "people", "preferences", "plans", "feelings", "changed", "distractors")
QUICK_TURNS = frozenset({"name_job", "dog", "rain", "ana", "cilantro", "porto"})

# Words that mark an outdated value as past when they share its clause.
PAST = re.compile(
    r"\b(?:was|were|had|used to|originally|initially|at first|earlier|previously|before|"
    r"no longer|not|anymore|any more|instead|rather than|changed|moved|switched|quit|"
    r"stopped|gave up|given up|planned|planning|plan was|supposed|resched\w*|postponed|"
    r"former\w*|old)\b|n't\b",
    re.IGNORECASE,
)
CLAUSE = re.compile(r"[.!?;,:\n]+|\s+(?:but|and|although|though|whereas|while)\s+", re.I)


def select(quick: bool) -> tuple[tuple[PlantSession, ...], tuple[QuestionSession, ...]]:
    """The whole script, or for ``--quick`` the turns in QUICK_TURNS and their questions."""
    if not quick:
        return PLANTING, QUESTIONS
    planting = tuple(
        PlantSession(s.at, kept)
        for s in PLANTING
        if (kept := tuple(t for t in s.turns if t.key in QUICK_TURNS))
    )
    questions = tuple(
        QuestionSession(s.at, kept)
        for s in QUESTIONS
        if (kept := tuple(q for q in s.questions if set(q.needs) <= QUICK_TURNS))
    )
    return planting, questions


# --- scoring ---------------------------------------------------------------------------------


def matches(pattern: str, text: str) -> bool:
    return re.search(pattern, text, re.IGNORECASE) is not None


def score(question: Question, answer: str) -> tuple[bool, str]:
    """Whether the answer is right, and if not, why (deterministic)."""
    missing = [p for p in question.expect if not matches(p, answer)]
    if missing:
        return False, "missing " + " & ".join(f"/{p}/" for p in missing)
    wrong = [p for p in question.wrong if matches(p, answer)]
    if wrong:
        return False, "says " + " & ".join(f"/{p}/" for p in wrong)
    for pattern in question.outdated:
        if states_current(pattern, answer):
            return False, f"outdated /{pattern}/ stated as current"
    return True, ""


def states_current(pattern: str, text: str) -> bool:
    """Whether ``pattern`` occurs in a clause of ``text`` that does not mark it as past."""
    return any(matches(pattern, c) and not PAST.search(c) for c in CLAUSE.split(text))


def covers(question: Question, records: Sequence[MemoryRecord]) -> bool:
    """Whether these memories between them hold every expected value."""
    return all(any(matches(p, r.content) for r in records) for p in question.expect)


def diagnose(
    question: Question,
    used: Sequence[int],
    sources: Sequence[int],
    active: Sequence[MemoryRecord],
    everything: Sequence[MemoryRecord],
) -> str:
    """Where the chain broke for a wrong answer, judged on the memories of the turns it needs.

    ``extraction``: no memory taken from those turns ever held the answer; ``superseded``:
    one did, but a later memory replaced it; ``stale``: the outdated value is still an
    active memory, stated as current; ``recall``: the answer is stored but was not in the
    memory block of the turn; ``answer``: it was in the block and the model did not use it.
    """
    mine = [r for r in active if r.source_turn_id in sources]
    if not covers(question, mine):
        ever = [r for r in everything if r.source_turn_id in sources]
        return "superseded" if covers(question, ever) else "extraction"
    if any(states_current(p, r.content) for p in question.outdated for r in active):
        return "stale"
    if not covers(question, [r for r in mine if r.id in used]):
        return "recall"
    return "answer"


# --- playing the script ----------------------------------------------------------------------


def log(message: str) -> None:
    """Progress goes to stderr, so stdout holds only the report."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass
class Answer:
    category: str
    question: str
    answer: str
    ok: bool
    why: str
    seconds: float
    context: str = ""  # the memory block the turn received
    used: tuple[int, ...] = ()  # the memories in it
    stage: str = ""


@dataclass
class Planted:
    key: str
    text: str
    facts: bool
    turn_id: int
    reply: str
    reply_s: float
    extract_s: float | None
    extracted: int  # turns remember_pending finished (1, or 0 when extraction failed)


@dataclass
class Run:
    label: str
    memory: bool
    planted: list[Planted] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    active: list[MemoryRecord] = field(default_factory=list)
    everything: list[MemoryRecord] = field(default_factory=list)
    seconds: float = 0.0
    plant_sessions: int = 0
    question_sessions: int = 0

    def accuracy(self, category: str | None = None) -> tuple[int, int]:
        chosen = [a for a in self.answers if category in (None, a.category)]
        return sum(a.ok for a in chosen), len(chosen)


async def say(companion: Companion, text: str, conversation: int) -> TurnCommitted:
    """One turn through the whole stack, as the front doors drive it."""
    committed: TurnCommitted | None = None
    async with contextlib.aclosing(companion.turn(text, conversation)) as events:
        async for event in events:
            if isinstance(event, ErrorEvent):
                raise RuntimeError(f"os1 failed on {text!r}: {event.message}")
            if isinstance(event, TurnCommitted):
                committed = event
    if committed is None:
        raise RuntimeError(f"os1 committed no reply to {text!r}")
    return committed


async def plant(companion: Companion, clock: FixedClock, session: PlantSession, run: Run) -> None:
    conversation = await companion.new_conversation()
    for n, turn in enumerate(session.turns):
        clock.set(session.at + timedelta(minutes=MINUTES_BETWEEN_TURNS * n))
        began = time.perf_counter()
        committed = await say(companion, turn.text, conversation)
        reply_s = time.perf_counter() - began
        extract_s: float | None = None
        extracted = 0
        if companion.memory is not None:
            began = time.perf_counter()
            extracted = await companion.remember_pending()
            extract_s = time.perf_counter() - began
        run.planted.append(
            Planted(
                turn.key,
                turn.text,
                turn.facts,
                committed.turn_id,
                committed.reply,
                reply_s,
                extract_s,
                extracted,
            )
        )
        took = "" if extract_s is None else f", extraction {extract_s:.1f} s"
        log(f"  {run.label} planted {turn.key}: reply {reply_s:.1f} s{took}")


async def ask(companion: Companion, session: QuestionSession, run: Run) -> None:
    user_id = await companion.user_id()
    for question in session.questions:
        context, used = "", ()
        if companion.memory is not None:  # the same block the turn itself builds
            block = await companion.memory.context_for(user_id, question.text)
            context, used = block.text, block.used
        conversation = await companion.new_conversation()  # only long-term memory can help
        began = time.perf_counter()
        answer = (await say(companion, question.text, conversation)).reply
        seconds = time.perf_counter() - began
        ok, why = score(question, answer)
        run.answers.append(
            Answer(question.category, question.text, answer, ok, why, seconds, context, used)
        )
        log(f"  {run.label} {'ok  ' if ok else 'FAIL'} {question.text} -> {answer[:80]!r}")


async def in_session(settings: Settings, clock: FixedClock, at: datetime) -> Companion:
    """A restart: a fresh companion on the same home, with the clock moved to ``at``."""
    clock.set(at)
    companion = build(settings, clock=clock)
    await companion.warm_up()
    return companion


async def play(
    label: str,
    settings: Settings,
    planting: Sequence[PlantSession],
    questions: Sequence[QuestionSession],
) -> Run:
    run = Run(label, settings.memory, plant_sessions=len(planting))
    run.question_sessions = len(questions)
    began = time.perf_counter()
    clock = FixedClock(planting[0].at)
    for session in planting:
        log(f"{label}: planting session on {session.at:%a %d %b %H:%M}")
        companion = await in_session(settings, clock, session.at)
        try:
            await plant(companion, clock, session, run)
        finally:
            await companion.aclose()
    for n, session in enumerate(questions):
        log(f"{label}: questions on {session.at:%a %d %b %H:%M}")
        companion = await in_session(settings, clock, session.at)
        try:
            if companion.memory is not None and n == 0:
                user_id = await companion.user_id()
                store = companion.memory.store
                run.active = await asyncio.to_thread(store.records, user_id)
                run.everything = await asyncio.to_thread(
                    store.records, user_id, include_superseded=True
                )
            await ask(companion, session, run)
        finally:
            await companion.aclose()
    if run.memory:
        turn_of = {p.key: p.turn_id for p in run.planted}
        asked = {q.text: q for s in questions for q in s.questions}
        for answer in run.answers:
            if not answer.ok:
                question = asked[answer.question]
                sources = [turn_of[key] for key in question.needs]
                answer.stage = diagnose(question, answer.used, sources, run.active, run.everything)
    run.seconds = time.perf_counter() - began
    return run


# --- report ----------------------------------------------------------------------------------


def fraction(right: int, total: int) -> str:
    return f"{right:>2}/{total:<2} {right / total:.2f}" if total else "-"


def median_or_none(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} s"


def describe(record: MemoryRecord) -> str:
    when = f" [{record.happens_on.isoformat()}]" if record.happens_on else ""
    state = "" if record.active else f" (superseded by #{record.superseded_by})"
    return (
        f"#{record.id} {record.kind}/{record.about}/{record.aspect} i{record.importance}: "
        f"{record.content}{when}{state}"
    )


def report(recall: Run, baseline: Run, show_memories: bool, began: float) -> None:
    planted_turns = len(recall.planted)
    print(
        f"recall eval: {planted_turns} planting turns in {recall.plant_sessions} sessions, then "
        f"{len(recall.answers)} questions in {recall.question_sessions} sessions, each in a new "
        f"conversation; temperature 0, max_reply_tokens={MAX_REPLY_TOKENS}"
    )
    print(f"{'category':<12}  {'n':>3}  {'memory on':>12}  {'baseline':>12}")
    for category in CATEGORIES:
        right, total = recall.accuracy(category)
        if not total:
            continue
        base_right, base_total = baseline.accuracy(category)
        print(
            f"{category:<12}  {total:>3}  {fraction(right, total):>12}  "
            f"{fraction(base_right, base_total):>12}"
        )
    right, total = recall.accuracy()
    base_right, base_total = baseline.accuracy()
    print(
        f"{'all':<12}  {total:>3}  {fraction(right, total):>12}  "
        f"{fraction(base_right, base_total):>12}"
    )
    print()
    superseded = len(recall.everything) - len(recall.active)
    print(
        f"memories stored: {len(recall.active)} active, {len(recall.everything)} in all "
        f"({superseded} superseded) from {planted_turns} planting turns "
        f"({sum(p.facts for p in recall.planted)} with facts)"
    )
    fact_turns = [p.extract_s for p in recall.planted if p.facts]
    failed = [p.key for p in recall.planted if p.extracted == 0]
    print(
        f"extraction per planting turn: median {seconds(median_or_none(fact_turns))} on turns "
        f"with facts, {seconds(median_or_none([p.extract_s for p in recall.planted]))} on all; "
        f"max {seconds(max((v for v in fact_turns if v is not None), default=None))}; "
        f"failed: {', '.join(failed) or 'none'}"
    )
    print(
        "reply time: median "
        f"{seconds(median_or_none([p.reply_s for p in recall.planted]))} planting, "
        f"{seconds(median_or_none([a.seconds for a in recall.answers]))} per question with "
        f"memory, {seconds(median_or_none([a.seconds for a in baseline.answers]))} without"
    )
    wrong = [a for a in recall.answers if not a.ok]
    if wrong:
        stages = {
            s: sum(a.stage == s for a in wrong) for s in dict.fromkeys(a.stage for a in wrong)
        }
        print(
            "wrong with memory on (stage where it broke: "
            + ", ".join(f"{s} {n}" for s, n in stages.items())
            + "):"
        )
        for a in wrong:
            print(f"  [{a.category}/{a.stage}] {a.question} -> {a.answer!r} ({a.why})")
    lucky = [a for a in baseline.answers if a.ok]
    if lucky:
        print("right without memory: " + "; ".join(a.question for a in lucky))
    if show_memories:
        print("memories (all, newest first):")
        for record in recall.everything:
            print("  " + describe(record))
    print(
        f"run time: memory on {recall.seconds / 60:.1f} min, baseline "
        f"{baseline.seconds / 60:.1f} min, total {(time.perf_counter() - began) / 60:.1f} min"
    )
    accuracy = right / total if total else 0.0
    base_accuracy = base_right / base_total if base_total else 0.0
    print(f"recall_accuracy={accuracy:.3f} baseline_accuracy={base_accuracy:.3f}")


def dump(path: Path, runs: Sequence[Run]) -> None:
    """Everything the runs saw, for reading failures: answers, memory blocks, memories."""

    def record(r: MemoryRecord) -> dict[str, Any]:
        return {**asdict(r), "line": describe(r)}

    data = [
        {
            "label": run.label,
            "memory": run.memory,
            "planted": [asdict(p) for p in run.planted],
            "answers": [asdict(a) for a in run.answers],
            "memories": [record(r) for r in run.everything],
        }
        for run in runs
    ]
    path.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")
    log(f"wrote {path}")


def fresh_home(root: Path, name: str) -> None:
    """Point os1 at a new, empty home; only the shared models directory is kept."""
    for key in [k for k in os.environ if k.startswith("OS1_") and k != "OS1_MODELS_DIR"]:
        del os.environ[key]
    os.environ["OS1_HOME"] = str(root / name)
    os.environ["OS1_INTERVIEW"] = "false"  # measure memory, not the first-start questions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small subset, for smoke tests")
    parser.add_argument("--dump", type=Path, help="write answers and memories as JSON here")
    parser.add_argument("--show-memories", action="store_true", help="list stored memories")
    parser.add_argument("--keep", action="store_true", help="keep the temporary homes")
    args = parser.parse_args()
    began = time.perf_counter()
    planting, questions = select(args.quick)
    os.environ.setdefault("OMP_WAIT_POLICY", "passive")
    root = Path(tempfile.mkdtemp(prefix="os1-recall-"))
    try:
        runs: list[Run] = []
        for label, memory in (("memory", True), ("baseline", False)):
            fresh_home(root, f"home-{label}")
            overrides: dict[str, Any] = {"temperature": 0.0, "max_reply_tokens": MAX_REPLY_TOKENS}
            if not memory:
                overrides["memory"] = False
            settings = load_settings(**overrides)
            log(f"{label}: model {settings.model}, home {os.environ['OS1_HOME']}")
            runs.append(asyncio.run(play(label, settings, planting, questions)))
        if args.dump:
            dump(args.dump, runs)
        report(runs[0], runs[1], args.show_memories, began)
    finally:
        if args.keep:
            log(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
