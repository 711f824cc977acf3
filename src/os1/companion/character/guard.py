"""Watching a reply as it streams: no echo of the person's words, no help-desk sentences.

The small model sometimes answers by repeating the message word for word, or
with "How can I assist you today?". Both are caught without delaying a good
reply: text is held back only while it could still turn out to be one of
them (the reply so far is the start of the person's message, or the sentence
so far is the start of a help-desk phrase), and released the moment it
cannot. An echo is dropped, at the start or as a sentence of its own later;
a help-desk sentence is dropped whole. A reply
that is nothing but these is reported as failed, and the turn asks again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from os1.companion.character.perspective import (
    ENDS_TOWARDS,
    fact_keys,
    may_become,
    named_to_them,
    restates,
    said_to_them,
)

ECHO_SHARE = 0.6
"""A reply that repeats at least this much of the message before saying anything new is an echo."""
ECHO_WORDS = 4
"""A reply sentence that repeats one of the person's sentences of this many words is dropped."""
_WORD = re.compile(r"[\w']+")
_SENTENCE_END = re.compile(r"[.!?\n]")
_GOING_ON = re.compile(r"(and|but|so|then|because|which|where|when|after|until|while)\b", re.I)
"""How a reply that repeated the message carries on the person's sentence as if it were theirs
("I went to the market today and I had a great time shopping!")."""
LABELS = frozenset(["you", "them", "user", "human", "assistant", "me", "ai", "companion"])
"""Speaker labels a small model writes when it slips into writing a transcript."""
LABEL_CHARS = 24


def _key(text: str) -> str:
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(_WORD.findall(text)).replace("'", "")


_MIRROR = {"i": "you", "me": "you", "my": "your", "mine": "yours", "myself": "yourself",
           "im": "youre", "ive": "youve", "ill": "youll", "id": "youd", "am": "are"}  # fmt: skip


def _mirrored(key: str) -> str:
    """The message as said back to the person: "i made soup" -> "you made soup", an echo too."""
    return " ".join(_MIRROR.get(word, word) for word in key.split())


class ReplyGuard:
    """Feed it the reply's pieces; it returns what may be shown now."""

    def __init__(
        self,
        user_text: str,
        openers: Sequence[str],
        speakers: Sequence[str] = (),
        *,
        facts: Sequence[str] = (),
        person: str = "",
    ) -> None:
        self._facts = fact_keys(facts)
        self._person = person
        self._named = ""
        self._labels = LABELS | {name.lower() for name in speakers if name}
        self._line_start = True
        self._word = ""
        self._ended = False
        self._message = _key(user_text)
        self._mirrored = _mirrored(self._message)
        said = [_key(part) for part in re.split(r"(?<=[.!?])\s+|\n+", user_text)]
        echoes = [part for part in said if len(part.split()) >= ECHO_WORDS]
        self._openers = tuple(_key(o) for o in openers) + tuple(echoes)
        self._echo_open = len(self._message) >= 8
        self._reply = ""
        self._held = ""
        self._shown = ""
        self._sentence = ""
        self._dropping = False
        self._flowing = False
        self.dropped: list[str] = []

    @property
    def shown(self) -> str:
        """Everything released so far."""
        return self._shown

    @property
    def failed(self) -> str | None:
        """Why the whole reply is unusable (``echo``, ``empty``), or None."""
        if self._shown.strip():
            return None
        return "echo" if "echo" in self.dropped else "empty"

    def feed(self, piece: str) -> str:
        """Take the next piece; return the text that is safe to show now."""
        return self._take(self._unlabelled(piece))

    def _unlabelled(self, piece: str) -> str:
        """Drop a speaker label ("You:") at the start; end the reply at a transcript's next line.

        The small model sometimes goes on to write the person's next line
        ("Theo: Work was awful…"); nothing from there on is os1's to say.
        """
        passed = ""
        for char in piece:
            if self._ended:
                break
            if not self._line_start:
                passed += char
                self._line_start = char == "\n"
                continue
            if char.isalnum() or char in "'-" or (char == " " and not self._word.strip()):
                self._word += char
                if len(self._word) <= LABEL_CHARS and self._may_be_label(self._word):
                    continue  # "You" may become "You:": wait for the next character
                passed += self._word
                self._word = ""
                self._line_start = False
                continue
            if char == ":" and self._word.strip().lower() in self._labels:
                if self._reply.strip() or passed.strip():
                    self._ended = True
                    self.dropped.append("transcript")
                self._word = ""
                self._line_start = False
                continue
            passed += self._word + char
            self._word = ""
            self._line_start = char == "\n"
        return passed

    def _may_be_label(self, word: str) -> bool:
        """Whether a line's first word so far could still be a speaker's label."""
        start = word.strip().lower()
        return any(label.startswith(start) for label in self._labels)

    def _take(self, piece: str) -> str:
        if not piece:
            return ""
        self._reply += piece
        if self._echo_open:
            so_far = _key(self._reply)
            if self._message.startswith(so_far) or self._mirrored.startswith(so_far):
                self._held = self._reply
                return ""
            self._echo_open = False
            if len(_key(self._held)) >= ECHO_SHARE * len(self._message):
                self.dropped.append("echo")
                rest = self._reply[len(self._held) :].lstrip(" .,!?:;-\n")
                self._held = ""
                if _GOING_ON.match(rest):
                    self._ended = True  # the person's sentence, carried on in their voice
                    return ""
                return self._sentences(rest)
            self._held = ""
            return self._sentences(self._reply)
        return self._sentences(piece)

    def finish(self) -> str:
        """The reply ended: release what was held if it was not an echo or a help-desk phrase."""
        if self._word and not self._ended:
            word, self._word = self._word, ""
            shown = self._take(word)
            return shown + self.finish()
        if self._named:
            named, self._named = self._named, ""
            return self._release(named)
        if self._echo_open:
            self._echo_open = False
            if len(_key(self._reply)) >= ECHO_SHARE * len(self._message):
                self.dropped.append("echo")
                return ""
            return self._release(self._sentence + self._reply)
        if self._dropping or self._is_opener(self._sentence, whole=True):
            if self._sentence.strip():
                self.dropped.append("helpdesk")
            self._sentence = ""
            return ""
        return self._release(self._theirs(self._sentence)) if self._sentence else ""

    def _may_be_theirs(self, sentence: str) -> bool:
        """Whether a sentence may be the person's fact, or speaks of them by name: hold it."""
        if self._person and sentence.lstrip().startswith(self._person):
            return True
        return bool(self._facts) and (
            may_become(sentence, self._facts) or restates(sentence, self._facts)
        )

    def _theirs(self, sentence: str) -> str:
        """A whole sentence with the person's own facts and name said back to them."""
        if self._facts and restates(sentence, self._facts):
            sentence = said_to_them(sentence)
            self.dropped.append("perspective")
        return named_to_them(sentence, self._person)

    def _sentences(self, text: str) -> str:
        """Release sentence by sentence, holding only a sentence that may be a help-desk phrase."""
        shown = ""
        for part in re.split(r"(?<=[.!?\n])", text):
            if not part:
                continue
            ended = bool(_SENTENCE_END.search(part[-1:]))
            if self._flowing:  # this sentence is already known to be fine
                part, self._named = self._named + part, ""
                if (
                    self._person
                    and not ended
                    and (part.rstrip().endswith(self._person) or ENDS_TOWARDS.search(part))
                ):
                    self._named = part  # wait: "Theo" may become "Theo's", "for" "for Theo"
                    continue
                shown += named_to_them(part, self._person, start=False)
                self._flowing = not ended
                continue
            self._sentence += part
            if self._dropping or self._is_opener(self._sentence, whole=True):
                self._dropping = not ended
                if ended:
                    self.dropped.append("helpdesk")
                    self._sentence = ""
                continue
            if not ended and (
                self._is_opener(self._sentence, whole=False) or self._may_be_theirs(self._sentence)
            ):
                continue  # might still be a help-desk phrase or the person's own fact: hold it
            shown += self._theirs(self._sentence) if ended else self._sentence
            self._sentence = ""
            self._flowing = not ended
        return self._release(shown)

    def _is_opener(self, sentence: str, *, whole: bool) -> bool:
        key = _key(sentence)
        if not key:
            return False
        if whole:
            return any(key.startswith(o) for o in self._openers)
        return any(o.startswith(key) for o in self._openers)

    def _release(self, text: str) -> str:
        if not self._shown:
            text = text.lstrip()
        self._shown += text
        return text
