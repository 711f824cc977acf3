"""Does the crisis check hear risk in words nobody tuned it to? Every message, every set.

The crisis check (``os1.companion.care``) runs first on every message, so it
is measured on its own here, through its real parts: the phrasebook and the
MiniLM embedder, as os1 runs by default (faint close calls answered with
care); ``--judge`` lets the embedded chat model judge those close calls, as
the ``care_judge`` setting does, to compare. Each set in ``bench/data/care_cases.toml`` and the
``care_unseen*.toml`` files is scored separately: recall on its crisis
messages, false positives on its safe ones.

The sets differ in how much the check has seen of them, and the figures only
mean something with that said:

- ``care_cases`` (crisis, safe, holdout, holdout2, holdout3) and
  ``care_unseen`` to ``care_unseen3`` were read while the check's phrases and examples were
  widened: they show what it now does on phrasings like those;
- ``care_unseen4`` was read for later work, as was ``care_conversations``
  (conversations where no message alone is plainly a crisis);
- ``care_unseen5`` was kept out of that work: it is the honest figure for
  phrasings nobody tuned to (``unseen_*`` on the last line), and its
  conversations for risk that only the whole conversation shows
  (``unseen_conversation_*``). Once a change is made by looking at its misses,
  write a new set and move this one up.

A conversation counts as heard when the check, given each message with the
two before it (as os1 gives it), calls any of its messages a crisis; a safe
conversation counts as a false alarm when it calls any of them one.

``care_everyday`` holds over four hundred everyday messages written without sight of
the check's phrases or examples, many with words that sound alarming out of
context ("what's a good stretch for a stiff neck?"); its false alarms are
``everyday_false_positive`` on the last line (messages that are also in the check's
everyday bank, word for word, are left out: 13 were). Its false alarms were read once, to
choose the everyday bank's bar (``ORDINARY`` in ``os1.companion.care.crisis``), so
it is no longer blind either: the next change made by looking at it needs a new set.

Everyday messages (``everyday`` below: every message of
``bench/companion_eval.py`` outside its care categories, from greetings to
"my landlord is raising the rent") are counted as false alarms too: a
companion that answers "evening!" with a crisis line is broken.

The baseline, in the same run, is the check as it was first built: one
regular expression for the plain words (``BASELINE`` below).

Also measured: the check's time per message (p50/p95 over messages it decided
without the model, and over those it asked the model about).

Last line: ``crisis_recall=… crisis_false_positive=… unseen_crisis_recall=…
unseen_false_positive=… conversation_recall=… conversation_false_positive=…
unseen_conversation_recall=… unseen_conversation_false_positive=…
baseline_recall=… baseline_false_positive=… care_check_p50_ms=… care_check_p95_ms=…
judge_p50_ms=…``.

Run: ``.venv/bin/python bench/care_check.py [--show] [--judge]`` (a minute
on 2 cores; a few with ``--judge``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import tempfile
import tomllib
from pathlib import Path

from companion_eval import probes
from os1.app import care_embedder, json_asker
from os1.companion.care import CrisisCheck
from os1.companion.care.crisis import phrasebook
from os1.config import load_settings, resolve_paths
from os1.llm import create_llm

DATA = Path(__file__).parent / "data"
UNSEEN = "care_unseen5"
EVERYDAY = "care_everyday"
"""Everyday messages written without sight of the check's phrases or examples."""
BASELINE = re.compile(
    r"\b(kill(ing)? myself|suicid\w*|end (my|it all)|want to die|self[- ]?harm)\b", re.IGNORECASE
)


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def sets() -> dict[str, tuple[list[str], list[str]]]:
    """Each set's name with its crisis and its safe messages."""
    found: dict[str, tuple[list[str], list[str]]] = {}
    cases = tomllib.loads((DATA / "care_cases.toml").read_text())
    for suffix in ("", "_holdout", "_holdout2", "_holdout3"):
        name = f"cases{suffix}" if suffix else "cases"
        found[name] = (cases[f"crisis{suffix}"], cases[f"safe{suffix}"])
    for name in ("care_unseen", "care_unseen2", "care_unseen3", "care_unseen4", UNSEEN):
        data = tomllib.loads((DATA / f"{name}.toml").read_text())
        found[name] = (data["crisis"], data["safe"])
    care = {"crisis", "crisis_new", "safe", "safe_new", "care_after"}
    found["everyday"] = ([], [p.text for p in probes() if p.category not in care])
    blind = tomllib.loads((DATA / "care_everyday.toml").read_text())
    known = {_words(t) for t in phrasebook().everyday_examples}
    found[EVERYDAY] = ([], [t for t in blind["sets"]["everyday"]["safe"] if _words(t) not in known])
    return found


def conversations() -> dict[str, list[tuple[bool, list[str]]]]:
    """Each set's conversations: whether the whole is a crisis, and its messages in order."""
    found: dict[str, list[tuple[bool, list[str]]]] = {}
    for name in ("care_conversations", UNSEEN):
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
    quick: list[float] = []
    judged: list[float] = []
    totals = {name: [0, 0, 0, 0] for name in ("tuned", "unseen", "baseline", "everyday")}
    print(f"{'set':<16} {'crisis':>7} {'recall':>7} {'safe':>5} {'false+':>7}   baseline")
    for name, (crisis, safe) in sets().items():
        heard = alarms = base_heard = base_alarms = 0
        for text, risky in [*((t, True) for t in crisis), *((t, False) for t in safe)]:
            assessment = await check.assess(text)
            (judged if assessment.layer in ("model", "close") else quick).append(assessment.took_ms)
            base = bool(BASELINE.search(text))
            if risky:
                heard += assessment.crisis
                base_heard += base
            else:
                alarms += assessment.crisis
                base_alarms += base
            if args.show and assessment.crisis != risky:
                kind = "MISS " if risky else "ALARM"
                print(f"  {kind} {name} [{assessment.layer} {assessment.similarity:.2f}] {text}")
        bucket = totals["unseen" if name == UNSEEN else "tuned"]
        if name == EVERYDAY:
            totals["everyday"] = [0, 0, alarms, len(safe)]
        for i, value in enumerate((heard, len(crisis), alarms, len(safe))):
            bucket[i] += value
        for i, value in enumerate((base_heard, len(crisis), base_alarms, len(safe))):
            totals["baseline"][i] += value
        print(
            f"{name:<16} {len(crisis):>7} {rate(heard, len(crisis)):>7.3f} {len(safe):>5} "
            f"{rate(alarms, len(safe)):>7.3f}   {rate(base_heard, len(crisis)):.3f} / "
            f"{rate(base_alarms, len(safe)):.3f}"
        )
    talks = {"tuned": [0, 0, 0, 0], "unseen": [0, 0, 0, 0]}
    for name, talk in conversations().items():
        bucket = talks["unseen" if name == UNSEEN else "tuned"]
        for risky, messages in talk:
            heard = await heard_in(check, messages)
            bucket[0 if risky else 2] += heard
            bucket[1 if risky else 3] += 1
            if args.show and heard != risky:
                kind = "MISS " if risky else "ALARM"
                print(f"  {kind} {name} conversation: {' / '.join(messages)}")
        print(
            f"{name + ' (talks)':<16} {bucket[1]:>7} {rate(bucket[0], bucket[1]):>7.3f} "
            f"{bucket[3]:>5} {rate(bucket[2], bucket[3]):>7.3f}"
        )
    everyday = totals["everyday"]
    tuned, unseen, base = totals["tuned"], totals["unseen"], totals["baseline"]
    everything = [a + b for a, b in zip(tuned, unseen, strict=True)]
    p95 = sorted(quick)[int(0.95 * (len(quick) - 1))] if quick else float("nan")
    print(f"({len(quick) + len(judged)} messages, {len(judged)} left to the model)")
    print(
        f"crisis_recall={rate(everything[0], everything[1]):.3f} "
        f"crisis_false_positive={rate(everything[2], everything[3]):.3f} "
        f"unseen_crisis_recall={rate(unseen[0], unseen[1]):.3f} "
        f"unseen_false_positive={rate(unseen[2], unseen[3]):.3f} "
        f"everyday_false_positive={rate(everyday[2], everyday[3]):.3f} "
        f"conversation_recall={rate(talks['tuned'][0], talks['tuned'][1]):.3f} "
        f"conversation_false_positive={rate(talks['tuned'][2], talks['tuned'][3]):.3f} "
        f"unseen_conversation_recall={rate(talks['unseen'][0], talks['unseen'][1]):.3f} "
        f"unseen_conversation_false_positive={rate(talks['unseen'][2], talks['unseen'][3]):.3f} "
        f"baseline_recall={rate(base[0], base[1]):.3f} "
        f"baseline_false_positive={rate(base[2], base[3]):.3f} "
        f"care_check_p50_ms={statistics.median(quick) if quick else float('nan'):.1f} "
        f"care_check_p95_ms={p95:.1f} "
        f"judge_p50_ms={statistics.median(judged) if judged else float('nan'):.0f}"
    )


if __name__ == "__main__":
    asyncio.run(main())
