"""The terminal: each email printed, for trying the monitor out."""

from __future__ import annotations

import sys
from email.message import EmailMessage
from typing import TYPE_CHECKING, TextIO

from alerts.transports.base import Transport

if TYPE_CHECKING:
    from monitor.config import Config


class ConsoleTransport(Transport):
    """Prints each email, for trying the monitor out at a terminal."""

    name = "console"
    kind = "email"

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout

    @classmethod
    def from_config(cls, config: Config) -> ConsoleTransport:
        return cls()

    def send(self, message: EmailMessage) -> None:
        self.stream.write(message.as_string() + "\n" + "-" * 72 + "\n")
