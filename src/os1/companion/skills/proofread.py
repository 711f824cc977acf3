"""Proofreading in conversation: "proofread: I could of gone untill monday"."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from os1.companion.skills.parts import Parts
from os1.phrases import intent
from os1.skills import Call, Outcome
from os1.skills.proofread import apply_fixes, proofread

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"text": {"type": "string", "maxLength": 20000}},
    "required": ["text"],
    "additionalProperties": False,
}
SHOWN = 8


class Proofread:
    """Finds slips in a text the person gives; it changes nothing, so it needs no yes."""

    name = "proofread"
    description = "Check a text the person gives for spelling, grammar and style."
    schema = SCHEMA
    outward = False
    cues = ("proofread", "proof-read", "spell", "grammar", "typo", "correct this", "check this")

    def match(self, text: str, now: datetime) -> dict[str, Any] | None:
        """The text after "proofread:"."""
        found = intent("proofread").match(text)
        return None if found is None else {"text": found["text"].strip()}

    async def plan(self, call: Call) -> Outcome:
        """The findings, and the text with the sure fixes made."""
        text = str(call.arguments["text"])
        findings = proofread(text)
        if not findings:
            return Outcome("I read it through and found nothing to fix.", result="0 findings")
        lines = [
            f"- {f.found!r} → {f.fix!r} ({f.message})" if f.fix else f"- {f.found!r}: {f.message}"
            for f in findings[:SHOWN]
        ]
        more = len(findings) - SHOWN
        if more > 0:
            lines.append(f"- and {more} more")
        fixed = apply_fixes(text, findings)
        sure = f"\n\nCorrected:\n{fixed}" if fixed != text else ""
        return Outcome(
            f"I found {len(findings)} thing{'s' if len(findings) != 1 else ''} to change "
            "or look at:\n" + "\n".join(lines) + sure,
            result=f"{len(findings)} findings",
        )

    async def run(self, call: Call) -> Outcome:
        """Nothing waits for a yes in this skill: planning is doing."""
        return await self.plan(call)


def create(parts: Parts) -> Proofread:
    """The skill; it needs nothing from the mind."""
    return Proofread()
