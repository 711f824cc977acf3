"""Sending a mail by SMTP: only ever called after the person said yes to exactly this.

Nothing in this module decides to send; the confirmation gate (in
conversation) or the typed yes of ``os1 mail send`` does, on the recipients
and text shown. The password is read from the account's source at the
moment of sending, and offered only over TLS or to a server that asks for it.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from email.message import EmailMessage

from os1.errors import MailError
from os1.mail.accounts import Account, password

TIMEOUT_S = 60.0


def send(
    account: Account, message: EmailMessage, *, secret: Callable[[Account], str] = password
) -> None:
    """Hand ``message`` to the account's SMTP server for its To recipients."""
    if not account.smtp_host:
        raise MailError(
            f"Mail account {account.name!r} has no SMTP server to send through.",
            "Add it again with --smtp-host and --smtp-port.",
        )
    recipients = [a.strip() for a in str(message["To"]).split(",") if a.strip()]
    host, port = account.smtp_host, account.smtp_port
    try:
        if account.smtp_security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                host, port, timeout=TIMEOUT_S, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(host, port, timeout=TIMEOUT_S)
        with smtp:
            if account.smtp_security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
            if account.secret and smtp.has_extn("auth"):
                smtp.login(account.username, secret(account))
            refused = smtp.send_message(message, account.address, recipients)
    except smtplib.SMTPAuthenticationError as exc:
        raise MailError(
            f"{host} refused the sign-in for {account.username!r} ({exc.smtp_code}).",
            "Check the user name and the password; nothing was sent.",
        ) from exc
    except smtplib.SMTPRecipientsRefused as exc:
        raise MailError(
            f"{host} refused every recipient ({', '.join(exc.recipients)}).",
            "Check the addresses; nothing was sent.",
        ) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise MailError(
            f"Sending through {host}:{port} failed ({exc}).",
            "Check the SMTP host, port and --smtp-security; the draft is kept.",
        ) from exc
    if refused:
        raise MailError(
            f"{host} refused {', '.join(refused)}; the others were sent.",
            "Check those addresses.",
        )
