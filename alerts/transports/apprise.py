"""Chat and SMS through Apprise (Microsoft Teams, Slack, SMS gateways and 100+ more), from the outbox.

Each outbox row of kind "chat" names the environment variable that holds its Apprise URL(s)
(config/contacts.toml `chat_env`): the URL carries a token, so it is read here at send time and
never stored, logged or shown except masked (Apprise's `url(privacy=True)`).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from alerts.transports.base import Transport, TransportError
from monitor.optional import require

apprise = require("apprise", "chat and SMS alerts (Teams, Slack, SMS through Apprise)")

if TYPE_CHECKING:
    from monitor.config import Config


class AppriseTransport(Transport):
    name = "apprise"
    kind = "chat"

    @classmethod
    def from_config(cls, config: Config) -> AppriseTransport:
        return cls()

    def send(self, message: dict[str, Any]) -> None:
        env = message["url_env"]
        urls = os.environ.get(env, "").split()
        if not urls:
            raise TransportError(
                f"{env} is not set; put the Apprise URL(s) for this person in it", permanent=True
            )
        notifier = apprise.Apprise()
        for url in urls:
            if not notifier.add(url):
                raise TransportError(f"{env} holds a URL Apprise does not understand", permanent=True)
        # Apprise's notify() answers only True/False, so a refusal and an outage look alike: both
        # are retried with the outbox's backoff, which is what an outage needs.
        if not notifier.notify(title=message["title"], body=message["body"]):
            shown = ", ".join(server.url(privacy=True) for server in notifier)
            raise TransportError(f"Apprise could not deliver to {shown} ({env})")
