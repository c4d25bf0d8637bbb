"""The contract every platform connector keeps.

A connector only talks to its platform: `fetch(cursor)` yields batches of normalised
`Mention`s, each with the cursor to resume from once that batch is stored. It never scores,
stores or emails. The store writes a batch and its cursor in one transaction, so the cursor a
connector hands out must be safe to resume from after exactly the mentions in and before it.

`profile(handle)` reads one account's public profile (name, bio, picture) where the platform
gives it to this read-only monitor. It is asked only for IOM3's official channels and the
registered ASV accounts (monitor/services/profiles.py makes that selection).
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from monitor.models import Mention, Profile
from monitor.watch import WatchList

Cursor = dict[str, Any]


class ConnectorSettings(BaseModel):
    """Base for each connector's table in monitor.toml (`[connectors.<name>]`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    enabled: bool = True
    # How often `run` polls this source; empty: [schedule] poll_minutes.
    poll_minutes: float | None = Field(default=None, gt=0, le=24 * 60)


class PlatformSettings(ConnectorSettings):
    """What every platform connector shares: where its token is, and how hard to retry."""

    # The NAME of the environment variable that holds the token, never the token itself.
    token_env: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    timeout_seconds: float = Field(default=30, gt=0, le=300)
    retries: int = Field(default=4, ge=1, le=10)
    page_size: int = Field(default=100, ge=1, le=100)
    max_pages: int = Field(default=20, ge=1, le=1000)  # per stream per run: a cap on one run's cost


@dataclass(slots=True)
class Batch:
    """Mentions to store together, the cursor to save with them, and what could not be read."""

    mentions: list[Mention]
    cursor: Cursor
    skipped: list[str] = field(default_factory=list)
    # Webhook queue entries this batch settles (fetched, or gone): marked in the same commit.
    acknowledged: list[int] = field(default_factory=list)


class ConnectorError(Exception):
    """A connector could not go on. `fix` tells the operator what to do about it."""

    retriable: ClassVar[bool] = False

    def __init__(self, message: str, *, fix: str = "") -> None:
        self.fix = fix
        super().__init__(f"{message}; {fix}" if fix else message)


class RetriableError(ConnectorError):
    """Worth trying again later: a rate limit, a 5xx, a timeout."""

    retriable = True


class FatalError(ConnectorError):
    """Will fail again until someone acts: a revoked token, a missing file."""


class NotConfigured(FatalError):
    """The connector is enabled but lacks what it needs to start (usually its token)."""


class RateLimited(RetriableError):
    """The platform says wait. Stop this run; the next one resumes from the committed cursor.

    Inside a scheduled job sleeping for up to 15 minutes would block every other job, so the
    connector stops instead (twarc sleeps; we return and let the scheduler come back).
    """

    def __init__(self, message: str, *, resume_at: datetime | None, fix: str = "") -> None:
        self.resume_at = resume_at
        when = f" until {resume_at:%Y-%m-%d %H:%M} UTC" if resume_at else ""
        super().__init__(f"{message}{when}", fix=fix or "nothing to do: the next run resumes after that")


class SkipStream(Exception):
    """One account or object cannot be read (deleted, private, no permission); others can."""


class ProfileNotReadable(SkipStream):
    """The platform does not give this account's profile to this monitor's read-only permissions
    (a LinkedIn member, a personal Facebook profile, a personal Instagram account). Not a fault to
    retry or fix: the audit says "profile not readable on <platform>" and why."""


def copy_state(state: Cursor) -> Cursor:
    """A cursor snapshot for one batch (one level deep: per-post maps are dicts too)."""
    return {k: (dict(v) if isinstance(v, dict) else v) for k, v in state.items()}


class Connector(ABC):
    """One platform (or the replay file). Subclasses set `name` and `Settings`."""

    name: ClassVar[str]
    Settings: ClassVar[type[ConnectorSettings]] = ConnectorSettings

    def __init__(
        self,
        settings: ConnectorSettings,
        watch: WatchList,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        # sleep (retry backoff) and clock (comment windows, rate-limit resets) are injected so
        # tests drive time themselves.
        self.settings = settings
        self.watch = watch
        self.sleep = sleep
        self.clock = clock

    def official_ids(self, platform: str, ids_by_handle: dict[str, str]) -> set[str]:
        """The platform ids, among `ids_by_handle`, of IOM3's official accounts (channels.toml)."""
        return {ids_by_handle[h] for h in self.watch.official_handles(platform) if h in ids_by_handle}

    def token_envs(self) -> list[str]:
        """The NAMES of the environment variables this connector needs set (check-config lists them)."""
        token_env = getattr(self.settings, "token_env", None)
        return [token_env] if token_env else []

    def profile_refusal(self, handle: str) -> str | None:
        """Why this platform cannot give `handle`'s profile to this monitor, or None if it can be
        asked. No network: the answer follows from the platform, the account's kind and the
        settings."""
        return f"{self.name} has no account profiles for the monitor to read"

    def profile(self, handle: str) -> Profile:
        """The public profile of `handle`, an official channel or a registered ASV account.

        Raises ProfileNotReadable where the platform cannot give it (see `profile_refusal`),
        SkipStream when this account cannot be read now (deleted, renamed, private), and the
        connector's usual RateLimited, FatalError or RetriableError otherwise.
        """
        if refusal := self.profile_refusal(handle):
            raise ProfileNotReadable(refusal)
        return self.read_profile(handle)

    def read_profile(self, handle: str) -> Profile:
        """Ask the platform for `handle`'s profile; called only once `profile_refusal` allows it."""
        raise ProfileNotReadable(f"{self.name} reads no profiles")

    @abstractmethod
    def fetch(self, cursor: Cursor | None) -> Iterator[Batch]:
        """Yield batches newer than `cursor` (None: from the start), oldest first."""
