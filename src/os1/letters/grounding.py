"""What a draft may say about the past: only what the client's file or notes say.

A small model writing a warm letter fills the gaps of a brief with a plausible life
("we met at the lake house in our forties", "we both loved to fish"). Names and numbers
are caught elsewhere (:func:`os1.letters.composer.unconfirmed`); this module checks
whole sentences, in two steps:

1. **Is it a claim about the past?** A sentence is one when it speaks of the two of
   them (we, us, our, together, you and I) or of a memory (remember, never forget,
   back then, used to, that summer…), of someone else and the client ("Tom and I"),
   of how things have been ("it's been a hard year"), or of something the recipient
   did ("you've planted"), and tells of something done, had, felt or planned: a past tense verb, a
   habit ("used to", "always"), a first time, a plan ("we're going to travel"), or
   something of "our" ("our trip", "our song").
   Sentences are judged clause by clause (", and…", "; "), so one invented clause
   does not take a true one with it.
2. **Is every specific word of it on file?** Its content words, less the words any
   letter uses (feelings, time, family, and the small verbs of a life) and the verbs
   of the telling (past tenses), must each be found, by their stem, in what the
   draft may draw on: who the client is, who the
   recipient is to them, what they share, the details, the occasion, the notes, the
   letters sent before, and the person's own revision instruction. One unfounded word
   ("forties", "fish") makes the sentence an invention.

An invented clause is not silently kept: it is bracketed whole, like any other
suggestion, so the letter cannot be rendered until the writer confirms it, rewrites
it, or takes it out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_SHARED = re.compile(
    r"\byou(?:'ve| have| had)? (?!been\b)\w+ed\b|\byou used to\b|\bmet (?:you|each other)\b|"
    r"\b(?!you\b)\w+ and i\b|\bit(?:'s| has) been\b|\bwith you\b|"
    r"\b(we|we'd|we've|we're|we'll|us|our|ours|together|both of us|the two of us|you and i|"
    r"you and me|remember|recall|never forget|back then|those days|used to|"
    r"think back|that (?:day|night|summer|winter|spring|autumn|year|time|trip))\b",
    re.IGNORECASE,
)
_TOLD = re.compile(
    r"\b(\w+ed|met|went|spent|shared|took|had|were|was|did|made|built|sat|saw|ran|"
    r"sang|ate|drove|flew|swam|grew|began|found|got|gave|held|kept|left|lost|taught|"
    r"thought|told|won|wrote|used to|always|first|remember|recall|never forget|"
    r"years ago|back then|those days|once|going to|will|we'll|plan|plans|planned|been|gone|"
    r"done|seen|we've|we have|we had|we'd|i'll|we'll|you'll)\b",
    re.IGNORECASE,
)
_OURS = re.compile(r"\bour \w+", re.IGNORECASE)
_MEMORY = re.compile(
    r"\b(remember|recall|never forget|think back|the first time|the day we|the night we|"
    r"when we|back then|those days|used to)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z][A-Za-z']+")
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+[\"')\]]*|$)")
_CLAUSE = re.compile(r"(?<=,)\s+(?=(?:and|but|so|when|where)\b)|(?<=;)\s+", re.IGNORECASE)
_ACT_WORDS = """
    stood sang swam drove flew fell wore rode brought bought caught sent slept spoke threw
    woke hid lay lit paid sold shook stuck struck swore tore won wrote ate drank sat ran
    began broke chose dug drew fed fought forgave froze hung hurt knelt led lent meant rang
    rose sank shone shot shut sought spun stole swung thought wept wound
"""
_ACTS = frozenset(_ACT_WORDS.split())
"""Past tenses of common verbs: a claim's doing, not the detail that would be invented."""

_GENERIC_WORDS = """
    a about above after again all almost also always am an and another any anything are
    around as at away back be because been before being best better between both but by
    can cannot could day days did do does doing done down during each even ever every
    everything few for from get gets getting give given go goes going gone good got great
    had has have having he her here hers him his how i if in into is it its just keep
    kept know knew known last least less let like little long look lot lots made make
    makes making many may me might more most much must my myself never new next no not
    nothing now of off often old on once one only or other our ours out over own really
    said same say see seen she should since so some something sometimes still such sure
    take than that the their them then there these they thing things think this those
    though through time times to today too under until up upon us very was way ways we
    well went were what when where which while who whom why will with without would year
    years yet you your yours yourself it's i'm i've i'd i'll you're you've you'd we're we've
    we'd we'll they're that's there's here's let's don't can't won't didn't isn't wasn't
    couldn't wouldn't haven't hasn't aren't
    love loved loving lovely miss missed missing remember remembered remembering recall
    recalled forget forgot forgotten feel feeling feelings felt heart hearts happy
    happiness happier joy joyful glad grateful gratitude thankful thank thanks sorry
    proud pride hope hoped hoping wish wished wishes dear dearest warm warmth kind
    kindness care cared caring gentle patient patience laugh laughed laughter laughs
    smile smiled smiles tears cry cried beautiful wonderful special precious treasure
    treasured cherish cherished memory memories moment moments life lives world home
    together shared share sharing spend spent all always forever often every whole side
    first last best bit part piece way everything anything nothing someone everyone
    years months weeks days nights mornings evenings long ago back then those ago since
    family friend friends friendship husband wife partner mother father mum mom dad son
    daughter sister brother grandma grandpa grandmother grandfather grandson
    granddaughter child children kids kid baby parents
    talk talked talking tell told say said write wrote writing letter
    know knew understand understood believe believed mean meant means thought thinking
    come came coming leave left stay stayed help helped helping try tried trying need
    needed want wanted wanting hold held holding give gave giving find found look looked
    looking feel seem seemed become became grew grow growing learn learned learnt
    taught teach find used use having being made make work worked working live lived
    living sit sat start started begin began put go goes going went get got take took
    see saw seen hear heard watch watched walk walked run ran
    future forward ahead soon again tomorrow next pleasure absolute absolutely truly deeply
    sincerely honestly amazing incredible lucky blessed constant source comfort support
    strength wisdom wise strong brave kindness generous generosity trust true truth
    journey path step steps chapter
"""
GENERIC = frozenset(_GENERIC_WORDS.split())
"""Words any letter may use about any life: they ground nothing and invent nothing."""
_FUNCTION_WORDS = _GENERIC_WORDS.split()[: _GENERIC_WORDS.split().index("yourself") + 1]
_RECALLING = ["remember", "remembered", "recall", "recalled", "forget", "first", "time", "day"]
_PLAIN = frozenset([*_FUNCTION_WORDS, *_RECALLING, "night"])
"""Function words and the words of recalling: what a memory says beyond them must be on file."""


def stem(word: str) -> str:
    """A word cut to a rough stem, so "fishing" is found by "fish" and "loved" by "love"."""
    word = word.lower().strip("'").removesuffix("'s")
    for suffix in ("ingly", "edly", "ings", "ing", "ies", "ied", "ed", "es", "ly", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if len(word) > 3:
        word = word.removesuffix("e")  # "nurse" and "nursing" meet at "nurs"
    return word[:5]


def stems(texts: Iterable[str]) -> frozenset[str]:
    """The stems of every word in ``texts``: what a claim may be grounded in."""
    return frozenset(stem(w) for text in texts for w in _WORD.findall(text))


@dataclass(frozen=True)
class Claim:
    """A clause about the past at ``start:end`` of the text, and its unfounded words.

    ``unfounded`` is empty for a memory recalled with nothing on file in it at all
    ("I remember the first time we met"): a memory needs something on file to rest on.
    """

    sentence: str
    start: int
    end: int
    unfounded: tuple[str, ...]


def claims(text: str, known: frozenset[str], names: Iterable[str] = ()) -> list[Claim]:
    """Every sentence of ``text`` that tells of a shared past with words not on file.

    Bracketed suggestions are already marked and are skipped; ``names`` (the client's
    and the recipient's) are words any sentence may hold.
    """
    own = {stem(w) for name in names for w in _WORD.findall(name)}
    found: list[Claim] = []
    for match in _SENTENCE.finditer(text):
        at = match.start()
        for part in _CLAUSE.split(match.group(0)):
            clause = part.strip()
            start = text.index(part, at) + len(part) - len(part.lstrip())
            at = start + len(clause)
            if not clause or "[" in clause or "]" in clause or not _is_claim(clause):
                continue
            unfounded = _unfounded(clause, known | own)
            if unfounded or _empty_memory(clause, known):
                found.append(Claim(clause, start, start + len(clause), unfounded))
    return found


def bracket(text: str, found: Iterable[Claim]) -> str:
    """The text with each claim put in [brackets] where it stands."""
    for claim in sorted(found, key=lambda c: c.start, reverse=True):
        text = f"{text[: claim.start]}[{claim.sentence}]{text[claim.end :]}"
    return text


def _empty_memory(clause: str, known: frozenset[str]) -> bool:
    """A recalled moment in which nothing at all is on file."""
    if not _MEMORY.search(clause):
        return False
    specific = [w for w in _WORD.findall(clause) if w.lower() not in _PLAIN]
    return not any(stem(w) in known for w in specific)


def _is_claim(sentence: str) -> bool:
    shared = bool(_SHARED.search(sentence))
    return shared and (bool(_TOLD.search(sentence)) or bool(_OURS.search(sentence)))


def _unfounded(clause: str, known: frozenset[str]) -> tuple[str, ...]:
    """The specific words of a clause that nothing on file supports.

    Verbs in the past tense are the telling, not the told ("we stood by the lake"
    invents nothing the lake does not); a capital past the first word marks a name,
    which the name check judges.
    """
    words = _WORD.findall(clause)
    return tuple(
        dict.fromkeys(
            word
            for index, word in enumerate(words)
            if word.lower() not in GENERIC
            and word.lower() not in _ACTS
            and not word.lower().endswith("ed")
            and stem(word) not in known
            and (index == 0 or not word[0].isupper())
        )
    )
