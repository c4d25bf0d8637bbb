"""Where emails go: an SMTP server, a Maildir folder (the zero-set-up default) or the console."""

from __future__ import annotations

import mailbox
import smtplib
import ssl
import sys
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol, TextIO

from monitor.config import Config, SmtpSection
from monitor.secrets import MissingSecret, read_secret


class TransportError(Exception):
    """Sending failed. A permanent failure will not fix itself by retrying."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        self.permanent = permanent
        super().__init__(message)


class Transport(Protocol):
    name: str
    kind: str  # the outbox kind it carries ("email" for these three)

    def send(self, message: EmailMessage) -> None:
        """Deliver `message` or raise TransportError."""

    def already_delivered(self, message_id: str) -> bool | None:
        """True/False if the transport can tell; None if it cannot (then resend is a risk)."""


class MaildirTransport:
    """Writes each email as a file in a Maildir, which Thunderbird, mutt or Evolution open."""

    name = "maildir"
    kind = "email"

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
    kind = "email"

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout

    def send(self, message: EmailMessage) -> None:
        self.stream.write(message.as_string() + "\n" + "-" * 72 + "\n")

    def already_delivered(self, message_id: str) -> None:
        return None


class SmtpTransport:
    """Sends through an SMTP server (smtplib), STARTTLS or SSL, login from the environment.

    One connection is kept for a flush and closed by `close()`; a failure drops it, and the next
    send connects afresh. An SMTP server cannot be asked whether it already has a message, so
    `already_delivered` answers None (see alerts/outbox.py for what that means).
    """

    name = "smtp"
    kind = "email"

    def __init__(self, settings: SmtpSection) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def _login(self) -> tuple[str, str] | None:
        s = self.settings
        if not s.username_env:
            return None
        try:
            user = read_secret(s.username_env, purpose="the SMTP login").reveal()
            password = read_secret(s.password_env or "", purpose="the SMTP login").reveal()
        except MissingSecret as exc:
            raise TransportError(str(exc), permanent=True) from None
        return user, password

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is not None:
            return self._smtp
        s = self.settings
        context = ssl.create_default_context()
        if s.security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout_seconds, context=context)
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout_seconds)
            if s.security == "starttls":
                smtp.starttls(context=context)
        if login := self._login():
            smtp.login(*login)
        self._smtp = smtp
        return smtp

    def send(self, message: EmailMessage) -> None:
        where = f"{self.settings.host}:{self.settings.port}"
        try:
            refused = self._connection().send_message(message)
        except smtplib.SMTPAuthenticationError:
            self.close()
            raise TransportError(
                f"the SMTP server {where} refused the login; check {self.settings.username_env} and "
                f"{self.settings.password_env}",
                permanent=True,
            ) from None
        except smtplib.SMTPRecipientsRefused as exc:
            self.close()
            raise TransportError(
                f"{where} refused every recipient ({', '.join(exc.recipients)}); check config/contacts.toml",
                permanent=True,
            ) from None
        except smtplib.SMTPResponseException as exc:
            self.close()
            permanent = 500 <= exc.smtp_code < 600
            raise TransportError(
                f"{where} answered {exc.smtp_code}: {exc.smtp_error!r}", permanent=permanent
            ) from None
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise TransportError(
                f"cannot reach the SMTP server {where}: {type(exc).__name__}: {exc}"
            ) from None
        if refused:
            raise TransportError(f"{where} refused {', '.join(refused)}", permanent=True)

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()

    def already_delivered(self, message_id: str) -> None:
        return None


def transport_from_config(config: Config) -> Transport:
    mail = config.monitor.mail
    if mail.transport == "console":
        return ConsoleTransport()
    if mail.transport == "smtp":
        return SmtpTransport(mail.smtp)
    return MaildirTransport(config.path(mail.maildir))
