"""Does the embedded model pick the right skill, and none for conversation? Real model and skills.

os1 routes a message first by the skills' phrase patterns (``os1.phrases``);
a message no pattern knows goes to the picker (``os1.companion.picker``) only
when a cheap check finds a skill's word in it, and then one schema-constrained
call on the embedded model answers a skill and its arguments, or none. This
bench runs every installed skill (calendar, mail, reminders, proofreading,
letters…) over requests in people's own words, about a third of which are
conversation that must pick nothing ("my week was exhausting", "I put the
kettle on"), and scores, in the same run:

- ``pick_accuracy``: the picker alone (cheap check, then the model) on every
  message: the right skill, or none where none is right;
- ``routed_accuracy``: what os1 does: patterns first, the picker for the rest;
- ``pattern_accuracy``: the baseline, patterns alone;
- ``none_gate_rate``: the share of conversational messages that paid for a
  model call at all (the cheap check let them through);
- ``pick_p50_ms``: the picker's time per model call.

A pick counts only with its arguments grounded in the person's words (the
picker refuses any other). Today's date is fixed (Monday 30 November 2026)
so "Friday" means the same in every run.

Last line: ``pick_accuracy=… routed_accuracy=… pattern_accuracy=…
none_accuracy=… none_gate_rate=… pick_p50_ms=… cases=…``.

Run: ``.venv/bin/python bench/skill_pick.py [--show]`` (a few minutes on
2 cores).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
MAIL = ("mail_check", "mail_triage", "mail_search", "mail_show")

CASES: list[tuple[str, tuple[str, ...]]] = [
    # the calendar, read
    ("what's on my plate this week?", ("calendar_week",)),
    ("anything happening in my calendar on Thursday?", ("calendar_week",)),
    ("do I have stuff scheduled tomorrow morning?", ("calendar_week",)),
    ("how packed is my schedule next week", ("calendar_week",)),
    ("read me my agenda for today", ("calendar_week",)),
    ("which meetings have I got on Friday", ("calendar_week",)),
    ("is there a gap in my diary on Wednesday afternoon?", ("calendar_free",)),
    ("when could I squeeze in a haircut this week, am I free at all?", ("calendar_free",)),
    ("am I available Thursday at 2?", ("calendar_free", "calendar_week")),
    ("find a free slot for a 45 minute call tomorrow", ("calendar_free",)),
    # the calendar, changed
    ("put a dentist appointment in my calendar for Friday at 3pm", ("calendar_add",)),
    ("pencil in drinks with Sam on Saturday at 7pm", ("calendar_add",)),
    ("I need a meeting with Priya next Tuesday at 10 in the calendar", ("calendar_add",)),
    ("stick yoga in my schedule tomorrow at 6pm", ("calendar_add",)),
    ("could you block out Monday 9 to 11 in my calendar for deep work", ("calendar_add",)),
    ("push my dentist appointment back to Monday at 4pm", ("calendar_move",)),
    ("can the team sync move to Thursday 11am?", ("calendar_move",)),
    ("shift lunch with Paul to 1pm", ("calendar_move",)),
    ("reschedule the yoga class to Sunday", ("calendar_move",)),
    ("I can't make the dentist on Friday, take it off my calendar", ("calendar_cancel",)),
    ("cancel tomorrow's standup", ("calendar_cancel",)),
    ("scrap my meeting with Priya, it's cancelled", ("calendar_cancel",)),
    ("call off drinks with Sam on Saturday", ("calendar_cancel",)),
    # other skills
    ("don't let me forget to take the bins out tonight at 8", ("remind",)),
    ("nudge me about the passport renewal on Monday at 9am", ("remind",)),
    ("set an alarm for 5pm so I call grandma", ("remind",)),
    ("please erase what I said about my ex", ("forget",)),
    ("stop remembering my old address", ("forget",)),
    ("can you check this for typos: I recieved you're letter yesterday", ("proofread",)),
    ("fix the grammar in this: he don't like it", ("proofread",)),
    ("anything new in my inbox?", MAIL),
    ("did I get any mail from the bank?", MAIL),
    ("which of my mails need an answer?", MAIL),
    ("find the email from Paul about the contract", MAIL),
    ("help me write a thank-you card to my aunt Rosa", ("letter",)),
    # conversation: no skill
    ("how was your day", ()),
    ("I had a long day at work", ()),
    ("my week was exhausting", ()),
    ("I'm free at last, I finished my exams!", ()),
    ("we're moving to Lisbon next year", ()),
    ("I put the kettle on", ()),
    ("I read a great book about calendars in ancient Rome", ()),
    ("my boss cancelled the trip, I'm gutted", ()),
    ("can you believe it's already December?", ()),
    ("what do you think about free will?", ()),
    ("I keep forgetting my keys lately", ()),
    ("remember when we talked about Paris?", ()),
    ("my sister sent me a letter from Japan", ()),
    ("the meeting today was a disaster", ()),
    ("I love Mondays, honestly", ()),
    ("tell me a joke", ()),
    ("what's your favourite season?", ()),
    ("my mail carrier is the nicest person", ()),
]


def _right(picked: str, expected: tuple[str, ...]) -> bool:
    return picked in expected if expected else picked == "none"


async def main(show: bool) -> None:
    home = Path(tempfile.mkdtemp(prefix="os1-skill-pick-"))
    os.environ["OS1_HOME"] = str(home)
    os.environ["OS1_EMBEDDER"] = "hashing"  # memory on (the forget skill), no embedder load
    os.environ["OS1_TEMPERATURE"] = "0"
    os.environ["OS1_NOW"] = NOW.isoformat()
    from os1.app import build, json_asker
    from os1.companion.picker import Picker
    from os1.config import load_settings

    companion = build(load_settings())
    skills = companion.skills
    picker = Picker(json_asker(companion.llm, "routing-work"), skills)
    await picker.ask_json("Say ok.", "ok", {"type": "object"})  # load the model first
    picker_right = routed_right = pattern_right = 0
    none_total = none_right = gated = 0
    times: list[float] = []
    for text, expected in CASES:
        matched = next((s.name for s in skills if s.match(text, NOW) is not None), "none")
        asked = picker.worth_asking(text)
        started = time.perf_counter()
        raw = await picker.answer(text, NOW) if asked else None
        pick = picker.checked(raw, text) if asked else None
        if asked:
            times.append((time.perf_counter() - started) * 1000)
        picked = pick.skill.name if pick else "none"
        routed = matched if matched != "none" else picked
        picker_right += _right(picked, expected)
        routed_right += _right(routed, expected)
        pattern_right += _right(matched, expected)
        if not expected:
            none_total += 1
            none_right += picked == "none"
            gated += asked
        if show or not _right(routed, expected):
            mark = "ok " if _right(routed, expected) else "BAD"
            said = raw if asked else "(not asked: no skill word)"
            print(f"{mark} {text!r}: pattern={matched} picker={picked} model={said} "
                  f"(want {'/'.join(expected) or 'none'})", flush=True)  # fmt: skip
    await companion.aclose()
    count = len(CASES)
    p50 = statistics.median(times) if times else 0.0
    print(
        f"pick_accuracy={picker_right / count:.3f} routed_accuracy={routed_right / count:.3f} "
        f"pattern_accuracy={pattern_right / count:.3f} none_accuracy={none_right / none_total:.3f} "
        f"none_gate_rate={gated / none_total:.3f} pick_p50_ms={p50:.0f} cases={count}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--show", action="store_true", help="print every case")
    asyncio.run(main(parser.parse_args().show))
