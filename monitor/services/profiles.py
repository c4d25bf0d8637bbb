"""The `profiles` step: read the public profile of each official channel and registered ASV
account, at most once a (London) day each, and keep the latest one (issue #16).

Whose profiles: IOM3's own channels (config/channels.toml) and the accounts in the registry
(config/accounts.toml), and no one else; `profile_targets` is the only place that choice is
made. The scheduler runs this daily (`profiles` job); `once` runs it after its pass; `demo` reads
the bundled sample file instead of the platforms (no network there).

Per account: the profile is stored (the picture fetched, kept as a thumbnail and hashes, and
looked at for IOM3's logo: monitor/media/avatars.py); or, where the platform never gives it to a
read-only monitor, the reason is stored so the audit can say "profile not readable"; or a failure
for this account (deleted, renamed) is stored and the last profile kept. A rate limit, a bad token
or a server that keeps failing stops that platform for this run: its other accounts wait for the
next one, and nothing is marked as checked.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from connectors.base import Connector, ConnectorError, ProfileNotReadable, SkipStream
from monitor.config import Config
from monitor.media.avatars import AvatarReader, AvatarResult, not_fetched
from monitor.models import Profile
from monitor.platforms import PLATFORM_TABLE
from monitor.schema import ProfileRow, utcnow
from monitor.store import dialect_insert, without_nul

SAMPLE_PROFILES = Path(__file__).resolve().parent.parent / "sample_data" / "profiles.jsonl"
Clock = Callable[[], datetime]
Avatars = Callable[[str], AvatarResult]


@dataclass(frozen=True, slots=True)
class ProfileTarget:
    platform: str
    handle: str
    kind: str  # official | asv_committee | asv_personal

    @property
    def key(self) -> tuple[str, str]:
        return self.platform, self.handle.lower()

    @property
    def name(self) -> str:
        return f"{self.platform} @{self.handle}"


def profile_targets(config: Config) -> list[ProfileTarget]:
    """Whose profile the monitor reads: IOM3's official channels and the registered ASV accounts.

    The selection is made here, from the configuration alone, and never from the mentions: the
    author of a post that merely mentions IOM3 is not profiled. The monitor keeps what such a
    person said about IOM3, not who they are (issue #16, "people are not profiled"). A `web`
    account is a feed, which has no profile to read.
    """
    targets = [ProfileTarget(c.platform, c.handle, "official") for c in config.channels.official]
    targets += [ProfileTarget(a.platform, a.handle, str(a.kind)) for a in config.accounts.account]
    return [t for t in targets if t.platform != "web"]


def official_keys(config: Config) -> set[tuple[str, str]]:
    """(platform, lower-case handle) of the official channels, whose profiles retention keeps."""
    return {t.key for t in profile_targets(config) if t.kind == "official"}


@dataclass(slots=True)
class ProfilesResult:
    """What one run of the step did, account by account."""

    read: list[tuple[ProfileTarget, Profile, AvatarResult]] = field(default_factory=list)
    unreadable: list[tuple[ProfileTarget, str]] = field(default_factory=list)
    failed: list[tuple[ProfileTarget, str]] = field(default_factory=list)  # this account, this time
    waiting: list[tuple[ProfileTarget, str]] = field(default_factory=list)  # its platform stopped
    checked_today: list[ProfileTarget] = field(default_factory=list)
    no_connector: list[ProfileTarget] = field(default_factory=list)

    @property
    def stopped(self) -> dict[str, str]:
        """Why each stopped platform's accounts wait, once per platform."""
        return {target.platform: why for target, why in self.waiting}

    def summary(self) -> str:
        return (
            f"read={len(self.read)} unreadable={len(self.unreadable)} failed={len(self.failed)} "
            f"waiting={len(self.waiting)} checked_today={len(self.checked_today)} "
            f"no_connector={len(self.no_connector)}"
        )


def refresh_profiles(
    sessions: sessionmaker[Session],
    config: Config,
    connectors: Sequence[Connector],
    *,
    clock: Clock = utcnow,
    avatars: Avatars | None = None,
) -> ProfilesResult:
    """Read, through the enabled connectors, every target profile not yet checked today."""
    by_platform = {c.name: c for c in connectors if c.name in PLATFORM_TABLE}
    return _refresh(
        sessions,
        config,
        {p: c.profile for p, c in by_platform.items()},
        clock=clock,
        avatars=avatars or AvatarReader(),
    )


def refresh_sample_profiles(
    sessions: sessionmaker[Session],
    config: Config,
    path: Path = SAMPLE_PROFILES,
    *,
    clock: Clock = utcnow,
    avatars: Avatars | None = None,
) -> ProfilesResult:
    """The demo's step: each profile from the bundled file, as if the platforms had answered.

    A platform's own refusal still comes first (a LinkedIn member is not readable in the demo
    either). `avatars` reads the pictures (the demo's, from its bundled picture host); without
    it none is fetched.
    """
    from connectors import connector_class

    sample = load_sample_profiles(path, clock())
    readers: dict[str, Callable[[str], Profile]] = {}
    for platform in {t.platform for t in profile_targets(config)}:
        try:
            cls = connector_class(platform)
        except ImportError:  # its optional library is not installed: reported as no connector
            continue
        # The configured settings (which pages, which options), not the tokens: nothing is asked.
        table = config.monitor.connectors.get(platform, {})
        connector = cls(cls.Settings.model_validate(table), config.watch_list(), clock=clock)
        readers[platform] = _sample_reader(platform, connector, sample)
    no_network = not_fetched("the demo has no network: the picture was not fetched")
    return _refresh(sessions, config, readers, clock=clock, avatars=avatars or no_network)


def _sample_reader(
    platform: str, connector: Connector, sample: dict[tuple[str, str], Profile]
) -> Callable[[str], Profile]:
    def read(handle: str) -> Profile:
        if refusal := connector.profile_refusal(handle):
            raise ProfileNotReadable(refusal)
        found = sample.get((platform, handle.lower()))
        if found is None:
            raise SkipStream("not in the bundled sample of profiles")
        return found

    return read


def _refresh(
    sessions: sessionmaker[Session],
    config: Config,
    readers: dict[str, Callable[[str], Profile]],
    *,
    clock: Clock,
    avatars: Avatars,
) -> ProfilesResult:
    result = ProfilesResult()
    targets = profile_targets(config)
    today = clock().astimezone(config.timezone).date()
    with sessions() as session:
        done = {
            (platform, key)
            for platform, key, checked in session.execute(
                select(ProfileRow.platform, ProfileRow.handle_key, ProfileRow.checked_at)
            )
            if checked.astimezone(config.timezone).date() == today
        }
    stopped: dict[str, str] = {}
    for target in targets:
        if target.key in done:
            result.checked_today.append(target)
            continue
        read = readers.get(target.platform)
        if read is None:
            result.no_connector.append(target)
            continue
        if target.platform in stopped:
            result.waiting.append((target, stopped[target.platform]))
            continue
        try:
            profile = read(target.handle)
        except ProfileNotReadable as exc:
            result.unreadable.append((target, str(exc)))
            _save(sessions, target, clock(), readable=False, problem=str(exc))
            continue
        except SkipStream as exc:
            result.failed.append((target, str(exc)))
            _save(sessions, target, clock(), problem=str(exc))
            continue
        except ConnectorError as exc:  # rate limit, token, server: the platform's, not the account's
            stopped[target.platform] = str(exc)
            result.waiting.append((target, stopped[target.platform]))
            continue
        avatar = avatars(profile.avatar_url)
        _save(sessions, target, clock(), profile=profile, avatar=avatar)
        result.read.append((target, profile, avatar))
    return result


def _save(
    sessions: sessionmaker[Session],
    target: ProfileTarget,
    now: datetime,
    *,
    readable: bool = True,
    problem: str = "",
    profile: Profile | None = None,
    avatar: AvatarResult | None = None,
) -> None:
    """Upsert the account's row: a read replaces the whole profile; a refusal clears it (nothing
    stale stays); a failure keeps the last profile and records what went wrong."""
    values: dict[str, Any] = {
        "kind": target.kind,
        "checked_at": now,
        "readable": readable,
        "problem": problem,
    }
    if profile is not None and avatar is not None:
        values |= {
            "fetched_at": profile.fetched_at,
            "display_name": profile.display_name,
            "bio": profile.bio,
            "avatar_url": profile.avatar_url,
            "url": profile.url,
            "avatar_state": avatar.state,
            "avatar_skip_reason": avatar.reason or None,
            "avatar_sha256": avatar.sha256,
            "avatar_phash": avatar.phash,
            "avatar_thumbnail": avatar.thumbnail,
            "logo_findings": avatar.logos,
        }
    elif not readable:
        values |= {
            "fetched_at": None,
            "display_name": "",
            "bio": "",
            "avatar_url": "",
            "url": "",
            "avatar_state": "none",
            "avatar_skip_reason": None,
            "avatar_sha256": None,
            "avatar_phash": None,
            "avatar_thumbnail": None,
            "logo_findings": None,
        }
    values = without_nul(values)
    with sessions.begin() as session:
        insert = dialect_insert(session)(ProfileRow).values(
            platform=target.platform, handle=target.handle, handle_key=target.handle.lower(), **values
        )
        session.execute(
            insert.on_conflict_do_update(
                index_elements=["platform", "handle_key"], set_={"handle": target.handle, **values}
            )
        )


def load_sample_profiles(path: Path, fetched_at: datetime) -> dict[tuple[str, str], Profile]:
    """The bundled profiles file: one JSON object per line with platform, handle, display_name,
    bio, avatar_url and url (any other key, such as `note`, is ignored). A line that is not such
    an object raises ValueError naming the line and what is wrong."""
    profiles: dict[tuple[str, str], Profile] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            profile = Profile(
                platform=item["platform"],
                handle=item["handle"],
                display_name=item.get("display_name", ""),
                bio=item.get("bio", ""),
                avatar_url=item.get("avatar_url", ""),
                url=item.get("url", ""),
                fetched_at=fetched_at,
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path.name} line {number}: {type(exc).__name__}: {exc}") from None
        profiles[(profile.platform, profile.handle.lower())] = profile
    return profiles
