"""An SMTP server (smtplib): STARTTLS or SSL, the login from the environment."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from typing import TYPE_CHECKING

from alerts.transports.base import Transport, TransportError
from monitor.secrets import MissingSecret, read_secret

if TYPE_CHECKING:
    from monitor.config import Config, SmtpSection


class SmtpTransport(Transport):
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

    @classmethod
    def from_config(cls, config: Config) -> SmtpTransport:
        return cls(config.monitor.mail.smtp)

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
