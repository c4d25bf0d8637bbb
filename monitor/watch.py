"""What the connectors are told to watch: a small, frozen extract of the configuration.

Connectors get this rather than the whole `Config`, so they depend on three lists and a folder,
not on every file the Communications team edits. `Config.watch_list()` builds it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class WatchedAccount:
    platform: str
    handle: str
    kind: str  # a ChannelKind value: official, asv_committee or asv_personal


@dataclass(frozen=True, slots=True)
class WatchList:
    """IOM3's official channels, the registered ASV accounts and the search terms."""

    official: tuple[WatchedAccount, ...] = ()
    accounts: tuple[WatchedAccount, ...] = ()
    terms: tuple[str, ...] = ()
    hashtags: tuple[str, ...] = ()
    # Relative paths in connector settings (the replay file) are resolved against this.
    root: Path = field(default_factory=Path.cwd)

    def official_handles(self, platform: str) -> list[str]:
        return [a.handle for a in self.official if a.platform == platform]

    def registered(self, platform: str, kind: str | None = None) -> list[str]:
        """Handles of registered ASV accounts on `platform` (of one kind, if given)."""
        return [a.handle for a in self.accounts if a.platform == platform and kind in (None, a.kind)]

    def kind_of(self, platform: str, handle: str) -> str | None:
        """official, asv_committee or asv_personal for a watched account; None for anyone else."""
        key = handle.lower()
        for account in (*self.official, *self.accounts):
            if account.platform == platform and account.handle.lower() == key:
                return account.kind
        return None

    def path(self, configured: str) -> Path:
        path = Path(configured)
        return path if path.is_absolute() else self.root / path
