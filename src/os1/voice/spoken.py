"""Text made ready for a voice: numbers as words, and long text in bounded pieces.

Both voices read words best. espeak-ng (Piper's phonemizer) reads a bare
number itself, but with punctuation kept, as Piper voices need, the comma and
point inside "1,440.50" or "3.5" are taken for pauses ("one, four hundred
forty. fifty"); hibari reads digits unevenly too. So numbers, amounts,
percentages, times and ordinals are spelled out here first, the same for
every voice.

A voice model attends over its whole input at once, so its memory grows with
the square of the text's length: 9 KB in one call took minutes and gigabytes.
``pieces`` cuts any text into sentences, then clauses, then word runs, none
longer than ``MAX_PIECE_CHARS``, lazily, so a book is spoken in bounded memory.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

MAX_PIECE_CHARS = 300
"""Longest text handed to a voice model at once (about 20 seconds of speech)."""

_ONES = [
    *("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"),
    *("eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen"),
    *("eighteen", "nineteen"),
]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_SCALES = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (1000, "thousand"))
_ORDINAL_WORDS = {
    "one": "first",
    "two": "second",
    "three": "third",
    "five": "fifth",
    "eight": "eighth",
    "nine": "ninth",
    "twelve": "twelfth",
}
_CURRENCIES = {"$": ("dollar", "cent"), "£": ("pound", "penny"), "€": ("euro", "cent")}
_ABBREVIATIONS = {
    "Dr.": "Doctor",
    "Mr.": "Mister",
    "Mrs.": "Missus",
    "Ms.": "Miz",
    "e.g.": "for example",
    "i.e.": "that is",
    "etc.": "et cetera",
    "vs.": "versus",
    "&": "and",
}

_NUMBER = r"\d{1,3}(?:,\d{3})+|\d+"
_MONEY = re.compile(rf"([$£€])\s?({_NUMBER})(?:\.(\d{{1,2}}))?\b")
_TIME = re.compile(r"\b([01]?\d|2[0-3]):([0-5]\d)\b")
_PERCENT = re.compile(rf"\b({_NUMBER})(?:\.(\d+))?\s?%")
_ORDINAL = re.compile(r"\b(\d+)(?:st|nd|rd|th)\b", re.IGNORECASE)
_DECIMAL = re.compile(rf"(?<![\d.])({_NUMBER})\.(\d+)\b")
_YEAR = re.compile(r"(?<![\d,.$£€])\b(1[1-9]\d\d|20[1-9]\d)\b(?![\d,.]\d|\s?%)")
_PLAIN = re.compile(rf"\b(?:{_NUMBER})\b")
_SENTENCE = re.compile(r"(?<=[.!?…])[\"')\]]*\s+")
_CLAUSE = re.compile(r"(?<=[,;:])\s+|\s+(?=[\u2013\u2014-]\s)")


def number_words(number: int) -> str:
    """A whole number in words, American style ("one hundred forty-four")."""
    if number < 0:
        return "minus " + number_words(-number)
    if number < 20:
        return _ONES[number]
    if number < 100:
        tens, ones = divmod(number, 10)
        return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")
    if number < 1000:
        hundreds, rest = divmod(number, 100)
        return f"{_ONES[hundreds]} hundred" + (f" {number_words(rest)}" if rest else "")
    for scale, name in _SCALES:
        if number >= scale:
            high, rest = divmod(number, scale)
            return f"{number_words(high)} {name}" + (f" {number_words(rest)}" if rest else "")
    raise AssertionError("unreachable")


def ordinal_words(number: int) -> str:
    """A whole number as an ordinal ("first", "twenty-second", "one hundred forty-fourth")."""
    words = number_words(number)
    head, sep, last = words.rpartition("-" if "-" in words.split()[-1] else " ")
    if last in _ORDINAL_WORDS:
        last = _ORDINAL_WORDS[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return f"{head}{sep}{last}"


def year_words(year: int) -> str:
    """A year as people say it: 1984 "nineteen eighty-four", 2026 "twenty twenty-six"."""
    high, low = divmod(year, 100)
    if low == 0:
        return f"{number_words(high)} hundred"
    return f"{number_words(high)} {'oh ' if low < 10 else ''}{number_words(low)}"


def _int(digits: str) -> int:
    return int(digits.replace(",", ""))


def _digits(digits: str) -> str:
    return " ".join(_ONES[int(d)] for d in digits)


def _money(match: re.Match[str]) -> str:
    unit, small = _CURRENCIES[match.group(1)]
    whole, cents = _int(match.group(2)), int((match.group(3) or "0").ljust(2, "0"))
    said = f"{number_words(whole)} {unit}{'' if whole == 1 else 's'}"
    if cents:
        plural = "pence" if small == "penny" else f"{small}s"
        said += f" and {number_words(cents)} {small if cents == 1 else plural}"
    return said


def _time(match: re.Match[str]) -> str:
    hours, minutes = int(match.group(1)), int(match.group(2))
    if minutes == 0:
        return f"{number_words(hours)} o'clock"
    return f"{number_words(hours)} {'oh ' if minutes < 10 else ''}{number_words(minutes)}"


def _percent(match: re.Match[str]) -> str:
    fraction = f" point {_digits(match.group(2))}" if match.group(2) else ""
    return f"{number_words(_int(match.group(1)))}{fraction} percent"


def speakable(text: str) -> str:
    """``text`` with numbers, amounts, times and common abbreviations written as words."""
    for short, long in _ABBREVIATIONS.items():
        text = re.sub(rf"(?<!\w){re.escape(short)}(?=\s|$)", long, text)
    text = _MONEY.sub(_money, text)
    text = _TIME.sub(_time, text)
    text = _PERCENT.sub(_percent, text)
    text = _ORDINAL.sub(lambda m: ordinal_words(int(m.group(1))), text)
    text = _DECIMAL.sub(
        lambda m: f"{number_words(_int(m.group(1)))} point {_digits(m.group(2))}", text
    )
    text = _YEAR.sub(lambda m: year_words(int(m.group(1))), text)
    return _PLAIN.sub(lambda m: number_words(_int(m.group())), text)


def pieces(text: str, limit: int = MAX_PIECE_CHARS) -> Iterator[str]:
    """``text`` in speakable pieces of at most ``limit`` characters, in order.

    Sentences are kept whole when they fit; a longer one is cut at clauses,
    and a clause that still does not fit at spaces (or anywhere, for a run
    without spaces). Works line by line, so memory stays bounded by ``limit``
    plus one line.
    """
    for line in text.splitlines():
        for sentence in _SENTENCE.split(line):
            sentence = sentence.strip()
            if not sentence:
                continue
            if len(sentence) <= limit:
                yield sentence
                continue
            yield from _packed(_CLAUSE.split(sentence), limit)


def _packed(parts: list[str], limit: int) -> Iterator[str]:
    """Join consecutive parts while they fit; split any part longer than ``limit``."""
    current = ""
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if current and len(current) + 1 + len(part) <= limit:
            current = f"{current} {part}"
            continue
        if current:
            yield current
            current = ""
        if len(part) <= limit:
            current = part
            continue
        words = part.split(" ")
        if len(words) > 1:
            yield from _packed(words, limit)
        else:
            yield from (part[i : i + limit] for i in range(0, len(part), limit))
    if current:
        yield current
