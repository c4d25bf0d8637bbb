"""Where messages go (moving into one module per transport; see the next commit)."""

from alerts.transports.smtp import (
    ConsoleTransport,
    MaildirTransport,
    SmtpTransport,
    Transport,
    TransportError,
    transport_from_config,
)

__all__ = [
    "ConsoleTransport",
    "MaildirTransport",
    "SmtpTransport",
    "Transport",
    "TransportError",
    "transport_from_config",
]
