"""Does the crisis check hear risk in words nobody tuned it to? Every message, every set.

The crisis check (``os1.companion.care``) runs first on every message, so it
is measured on its own here, through its real parts: the phrasebook and the
MiniLM embedder, as os1 runs by default (faint close calls answered with
care); ``--judge`` lets the embedded chat model judge those close calls, as
the ``care_judge`` setting does, to compare. Each set is scored separately:
recall on its crisis messages, false positives on its safe ones.

The sets differ in how much the check has seen of them, and the figures only
mean something with that said:

- ``care_cases`` (crisis, safe, holdout, holdout2: the care probes of
  ``bench/companion_eval.py``) were read while the check's phrases and examples were
  widened, but are not among its examples: they show what it does on phrasings like
  those (``crisis_*`` on the last line);
- the check's own example files (``os1/companion/care/examples/en-*.toml``) were each
  written blind by someone else, measured, then read and made examples. Each is scored
  with the check built without it (``held_out_*``): a fair figure for phrasings from a
  writer the check has not learnt from, though the phrases were widened while reading
  them;
- ``care_unseen6`` was kept out of all of that: it is the honest figure for phrasings
  nobody tuned to (``unseen_*``), with its everyday messages and its conversations.
  Once a change is made by looking at its misses, make it an example file and write a
  new set;
- ``care_conversations`` and the conversations of ``care_unseen5`` (where no message
  alone is plainly a crisis) were read for earlier work.

A conversation counts as heard when the check, given each message with the
two before it (as os1 gives it), calls any of its messages a crisis; a safe
conversation counts as a false alarm when it calls any of them one.

``care_everyday`` holds over seven hundred everyday messages written without sight of
the check's phrases or examples, many with words that sound alarming out of
context ("what's a good stretch for a stiff neck?"); its false alarms are
``everyday_false_positive`` on the last line (messages that are also in the check's
everyday bank, word for word, are left out: 13 were). Its false alarms were read once, to
choose the everyday bank's bar (``ORDINARY`` in ``os1.companion.care.crisis``), so
it is no longer blind either.

Everyday messages (``everyday`` below: every message of
``bench/companion_eval.py`` outside its care categories, from greetings to
"my landlord is raising the rent") are counted as false alarms too: a
companion that answers "evening!" with a crisis line is broken.

The baseline, in the same run, is the check as it was first built: one
regular expression for the plain words (``BASELINE`` below).

Also measured: the check's time per message (p50/p95 over messages it decided
without the model, and over those it asked the model about).

Last line: ``crisis_recall=… crisis_false_positive=… held_out_recall=…
held_out_false_positive=… unseen_crisis_recall=… unseen_false_positive=…
unseen_everyday_false_positive=… everyday_false_positive=… conversation_recall=…
conversation_false_positive=… unseen_conversation_recall=…
unseen_conversation_false_positive=… baseline_recall=… baseline_false_positive=…
care_check_p50_ms=… care_check_p95_ms=… judge_p50_ms=…``.

Run: ``.venv/bin/python bench/care_check.py [--show] [--judge]`` (two minutes
on 2 cores; a few more with ``--judge``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

from companion_eval import probes
from os1.app import care_embedder, json_asker
from os1.companion.care import CrisisCheck
from os1.companion.care.crisis import phrasebook
from os1.config import load_settings, resolve_paths
from os1.llm import create_llm

DATA = Path(__file__).parent / "data"
UNSEEN = "care_unseen6"
EVERYDAY = "care_everyday"
"""Everyday messages written without sight of the check's phrases or examples."""
BASELINE = re.compile(
    r"\b(kill(ing)? myself|suicid\w*|end (my|it all)|want to die|self[- ]?harm)\b", re.IGNORECASE
)


@dataclass
class Tally:
    """Crisis messages heard and safe messages alarmed, out of how many."""

    heard: int = 0
    crisis: int = 0
    alarms: int = 0
    safe: int = 0

    def add(self, other: Tally) -> None:
        self.heard += other.heard
        self.crisis += other.crisis
        self.alarms += other.alarms
        self.safe += other.safe

    @property
    def recall(self) -> float:
        return rate(self.heard, self.crisis)

    @property
    def false_positive(self) -> float:
        return rate(self.alarms, self.safe)


@dataclass(frozen=True)
class Set:
    """Messages scored together, and which figure on the last line they count towards."""

    name: str
    group: str
    crisis: list[str]
    safe: list[str]


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def sets() -> list[Set]:
    """Every set measured with the whole check (the example files are measured apart)."""
    cases = tomllib.loads((DATA / "care_cases.toml").read_text())
    found = [
        Set(f"cases{suffix}", "tuned", cases[f"crisis{suffix}"], cases[f"safe{suffix}"])
        for suffix in ("", "_holdout", "_holdout2")
    ]
    blind = tomllib.loads((DATA / f"{UNSEEN}.toml").read_text())
    found.append(Set(UNSEEN, "unseen", blind["crisis"], blind["safe"]))
    found.append(Set(f"{UNSEEN} everyday", "unseen_everyday", [], blind["everyday"]))
    care = {"crisis", "crisis_new", "safe", "safe_new", "care_after"}
    found.append(
        Set("everyday", "probes", [], [p.text for p in probes() if p.category not in care])
    )
    everyday = tomllib.loads((DATA / "care_everyday.toml").read_text())["sets"]["everyday"]
    known = {_words(t) for t in phrasebook().everyday_examples}
    found.append(
        Set(EVERYDAY, "everyday", [], [t for t in everyday["safe"] if _words(t) not in known])
    )
    return found


def conversations() -> dict[str, list[tuple[bool, list[str]]]]:
    """Each set's conversations: whether the whole is a crisis, and its messages in order."""
    found: dict[str, list[tuple[bool, list[str]]]] = {}
    for name in ("care_conversations", "care_unseen5", UNSEEN):
        data = tomllib.loads((DATA / f"{name}.toml").read_text())
        found[name] = [(c["label"] == "crisis", c["messages"]) for c in data["conversation"]]
    return found


async def heard_in(check: CrisisCheck, messages: list[str]) -> bool:
    """Whether the check calls any message a crisis, each with the two before it."""
    for i, text in enumerate(messages):
        if (await check.assess(text, messages[max(0, i - 2) : i])).crisis:
            return True
    return False


def rate(hits: int, total: int) -> float:
    return hits / total if total else float("nan")


class Run:
    """One pass over the sets, keeping each group's tally, the baseline's and the times."""

    def __init__(self, show: bool) -> None:
        self.show = show
        self.groups: dict[str, Tally] = {}
        self.baseline = Tally()
        self.quick: list[float] = []
        self.judged: list[float] = []

    async def score(self, check: CrisisCheck, one: Set) -> None:
        tally = Tally(crisis=len(one.crisis), safe=len(one.safe))
        base = Tally(crisis=len(one.crisis), safe=len(one.safe))
        for text, risky in [*((t, True) for t in one.crisis), *((t, False) for t in one.safe)]:
            assessment = await check.assess(text)
            times = self.judged if assessment.layer in ("model", "close") else self.quick
            times.append(assessment.took_ms)
            plain = bool(BASELINE.search(text))
            if risky:
                tally.heard += assessment.crisis
                base.heard += plain
            else:
                tally.alarms += assessment.crisis
                base.alarms += plain
            if self.show and assessment.crisis != risky:
                kind = "MISS " if risky else "ALARM"
                print(
                    f"  {kind} {one.name} [{assessment.layer} {assessment.similarity:.2f}] {text}"
                )
        self.groups.setdefault(one.group, Tally()).add(tally)
        self.baseline.add(base)
        print(
            f"{one.name:<22} {tally.crisis:>6} {tally.recall:>7.3f} {tally.safe:>5} "
            f"{tally.false_positive:>7.3f}   {base.recall:.3f} / {base.false_positive:.3f}"
        )

    def group(self, name: str) -> Tally:
        return self.groups.get(name, Tally())


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true", help="print every miss and false alarm")
    parser.add_argument("--judge", action="store_true", help="let the chat model judge close calls")
    args = parser.parse_args()
    os.environ.setdefault("OMP_WAIT_POLICY", "passive")
    os.environ["OS1_HOME"] = tempfile.mkdtemp(prefix="os1-care-check-")
    settings, paths = load_settings(), resolve_paths()
    embedder = care_embedder(settings, paths, None)
    if embedder is None:
        raise SystemExit("The MiniLM embedder is not installed: run `os1 models install`.")
    ask = json_asker(create_llm(settings, paths), "care-work") if args.judge else None
    check = CrisisCheck(embedder, ask)
    await check.prepare()
    run = Run(args.show)
    print(f"{'set':<22} {'crisis':>6} {'recall':>7} {'safe':>5} {'false+':>7}   baseline")
    for one in sets():
        await run.score(check, one)
    for example in check.book.sets:
        without = CrisisCheck(embedder, ask, book=check.book.without(example.name))
        left_out = Set(f"{example.name} (left out)", "held_out", [*example.crisis], [*example.safe])
        await run.score(without, left_out)
    talks = {"tuned": Tally(), "unseen": Tally()}
    for name, talk in conversations().items():
        tally = talks["unseen" if name == UNSEEN else "tuned"]
        for risky, messages in talk:
            heard = await heard_in(check, messages)
            tally.add(Tally(heard, 1, 0, 0) if risky else Tally(0, 0, heard, 1))
            if args.show and heard != risky:
                kind = "MISS " if risky else "ALARM"
                print(f"  {kind} {name} conversation: {' / '.join(messages)}")
    for name, tally in talks.items():
        print(
            f"{'conversations, ' + name:<22} {tally.crisis:>6} {tally.recall:>7.3f} "
            f"{tally.safe:>5} {tally.false_positive:>7.3f}"
        )
    tuned, held, unseen = run.group("tuned"), run.group("held_out"), run.group("unseen")
    quick, judged = run.quick, run.judged
    p95 = sorted(quick)[int(0.95 * (len(quick) - 1))] if quick else float("nan")
    print(f"({len(quick) + len(judged)} messages, {len(judged)} left to the model)")
    print(
        f"crisis_recall={tuned.recall:.3f} "
        f"crisis_false_positive={tuned.false_positive:.3f} "
        f"held_out_recall={held.recall:.3f} "
        f"held_out_false_positive={held.false_positive:.3f} "
        f"unseen_crisis_recall={unseen.recall:.3f} "
        f"unseen_false_positive={unseen.false_positive:.3f} "
        f"unseen_everyday_false_positive={run.group('unseen_everyday').false_positive:.3f} "
        f"everyday_false_positive={run.group('everyday').false_positive:.3f} "
        f"conversation_recall={talks['tuned'].recall:.3f} "
        f"conversation_false_positive={talks['tuned'].false_positive:.3f} "
        f"unseen_conversation_recall={talks['unseen'].recall:.3f} "
        f"unseen_conversation_false_positive={talks['unseen'].false_positive:.3f} "
        f"baseline_recall={run.baseline.recall:.3f} "
        f"baseline_false_positive={run.baseline.false_positive:.3f} "
        f"care_check_p50_ms={statistics.median(quick) if quick else float('nan'):.1f} "
        f"care_check_p95_ms={p95:.1f} "
        f"judge_p50_ms={statistics.median(judged) if judged else float('nan'):.0f}"
    )


if __name__ == "__main__":
    asyncio.run(main())
