"""What every transport is: one kind of outbox message in, delivered or a TransportError out."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from monitor.config import Config


class TransportError(Exception):
    """Sending failed. A permanent failure will not fix itself by retrying.

    `unreachable`: the server could not be reached or stopped answering; every later message of
    this pass would wait out the same timeout, so the outbox ends the pass (issue #12, point 4).
    """

    def __init__(self, message: str, *, permanent: bool = False, unreachable: bool = False) -> None:
        self.permanent = permanent
        self.unreachable = unreachable
        super().__init__(message)


class Transport:
    """A way out for one kind of outbox message (`kind`); registered by `name` in TRANSPORTS."""

    name: ClassVar[str]
    kind: ClassVar[str]  # the outbox kind it carries: "email", later "chat"

    @classmethod
    def from_config(cls, config: Config) -> Transport:
        """The transport as config/monitor.toml sets it up."""
        raise NotImplementedError

    def send(self, message: Any) -> None:
        """Deliver `message` (an EmailMessage for email; see alerts.outbox.decode) or raise TransportError."""
        raise NotImplementedError

    def already_delivered(self, message_id: str) -> bool | None:
        """True/False if the transport can tell; None if it cannot (then resend is a risk)."""
        return None

    def close(self) -> None:
        """Let go of any connection held across a flush."""
