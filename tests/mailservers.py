"""Real mail servers for the mail tests: a throwaway Dovecot (IMAP) and an aiosmtpd sink.

Dovecot runs from a config in a private temp folder, on a free port, with one
user in a passwd-file and a Maildir; no system service and no root-owned
path. Run as root (CI containers), it is started as ``nobody`` through
``setpriv``, since Dovecot refuses to run its login processes as root.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope, Session

DOVECOT = "/usr/sbin/dovecot"
USER = "tester"
PASSWORD = "correct horse battery"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Dovecot:
    """A running throwaway Dovecot: its port, its user's Maildir, and how to stop it."""

    root: Path
    port: int
    process: subprocess.Popen[bytes]
    uid: int
    gid: int

    @property
    def maildir(self) -> Path:
        """The test user's INBOX as a Maildir."""
        return self.root / "home" / USER / "Maildir"

    def deliver(self, raw: bytes, name: str) -> None:
        """Put one message straight into the Maildir, as a delivery agent would."""
        for sub in ("cur", "new", "tmp"):
            (self.maildir / sub).mkdir(parents=True, exist_ok=True)
        path = self.maildir / "new" / f"{name}.os1test:2,"
        path.write_bytes(raw)
        os.chown(path, self.uid, self.gid)
        # The user's home too: made here, it is the test process's own and, under a private
        # umask (os1 sets 077 when it runs in this process), closed to Dovecot's user.
        home = self.maildir.parent
        for folder in (home, self.maildir, *(self.maildir / s for s in ("cur", "new", "tmp"))):
            os.chown(folder, self.uid, self.gid)

    def stop(self) -> None:
        """Stop the master and every process it started."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        shutil.rmtree(self.root, ignore_errors=True)


def start_dovecot() -> Dovecot:
    """Start Dovecot on a free port and wait until it greets."""
    as_root = os.geteuid() == 0
    account = pwd.getpwnam("nobody") if as_root else pwd.getpwuid(os.geteuid())
    root = Path(tempfile.mkdtemp(prefix="os1-dovecot-"))
    port = free_port()
    group = (
        "nogroup"
        if as_root
        else subprocess.run(
            ["id", "-gn"], capture_output=True, text=True, check=True
        ).stdout.strip()
    )
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    (root / "dovecot.conf").write_text(
        f"""base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = {account.pw_name}
default_internal_user = {account.pw_name}
default_internal_group = {group}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={account.pw_uid} gid={account.pw_gid} home={root}/home/%u
}}
mail_location = maildir:~/Maildir
first_valid_uid = {account.pw_uid}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service auth {{
  user = {account.pw_name}
}}
service auth-worker {{
  user = {account.pw_name}
}}
"""
    )
    for sub in ("run", "state", "home"):
        (root / sub).mkdir()
    if as_root:
        for path in (root, *root.rglob("*")):
            os.chown(path, account.pw_uid, account.pw_gid)
    command = [DOVECOT, "-F", "-c", str(root / "dovecot.conf")]
    if as_root:
        command = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", *command]
    with (root / "stderr.log").open("wb") as stderr:
        process = subprocess.Popen(command, start_new_session=True, stderr=stderr)
    server = Dovecot(root, port, process, account.pw_uid, account.pw_gid)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
            err = (root / "stderr.log").read_text()
            raise RuntimeError(f"dovecot exited: {err} {log}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1) as s:
            if s.recv(100).startswith(b"* OK"):
                return server
        time.sleep(0.1)
    server.stop()
    raise RuntimeError("dovecot did not start within 20 s")


@dataclass
class Sink:
    """What the SMTP server received."""

    port: int
    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)

    async def handle_DATA(self, server: object, session: Session, envelope: Envelope) -> str:
        """Keep each message with its envelope recipients."""
        raw = envelope.original_content or b""
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 OK"


@contextlib.contextmanager
def smtp_sink() -> Iterator[Sink]:
    """A real SMTP server (aiosmtpd) on a free port, keeping what it is sent."""
    sink = Sink(free_port())
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()
