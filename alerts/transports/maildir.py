"""A Maildir folder: the zero-set-up default, and what the demo writes."""

from __future__ import annotations

import mailbox
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING

from alerts.transports.base import Transport, TransportError

if TYPE_CHECKING:
    from monitor.config import Config


class MaildirTransport(Transport):
    """Writes each email as a file in a Maildir, which Thunderbird, mutt or Evolution open."""

    name = "maildir"
    kind = "email"

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def from_config(cls, config: Config) -> MaildirTransport:
        return cls(config.path(config.monitor.mail.maildir))

    def _box(self) -> mailbox.Maildir:
        try:
            # Maildir(create=True) makes only the last folder; a fresh checkout has no var/.
            self.path.parent.mkdir(parents=True, exist_ok=True)
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
