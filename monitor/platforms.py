"""The one table of platforms: adding a platform is one row here (plus its connector module).

Every other list of platforms (the Mention check, config validation, CLI choices, the digest's
columns, alert labels, the connector registry, the README's token list) is derived from it.
A leaf module: the connector is named by dotted path and imported only when enabled, so this
table costs nothing to import (healthchecks' TRANSPORTS table is the model).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PlatformInfo:
    name: str
    label: str  # how people write it
    connector: str  # "module:Class", imported on first use
    # The NAMES of the environment variables its connector reads by default (never the secrets).
    token_env: tuple[str, ...]
    threads: bool  # replies share a thread id (incidents group by thread)
    reach: bool  # authors come with a follower count
    # What polling this platform cannot see; shown in the digest's coverage line and the README.
    blind_spots: str = ""


_ROWS = (
    PlatformInfo(
        "x",
        "X",
        "connectors.x:XConnector",
        ("IOM3_X_BEARER_TOKEN",),
        threads=True,
        reach=True,
        blind_spots="recent search covers 7 days; protected accounts and deleted posts are not seen",
    ),
    PlatformInfo(
        "facebook",
        "Facebook",
        "connectors.facebook:FacebookConnector",
        ("IOM3_FACEBOOK_PAGE_TOKEN",),
        threads=True,
        reach=False,
        blind_spots="only the configured pages (feed, tags, comments); personal profiles and groups are not",
    ),
    PlatformInfo(
        "instagram",
        "Instagram",
        "connectors.instagram:InstagramConnector",
        ("IOM3_INSTAGRAM_TOKEN",),
        threads=True,
        reach=False,
        blind_spots="@mentions in others' captions and comments arrive only through the Meta webhook",
    ),
    PlatformInfo(
        "linkedin",
        "LinkedIn",
        "connectors.linkedin:LinkedInConnector",
        ("IOM3_LINKEDIN_TOKEN",),
        threads=True,
        reach=False,
        blind_spots="only the configured pages and posts that @mention them; members' other posts are not",
    ),
    PlatformInfo(
        "bluesky",
        "Bluesky",
        "connectors.bluesky:BlueskyConnector",
        ("IOM3_BLUESKY_HANDLE", "IOM3_BLUESKY_APP_PASSWORD"),
        threads=True,
        reach=True,
        blind_spots="search finds posts in the last few days it indexes; blocked or deleted posts are not",
    ),
    PlatformInfo(
        "mastodon",
        "Mastodon",
        "connectors.mastodon:MastodonConnector",
        ("IOM3_MASTODON_TOKEN",),
        threads=True,
        reach=True,
        blind_spots="only posts the configured instances have federated; search only finds posts that opt in",
    ),
    PlatformInfo(
        "web",
        "News and blogs",
        "connectors.feeds:FeedsConnector",
        (),
        threads=False,
        reach=False,
        blind_spots="only the feeds listed; a feed shows a summary, not the whole page",
    ),
)

PLATFORM_TABLE: dict[str, PlatformInfo] = {row.name: row for row in _ROWS}
PLATFORMS: tuple[str, ...] = tuple(PLATFORM_TABLE)


def platform_info(name: str) -> PlatformInfo:
    """The row for `name`; LookupError naming the known platforms otherwise."""
    try:
        return PLATFORM_TABLE[name]
    except KeyError:
        raise LookupError(f"unknown platform {name!r}; use one of {', '.join(PLATFORMS)}") from None


def label(name: str) -> str:
    """`X`, `LinkedIn`...; an unknown name is shown as it is."""
    row = PLATFORM_TABLE.get(name)
    return row.label if row else name


def default_token_env(name: str, index: int = 0) -> str:
    """The default environment variable a connector's Settings names (see the table)."""
    return PLATFORM_TABLE[name].token_env[index]
