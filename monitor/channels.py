"""Who is speaking: official IOM3 channel, registered ASV account, or the public."""

from __future__ import annotations

from typing import TYPE_CHECKING

from monitor.models import ChannelKind, Mention

if TYPE_CHECKING:
    from monitor.config import Config


class ChannelDirectory:
    """Looks up an author against channels.toml and accounts.toml (case-insensitive handles)."""

    def __init__(self, config: Config) -> None:
        self._official = {(c.platform, c.handle.lower()) for c in config.channels.official}
        self._registered = {
            (a.platform, a.handle.lower()): ChannelKind(a.kind) for a in config.accounts.account
        }

    def is_official(self, mention: Mention) -> bool:
        return (mention.platform, mention.author_handle.lower()) in self._official

    def classify(self, mention: Mention) -> ChannelKind:
        key = (mention.platform, mention.author_handle.lower())
        if mention.is_official or key in self._official:
            return ChannelKind.OFFICIAL
        return self._registered.get(key, ChannelKind.PUBLIC)
