"""Cutting a streaming reply into speakable pieces, so speech starts before the reply ends.

The first piece is cut as early as a clause allows (a comma after two words,
or three words if no punctuation comes), because it decides when the person
hears anything: at ten tokens a second each word the model waits for costs
about a tenth of a second, and three words take longer to say than the next
clause takes to write, so speech does not stall after them. Later pieces
wait for a sentence end, which sounds more natural.
"""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"[.!?…]+[\"')\]]*\s")
_CLAUSE_END = re.compile(r"(?:[,;:]|\s[\u2013\u2014-])\s")
_FIRST_END = re.compile(r"(?<![A-Z0-9])[,;:!?…]+$|(?<=[a-z]{2})\.$")
"""A clause that ends the text so far: the first piece need not wait for the space after it."""
FIRST_MIN_WORDS = 2
FIRST_MAX_WORDS = 3
"""With no punctuation yet, the first piece is cut after this many words.

The first piece does not wait for the space that proves a word has ended:
that space comes with the next token, a tenth of a second later. The rare
word that goes on ("make" + "shift") is then split between two pieces.
"""


class Clauses:
    """Feed token text; take back the pieces ready to be spoken."""

    def __init__(self) -> None:
        self._buffer = ""
        self._spoken_any = False

    def feed(self, text: str) -> list[str]:
        """Pieces completed by ``text``."""
        self._buffer += text
        pieces: list[str] = []
        while True:
            cut = self._cut()
            if cut is None:
                return pieces
            piece, self._buffer = self._buffer[:cut].strip(), self._buffer[cut:]
            if piece:
                pieces.append(piece)
                self._spoken_any = True

    def _cut(self) -> int | None:
        end = _SENTENCE_END.search(self._buffer)
        if end:
            return end.end()
        if not self._spoken_any:
            for clause in _CLAUSE_END.finditer(self._buffer):
                if len(self._buffer[: clause.start()].split()) >= FIRST_MIN_WORDS:
                    return clause.end()
            last = _FIRST_END.search(self._buffer)
            if last and (
                len(self._buffer.split()) >= FIRST_MIN_WORDS or last.group() in {"!", "?", "."}
            ):
                return len(self._buffer)
            words = list(re.finditer(r"\S+", self._buffer))
            if len(words) >= FIRST_MAX_WORDS:
                return words[FIRST_MAX_WORDS - 1].end()
        return None

    def flush(self) -> list[str]:
        """Whatever is left when the reply ends."""
        rest, self._buffer = self._buffer.strip(), ""
        return [rest] if rest else []
