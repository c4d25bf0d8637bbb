"""Where emails go: a Maildir folder (the zero-set-up default) or the console."""

from __future__ import annotations

import mailbox
import sys
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol, TextIO

from monitor.config import Config


class TransportError(Exception):
    """Sending failed. A permanent failure will not fix itself by retrying."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        self.permanent = permanent
        super().__init__(message)


class Transport(Protocol):
    name: str

    def send(self, message: EmailMessage) -> None:
        """Deliver `message` or raise TransportError."""

    def already_delivered(self, message_id: str) -> bool | None:
        """True/False if the transport can tell; None if it cannot (then resend is a risk)."""


class MaildirTransport:
    """Writes each email as a file in a Maildir, which Thunderbird, mutt or Evolution open."""

    name = "maildir"

    def __init__(self, path: Path) -> None:
        self.path = path

    def _box(self) -> mailbox.Maildir:
        try:
            return mailbox.Maildir(self.path, create=True)
        except OSError as exc:
            raise TransportError(
                f"cannot open Maildir {self.path}: {exc.strerror}; check [mail] maildir in "
                "config/monitor.toml points at a folder the monitor can write",
                permanent=True,
            ) from exc

    def send(self, message: EmailMessage) -> None:
        box = self._box()
        try:
            box.add(mailbox.MaildirMessage(message))
        except OSError as exc:
            raise TransportError(f"cannot write to Maildir {self.path}: {exc.strerror}") from exc

    def already_delivered(self, message_id: str) -> bool:
        # Only asked after a crash between "claimed" and "sent", so a scan is affordable.
        return any(msg["Message-ID"] == message_id for msg in self._box())


class ConsoleTransport:
    """Prints each email, for trying the monitor out at a terminal."""

    name = "console"

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout

    def send(self, message: EmailMessage) -> None:
        self.stream.write(message.as_string() + "\n" + "-" * 72 + "\n")

    def already_delivered(self, message_id: str) -> None:
        return None


def transport_from_config(config: Config) -> Transport:
    mail = config.monitor.mail
    if mail.transport == "console":
        return ConsoleTransport()
    return MaildirTransport(config.path(mail.maildir))
