"""Proofreading: grammar and style beside spelling, each change with its reason; os1 proofread."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import run_os1
from typer.testing import CliRunner

from os1.cli.main import app
from os1.companion.skills.proofread import Proofread
from os1.skills import Call
from os1.skills.proofread import apply_fixes, proofread

LETTER = (
    "Dear Ana,\n\n"
    "i think its a good idea, better then nothing. He don't know that they was there.\n"
    "We could of gone agian, in order to see a old friend. Should she have come?\n"
)
FIXED = (
    "Dear Ana,\n\n"
    "I think it's a good idea, better than nothing. He doesn't know that they were there.\n"
    "We could have gone again, to see an old friend. Should she have come?\n"
)


def fixed(text: str) -> str:
    return apply_fixes(text, proofread(text))


def test_grammar_and_style_are_fixed_with_reasons_and_the_rest_of_the_voice_is_kept() -> None:
    findings = proofread(LETTER)
    assert apply_fixes(LETTER, findings) == FIXED
    reasons = {f.found: (f.kind, f.message) for f in findings}
    assert reasons["better then"] == ("grammar", "'than' compares; 'then' is about time")
    assert reasons["in order to"] == ("style", "shorter, same meaning")
    assert reasons["a"] == ("grammar", "'an' before a vowel sound ('old')")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("It was a hour late and an unicorn.", "It was an hour late and a unicorn."),
        ("A FAQ and an URL stay as said.", "A FAQ and an URL stay as said."),
        ("Does he have to go? He have to.", "Does he have to go? He has to."),
        ("Your going home. your not wrong.", "You're going home. You're not wrong."),
        ("Their is a cat at there house.", "There is a cat at their house."),
        ("It is its own thing.", "It is its own thing."),
        ("A very unique, each and every day.", "A unique, every day."),
    ],
)
def test_narrow_rules_fix_what_is_nearly_always_wrong_and_leave_the_rest(
    text: str, expected: str
) -> None:
    assert fixed(text) == expected


def test_a_long_sentence_is_pointed_out_and_never_rewritten() -> None:
    text = "We " + " ".join(["walked past the old mill and"] * 7) + " home."
    [long] = [f for f in proofread(text) if f.kind == "style"]
    assert long.fix is None
    assert long.message == "a long sentence (44 words): it may read better split in two"
    assert fixed(text) == text


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_findings_inside_it_and_fixes_only_where_found(text: str) -> None:
    findings = proofread(text)
    for f in findings:
        assert 0 <= f.start <= f.end <= len(text)
        if f.fix is not None:
            assert text[f.start : f.end] == f.found
    assert apply_fixes(text, []) == text
    if not any(f.fix is not None for f in findings):
        assert fixed(text) == text


async def test_in_conversation_changes_come_with_reasons_and_the_corrected_text() -> None:
    skill = Proofread()
    words = "proofread: He don't know its a problem."
    arguments = skill.match(words, None)  # type: ignore[arg-type]
    assert arguments == {"text": "He don't know its a problem."}
    outcome = await skill.plan(Call(1, 1, words, arguments))
    assert "- \"He don't\" → \"He doesn't\" ('doesn't' goes with he, she and it)" in outcome.reply
    assert outcome.reply.endswith("Corrected:\nHe doesn't know it's a problem.")


def test_os1_proofread_lists_changes_then_the_text_and_apply_keeps_the_original(
    tmp_path: Path,
) -> None:
    letter = tmp_path / "letter.txt"
    letter.write_text(LETTER, encoding="utf-8")
    letter.chmod(0o640)
    shown = run_os1("proofread", str(letter))
    assert shown.code == 0, shown.stderr
    assert "line 3, column 26: 'better then' → 'better than' ('than' compares" in shown.stdout
    assert shown.stdout.endswith("Corrected text:\n" + FIXED)
    assert letter.read_text(encoding="utf-8") == LETTER
    applied = run_os1("proofread", str(letter), "--apply", "--json")
    report = json.loads(applied.stdout)
    assert report["corrected"] == FIXED
    assert report["original_kept_as"] == str(tmp_path / "letter.txt.orig")
    assert letter.read_text(encoding="utf-8") == FIXED
    assert (tmp_path / "letter.txt.orig").read_text(encoding="utf-8") == LETTER
    assert os.stat(letter).st_mode & 0o777 == 0o640
    letter.write_text(LETTER, encoding="utf-8")
    assert run_os1("proofread", str(letter), "--apply").code == 0
    assert (tmp_path / "letter.txt.orig.2").read_text(encoding="utf-8") == LETTER


def test_standard_input_is_proofread_and_bad_input_is_named(tmp_path: Path) -> None:
    runner = CliRunner()
    piped = runner.invoke(app, ["proofread", "-"], input="teh end\n")
    assert piped.stdout.endswith("Corrected text:\nThe end\n")
    refused = runner.invoke(app, ["proofread", "-", "--apply"], input="x")
    assert refused.exit_code == 1
    assert "--apply needs a file to write to" in refused.stderr
    binary = tmp_path / "a.pdf"
    binary.write_bytes(b"%PDF-1.4\n\xff\xfe\x00")
    wrong = runner.invoke(app, ["proofread", str(binary)])
    assert wrong.exit_code == 1
    assert "is not UTF-8 text" in wrong.stderr
