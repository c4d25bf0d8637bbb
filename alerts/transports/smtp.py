"""An SMTP server (smtplib): STARTTLS or SSL, the login from the environment."""

from __future__ import annotations

import re
import smtplib
import ssl
from collections.abc import Callable
from email.generator import BytesGenerator
from email.message import EmailMessage
from email.utils import getaddresses
from io import BytesIO
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
        self.send_staged(message, lambda: None)

    def send_staged(self, message: EmailMessage, point_of_no_return: Callable[[], None]) -> None:
        """Send, calling `point_of_no_return` just before the final "." of DATA.

        Until that dot the server keeps nothing (RFC 5321 4.1.1.4: an unfinished DATA is thrown
        away when the connection drops), so a crash before it cannot duplicate the email. The
        outbox commits "delivering" in the callback: only a crash between then and its "sent"
        commit (the server's time to accept, RFC 1047, plus one local commit) leaves an outcome
        nobody can know, and only then is the email sent a second time.
        """
        where = f"{self.settings.host}:{self.settings.port}"
        try:
            refused = self._transact(message, point_of_no_return)
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
                f"cannot reach the SMTP server {where}: {type(exc).__name__}: {exc}", unreachable=True
            ) from None
        if refused:
            raise TransportError(f"{where} refused {', '.join(refused)}", permanent=True)

    def _transact(self, message: EmailMessage, point_of_no_return: Callable[[], None]) -> dict[str, str]:
        """smtplib's send_message, opened up at the final dot (smtplib has no hook there)."""
        smtp = self._connection()
        sender = getaddresses([str(message["Sender"] or message["From"])])[0][1]
        recipients = [
            a for _, a in getaddresses([str(v) for f in ("To", "Cc", "Bcc") for v in message.get_all(f, [])])
        ]
        body = BytesIO()
        # As send_message does: Bcc never goes on the wire; CRLF line ends as SMTP wants.
        BytesGenerator(body, policy=message.policy.clone(linesep="\r\n")).flatten(
            _without_bcc(message), linesep="\r\n"
        )
        smtp.ehlo_or_helo_if_needed()
        code, reply = smtp.mail(sender)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, reply, sender)
        refused: dict[str, str] = {}
        for rcpt in recipients:
            code, reply = smtp.rcpt(rcpt)
            if code not in (250, 251):
                refused[rcpt] = f"{code} {reply.decode(errors='replace')}"
        if len(refused) == len(recipients):
            smtp.rset()
            raise smtplib.SMTPRecipientsRefused(refused)  # type: ignore[arg-type]
        code, reply = smtp.docmd("DATA")
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        data = re.sub(rb"(?m)^\.", b"..", body.getvalue())  # dot-stuffing, RFC 5321 4.5.2
        smtp.send(data if data.endswith(b"\r\n") else data + b"\r\n")
        point_of_no_return()  # raises if the outbox cannot record it: then no dot, no email
        smtp.send(b".\r\n")
        code, reply = smtp.getreply()
        if code != 250:
            raise smtplib.SMTPDataError(code, reply)
        return refused

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()

    def already_delivered(self, message_id: str) -> None:
        return None


def _without_bcc(message: EmailMessage) -> EmailMessage:
    if "Bcc" not in message:
        return message
    copy = EmailMessage(policy=message.policy)
    for name, value in message.items():
        if name.lower() != "bcc":
            copy[name] = value
    copy.set_payload(message.get_payload())
    return copy
