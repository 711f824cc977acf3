"""Every error os1 shows a person, each with a sentence saying what to do about it.

Front doors print ``str(error)`` and exit non-zero; nothing else needs to know
the exception types, but tests and callers can catch the specific ones.
"""

from __future__ import annotations


class Os1Error(Exception):
    """An error with a message a user can act on: what went wrong, then what to do."""

    exit_code = 1

    def __init__(self, problem: str, fix: str = "") -> None:
        self.problem = problem
        self.fix = fix
        super().__init__(f"{problem} {fix}".strip())


class ConfigError(Os1Error):
    """The settings file or an ``OS1_*`` variable holds a value os1 cannot use."""


class InputError(Os1Error):
    """What the person typed or piped in cannot be used as a message."""


class ModelError(Os1Error):
    """The chat model is missing, damaged or cannot be installed."""


class ChecksumMismatch(ModelError):
    """An assembled model file does not match its published SHA-256."""


class DiskFull(ModelError):
    """Not enough free space to install a model."""


class LLMUnavailable(Os1Error):
    """The model backend cannot be reached or refused the request."""


class OutputError(Os1Error):
    """A file cannot be written where asked: a folder, a device, no room, no permission."""


class StoreError(Os1Error):
    """The database cannot be opened, read or written."""


class DatabaseLocked(StoreError):
    """Another process holds a write lock on the database for too long."""


class SchemaTooNew(StoreError):
    """The database was written by a newer os1 than this one."""


class NotFound(Os1Error):
    """A conversation, model or other named thing does not exist for this user."""


class LetterError(Os1Error):
    """A letter cannot be rendered as asked: an unknown style, a missing tool, a bad path."""


class FontMissing(LetterError):
    """A font file a letter style needs is not installed; the message names its package."""


class MailError(Os1Error):
    """A mail account cannot be reached, signed in to, read or sent through."""


class ImageError(InputError):
    """An image os1 cannot read: empty, damaged, too large, or in a format it does not open."""


class VisionUnavailable(Os1Error):
    """The configured vision backend cannot be reached, timed out, or refused the image."""


class CalendarError(Os1Error):
    """A calendar cannot be read, reached, signed in to or written, or an event is unusable."""


class ContactsError(Os1Error):
    """An address book cannot be read, reached or signed in to, or a card is unusable."""
