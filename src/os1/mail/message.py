"""One mail as os1 keeps it: headers decoded, the text a reader sees, attachments named.

Mail comes in every state: wrong or missing charsets, broken MIME, headers
that do not parse, HTML only, attachments of any size. :func:`parse` never
raises on what a sender wrote; what it could not read is listed in
``problems`` beside what it could, so a bad mail is kept and shown with its
reasons instead of stopping a sync. Everything here is untrusted text: it is
stored, shown through ``os1.terminal`` and fenced in prompts, never obeyed.
"""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

from os1.mail.html import html_to_text

BODY_CHARS = 200_000
"""Text kept per mail; a longer body is cut with a note in ``problems``."""
CALENDAR_CHARS = 500_000
KEPT_HEADERS = ("list-unsubscribe", "list-id", "precedence", "auto-submitted", "in-reply-to",
                "references", "reply-to", "x-spam-flag", "authentication-results")  # fmt: skip
FALLBACK_CHARSETS = ("utf-8", "cp1252")


@dataclass(frozen=True)
class Attachment:
    """A part that is not the text: its name as the sender gave it, its type and its size."""

    name: str
    content_type: str
    size: int


@dataclass(frozen=True)
class ParsedMail:
    """What os1 keeps of a mail; every string here came from the sender."""

    message_id: str
    sender_name: str
    sender_addr: str
    recipients: list[str]
    subject: str
    sent_at: datetime | None
    body: str
    attachments: list[Attachment] = field(default_factory=list)
    calendar: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    hidden: int = 0
    """Pieces of HTML text a reader would not see, left out of ``body``."""
    size: int = 0


def _words(value: str) -> str:
    """A header's encoded words (RFC 2047) decoded; raw 8-bit bytes read as UTF-8."""
    if any("\udc80" <= ch <= "\udcff" for ch in value):
        value = value.encode("ascii", "surrogateescape").decode("utf-8", "replace")
    return str(make_header(decode_header(value)))


def _header(msg: Message, name: str, problems: list[str]) -> str:
    value = msg.get(name)
    if value is None:
        return ""
    text = str(value)
    try:
        text = _words(text)
    except (HeaderParseError, LookupError, UnicodeError, ValueError) as exc:
        problems.append(f"The {name} header could not be decoded ({type(exc).__name__}).")
    return " ".join(text.split())


def decode_bytes(data: bytes, charset: str | None, problems: list[str]) -> str:
    """Bytes to text in the declared charset, else UTF-8, else Windows-1252, never failing."""
    tried: list[str] = []
    if charset:
        try:
            return data.decode(charset)
        except LookupError:
            problems.append(f"Unknown charset {charset!r}; read as UTF-8 or Windows-1252.")
        except UnicodeDecodeError:
            problems.append(f"Text was not valid {charset}; read as UTF-8 or Windows-1252.")
        tried.append(charset.lower())
    for fallback in FALLBACK_CHARSETS:
        if fallback in tried:
            continue
        try:
            return data.decode(fallback)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _payload(part: Message, problems: list[str]) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception as exc:
        problems.append(f"A {part.get_content_type()} part could not be decoded ({exc}).")
        return b""
    return data if isinstance(data, bytes) else b""


def _text_of(part: Message, problems: list[str]) -> str:
    return decode_bytes(_payload(part, problems), part.get_content_charset(), problems)


def _attachment_size(part: Message) -> int:
    """The decoded size, estimated from the encoded text so a 50 MB file is not decoded."""
    raw = part.get_payload(decode=False)
    if not isinstance(raw, str):
        return 0
    if str(part.get("content-transfer-encoding", "")).lower().strip() == "base64":
        return len("".join(raw.split())) * 3 // 4
    return len(raw)


def _filename(part: Message) -> str:
    try:
        name = part.get_filename()
        return " ".join(_words(str(name)).split()) if name else "(unnamed)"
    except (HeaderParseError, LookupError, UnicodeError, ValueError):
        return "(unnamed)"


def _sender(msg: Message, problems: list[str]) -> tuple[str, str]:
    value = _header(msg, "from", problems)
    name, addr = parseaddr(value)
    if not addr or "@" not in addr:
        problems.append("The sender's address could not be read.")
    return " ".join(name.split()), addr.strip().lower()


def _recipients(msg: Message, problems: list[str]) -> list[str]:
    values = [_header(msg, name, problems) for name in ("to", "cc")]
    return [a.strip().lower() for _, a in getaddresses([v for v in values if v]) if "@" in a]


def _date(msg: Message, problems: list[str]) -> datetime | None:
    value = _header(msg, "date", problems)
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        problems.append(f"The date {value[:60]!r} could not be read.")
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def parse(raw: bytes) -> ParsedMail:
    """Read one mail's bytes; anything unreadable is listed in ``problems``, never raised."""
    problems: list[str] = []
    msg: Message = email.message_from_bytes(raw, policy=email.policy.compat32)
    for defect in getattr(msg, "defects", [])[:5]:
        problems.append(f"Malformed MIME: {type(defect).__name__}.")
    plain: list[str] = []
    html: list[str] = []
    attachments: list[Attachment] = []
    calendar: str | None = None
    for part in msg.walk():
        if part.is_multipart():
            continue
        kind = part.get_content_type()
        disposition = (part.get_content_disposition() or "").lower()
        if kind == "text/calendar" and calendar is None:
            calendar = _text_of(part, problems)[:CALENDAR_CHARS]
        elif disposition == "attachment" or not kind.startswith("text/"):
            attachments.append(Attachment(_filename(part), kind, _attachment_size(part)))
        elif kind == "text/html":
            html.append(_text_of(part, problems))
        else:
            plain.append(_text_of(part, problems))
    hidden = 0
    if plain:
        body = "\n\n".join(p.strip() for p in plain)
    elif html:
        rendered = [html_to_text(h) for h in html]
        body = "\n\n".join(r.text for r in rendered)
        hidden = sum(r.hidden for r in rendered)
        if hidden:
            problems.append(f"{hidden} piece(s) of hidden HTML text left out.")
    else:
        body = ""
    if len(body) > BODY_CHARS:
        body = body[:BODY_CHARS]
        problems.append(f"The text was cut at {BODY_CHARS:,} characters.")
    name, addr = _sender(msg, problems)
    headers = {h: v[:500] for h in KEPT_HEADERS if (v := _header(msg, h, problems))}
    return ParsedMail(
        message_id=_header(msg, "message-id", problems)[:900],
        sender_name=name,
        sender_addr=addr,
        recipients=_recipients(msg, problems),
        subject=_header(msg, "subject", problems),
        sent_at=_date(msg, problems),
        body=body.replace("\r\n", "\n").replace("\x00", ""),
        attachments=attachments,
        calendar=calendar,
        headers=headers,
        problems=problems,
        hidden=hidden,
        size=len(raw),
    )


def reply_message(
    sender: str, recipients: list[str], subject: str, body: str, *, in_reply_to: str = ""
) -> EmailMessage:
    """A plain-text reply as it goes out: the person's address, their words, threading headers."""
    msg = EmailMessage()
    msg["From"] = Address(addr_spec=sender) if "@" in sender else sender
    msg["To"] = ", ".join(recipients)
    msg["Subject"] = subject
    msg["Date"] = email.utils.format_datetime(datetime.now(UTC))
    msg["Message-ID"] = email.utils.make_msgid(domain=sender.rpartition("@")[2] or None)
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    msg.set_content(body)
    return msg
