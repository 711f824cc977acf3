"""Mail sorted by code: needs a reply, waiting, FYI, newsletter, probably spam; urgent or not.

Triage reads headers and words, never a model: the same mail always lands in
the same place, a stranger cannot talk their way into "urgent" by asking a
model nicely, and ten thousand mails sort in a second. Every string it reads
is untrusted; it only counts and compares.
"""

from __future__ import annotations

import re

from os1.mail.message import ParsedMail

NEEDS_REPLY = "needs-reply"
WAITING = "waiting"
FYI = "fyi"
NEWSLETTER = "newsletter"
SPAM = "spam"
CATEGORIES = (NEEDS_REPLY, WAITING, FYI, NEWSLETTER, SPAM)
LABELS = {
    NEEDS_REPLY: "Needs a reply",
    WAITING: "Waiting on someone",
    FYI: "For your information",
    NEWSLETTER: "Newsletters",
    SPAM: "Probably spam",
}

_ASKS = re.compile(
    r"\?|\b(?:can|could|would|will) you\b|\bplease (?:let me know|confirm|reply|send|call|"
    r"review|sign|check)\b|\blet me know\b|\brsvp\b|\bare you (?:free|available)\b|"
    r"\bwhat do you think\b",
    re.IGNORECASE,
)
_WAITING = re.compile(
    r"\b(?:i'?ll|i will|we'?ll|we will) (?:get back to you|send|let you know|follow up|"
    r"come back to you)\b|\bworking on it\b|\bin progress\b|\bwill be in touch\b",
    re.IGNORECASE,
)
_URGENT = re.compile(
    r"\burgent\b|\basap\b|\bimmediately\b|\btoday\b|\btonight\b|\bdeadline\b|"
    r"\bby (?:tomorrow|tonight|end of day|eod|noon)\b|\btime[- ]sensitive\b",
    re.IGNORECASE,
)
_SPAMMY = re.compile(
    r"\bverify your (?:account|password|identity)\b|\baccount (?:will be )?(?:suspended|locked|"
    r"closed)\b|\bwire transfer\b|\bgift cards?\b|\bbitcoin\b|\bcrypto\b|\blottery\b|"
    r"\bclaim your (?:prize|reward)\b|\bcongratulations,? you\b|\binheritance\b|"
    r"\bclick (?:here|below) (?:to|now)\b|\bact now\b|\b100% free\b|\bseed phrase\b",
    re.IGNORECASE,
)
_NOREPLY = re.compile(r"^(?:no-?reply|do-?not-?reply|notifications?|mailer-daemon)@", re.I)
_BULK_SENDER = re.compile(r"^(?:news(?:letter)?|marketing|promo|offers|digest)[@.+-]", re.I)
_ADDRESS_IN_NAME = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


def _domain(address: str) -> str:
    return address.rpartition("@")[2].lower()


def spam_signs(mail: ParsedMail) -> list[str]:
    """Why a mail looks like spam or phishing; two or more signs make it probably spam."""
    signs: list[str] = []
    headers = mail.headers
    if headers.get("x-spam-flag", "").upper().startswith("YES"):
        signs.extend(["the server flagged it", "flagged"])
    auth = headers.get("authentication-results", "").lower()
    if re.search(r"\b(?:spf|dkim|dmarc)=fail\b", auth):
        signs.append("its sender failed authentication")
    shown = _ADDRESS_IN_NAME.search(mail.sender_name)
    if shown and shown.group(0).lower() != mail.sender_addr:
        signs.append("its name shows another address than the one it came from")
    reply_to = headers.get("reply-to", "")
    found = _ADDRESS_IN_NAME.search(reply_to)
    if found and _domain(found.group(0)) != _domain(mail.sender_addr):
        signs.append("replies would go to another domain")
    words = f"{mail.subject}\n{mail.body[:5000]}"
    spammy = {m.group(0).lower() for m in _SPAMMY.finditer(words)}
    if spammy:
        signs.append("it uses phishing phrases (" + ", ".join(sorted(spammy)[:3]) + ")")
    if len(spammy) >= 2:
        signs.append("several of them")
    if mail.hidden:
        signs.append("it hides text from the reader")
    return signs


def categorize(mail: ParsedMail, own_address: str = "") -> str:
    """The one category a mail goes in."""
    if len(spam_signs(mail)) >= 2:
        return SPAM
    headers = mail.headers
    if (
        "list-unsubscribe" in headers
        or "list-id" in headers
        or headers.get("precedence", "").lower() in ("bulk", "list", "junk")
        or _BULK_SENDER.match(mail.sender_addr)
    ):
        return NEWSLETTER
    automatic = _NOREPLY.match(mail.sender_addr) or headers.get(
        "auto-submitted", "no"
    ).lower() not in ("", "no")
    if automatic:
        return FYI
    opening = mail.body[:3000]
    addressed = (
        not own_address
        or own_address.lower() in mail.recipients[:1]
        or (own_address.lower() in mail.recipients)
    )
    if _ASKS.search(f"{mail.subject}\n{opening}") and addressed:
        return NEEDS_REPLY
    if _WAITING.search(opening):
        return WAITING
    return FYI


def urgent(mail_subject: str, body: str, category: str | None) -> bool:
    """Whether a mail says it is pressing; never for newsletters or probable spam."""
    if category in (NEWSLETTER, SPAM):
        return False
    return bool(_URGENT.search(f"{mail_subject}\n{body[:1500]}"))
