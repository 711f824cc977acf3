"""Text from outside os1 made safe to show on a terminal.

A reply, a memory, a name or a file os1 prints was not written by os1, and a
terminal obeys what it is sent: ``ESC[2J`` clears the screen, ``OSC 0`` sets
the window title, ``OSC 52`` writes the clipboard, a right-to-left override
turns the words around. Every print of such text goes through :func:`clean`
(raw writes, ``markup=False``) or :func:`escaped` (inside Rich markup, where
``[bold]`` or ``[link=...]`` would otherwise be obeyed too). Newlines and tabs
stay; escape sequences are dropped whole, and any other control character or
bidi override is dropped on its own. Streamed replies go through a
:class:`TerminalStream`, which holds back a sequence cut between two tokens
until it can tell what it is.
"""

from __future__ import annotations

import re

from rich.markup import escape

__all__ = ["TerminalStream", "clean", "escaped", "inert_json"]

_ST = r"(?:\x07|\x1b\\|\x9c)"  # what ends a string command: BEL or String Terminator
_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: cursor moves, erasing, colours
    r"|\x9b[0-?]*[ -/]*[@-~]"  # the same in its 8-bit form
    rf"|[\x1b][\]PX^_][^\x07\x1b\x9c]*{_ST}"  # OSC (title, clipboard, links), DCS, SOS, PM, APC
    rf"|[\x90\x98\x9d\x9e\x9f][^\x07\x1b\x9c]*{_ST}"  # their 8-bit forms
    r"|\x1b[ -/]*[0-OQ-WYZ\\`-~]",  # every other escape (charset, keypad, reset)
)
_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 but tab and newline, DEL, C1
    "\u202a-\u202e\u2066-\u2069]"  # bidi embeddings, overrides and isolates
)
_INTRODUCER = re.compile("[\x1b\x9b\x90\x98\x9d\x9e\x9f]")
_LONGEST_HELD = 512


def clean(text: str) -> str:
    """``text`` with escape sequences, control characters and bidi overrides removed.

    Newlines and tabs are kept; a Windows line end becomes a newline.
    """
    text = text.replace("\r\n", "\n")
    return _CONTROL.sub("", _SEQUENCE.sub("", text))


_UNESCAPED_BY_JSON = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def inert_json(text: str) -> str:
    r"""Serialised JSON with the controls JSON leaves raw written as ``\u`` escapes.

    JSON escapes C0 controls but not DEL, C1 (``\u009b`` is CSI to many
    terminals) or bidi overrides; they can only stand inside strings, where the
    escape means the same character, so the document parses to the same value.
    """
    return _UNESCAPED_BY_JSON.sub(lambda found: f"\\u{ord(found[0]):04x}", text)


def escaped(text: str) -> str:
    """``text`` cleaned and escaped for Rich markup, for an f-string passed to ``print``."""
    return escape(clean(text))


class TerminalStream:
    """Cleans a reply arriving in pieces, so a sequence split across two pieces is caught.

    ``feed`` returns what can be shown now; whatever might still be the start
    of an escape sequence (or a carriage return before a newline) waits for
    the next piece, and ``end`` returns what is left, cleaned.
    """

    def __init__(self) -> None:
        self._held = ""

    def feed(self, piece: str) -> str:
        """The part of ``held + piece`` that is safe to print now."""
        text = self._held + piece
        cut = len(text)
        found = _INTRODUCER.search(text)
        while found is not None:
            whole = _SEQUENCE.match(text, found.start())
            if whole is None and len(text) - found.start() < _LONGEST_HELD:
                cut = found.start()
                break
            found = _INTRODUCER.search(text, whole.end() if whole else found.start() + 1)
        if cut == len(text) and text.endswith("\r"):
            cut -= 1
        self._held = text[cut:]
        return clean(text[:cut])

    def end(self) -> str:
        """Whatever was held back, cleaned (an unfinished sequence loses its introducer)."""
        rest, self._held = self._held, ""
        return clean(rest)
