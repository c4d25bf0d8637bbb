"""Where outbox messages go: one module per transport, chosen by name from one table.

Adding a transport is one row in TRANSPORTS and one module; its module is imported only when
the configuration names it, so a transport's optional library is needed only by who uses it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from alerts.transports.base import Transport, TransportError

if TYPE_CHECKING:
    from monitor.config import Config

# name -> (label, dotted path). Room next for "apprise" (chat and SMS, the `chat` extra).
TRANSPORTS: dict[str, tuple[str, str]] = {
    "smtp": ("SMTP server", "alerts.transports.smtp.SmtpTransport"),
    "maildir": ("Maildir folder", "alerts.transports.maildir.MaildirTransport"),
    "console": ("the terminal", "alerts.transports.console.ConsoleTransport"),
}


def transport_class(name: str) -> type[Transport]:
    """The transport registered as `name`, imported now. LookupError names the known ones."""
    try:
        _label, path = TRANSPORTS[name]
    except KeyError:
        known = ", ".join(sorted(TRANSPORTS))
        raise LookupError(f"no transport called {name!r}; the known ones are: {known}") from None
    module, _, attribute = path.rpartition(".")
    cls = getattr(importlib.import_module(module), attribute)
    if not (isinstance(cls, type) and issubclass(cls, Transport)):
        raise TypeError(f"{path} (transport {name!r}) is not a Transport")
    return cls


def transport_from_config(config: Config) -> Transport:
    """The transport `[mail] transport` names, set up from config/monitor.toml."""
    return transport_class(config.monitor.mail.transport).from_config(config)


__all__ = ["TRANSPORTS", "Transport", "TransportError", "transport_class", "transport_from_config"]
