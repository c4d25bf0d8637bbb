"""The `logo` decision for one image: who posted it, which logo versions it shows -> what to raise. Pure.

The policy ("Use of personal social media accounts"): never use IOM3 logos or trademarks unless
approved to do so; permission comes from the Marketing and Communications team. So:

| who posted                                   | logo seen        | decision                              |
|----------------------------------------------|------------------|---------------------------------------|
| IOM3's own official channel                  | any              | nothing                               |
| anyone                                       | none             | nothing                               |
| unregistered account, or registered but not  | any version      | FLAG: a `logo` flag for the Head of   |
| approved for the logo (committee or personal)|                  | Marketing, with the image as evidence |
| registered and approved                      | a retired version| RETIRED: a gentler finding, for the   |
|                                              |                  | digest and the audit, never an email  |
| registered and approved                      | current only     | nothing                               |

Nothing here reads a database or an image: the analysis pass (monitor/services/media.py) stores
the decision on the image's row; routing (alerts/image_flags.py) turns a FLAG into an incident.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

FLAG, RETIRED, NOTHING = "flag", "retired", "none"
Decision = Literal["flag", "retired", "none"]


@dataclass(frozen=True, slots=True)
class Poster:
    """What the registry (config/accounts.toml) and the channel directory say of an image's poster."""

    official: bool  # one of IOM3's own channels (channels.toml)
    registered: bool  # listed in accounts.toml
    logo_approved: bool  # ... and approved to use the logo


@dataclass(frozen=True, slots=True)
class SeenLogo:
    """One logo found in an image, as the detector reported it (monitor/media/logos.py)."""

    version: str
    status: Literal["current", "retired"]
    confidence: float


@dataclass(frozen=True, slots=True)
class LogoDecision:
    decision: Decision
    lead: SeenLogo | None  # the finding the decision rests on (the most confident that counts)
    why: str  # one line for a person


def decide(poster: Poster, seen: Sequence[SeenLogo]) -> LogoDecision:
    """What one image's logo findings mean for the account that posted it (the table above)."""
    if poster.official:
        return LogoDecision(NOTHING, None, "IOM3's own channel")
    if not seen:
        return LogoDecision(NOTHING, None, "no IOM3 logo in the image")
    best = max(seen, key=lambda s: s.confidence)
    if not poster.registered:
        return LogoDecision(FLAG, best, f"An unregistered account shows the IOM3 logo ({best.version})")
    if not poster.logo_approved:
        return LogoDecision(
            FLAG, best, f"A registered account not approved for the logo shows it ({best.version})"
        )
    retired = [s for s in seen if s.status == "retired"]
    if retired:
        old = max(retired, key=lambda s: s.confidence)
        return LogoDecision(RETIRED, old, f"An approved account uses the retired logo ({old.version})")
    return LogoDecision(NOTHING, None, f"An approved account uses the current logo ({best.version})")


def poster_of(
    *,
    platform: str,
    handle: str,
    official: bool,
    approvals: Mapping[tuple[str, str], bool],
) -> Poster:
    """The Poster for a mention's author; `approvals` is (platform, handle lower) -> logo_approved."""
    key = (platform, handle.lower())
    return Poster(official=official, registered=key in approvals, logo_approved=approvals.get(key, False))


def seen_from_json(findings: Iterable[Mapping[str, Any]]) -> list[SeenLogo]:
    """The stored findings (the `media.findings` JSON) as SeenLogo."""
    return [SeenLogo(str(f["version"]), f["status"], float(f["confidence"])) for f in findings]


def decide_stored(
    findings: Iterable[Mapping[str, Any]], mention: Any, approvals: Mapping[tuple[str, str], bool]
) -> tuple[Poster, LogoDecision]:
    """The poster and the decision for an image's stored findings, from its mention (anything with
    platform, author_handle and is_official) on today's registry: an account approved since the
    pass shows no finding it is now allowed to have."""
    poster = poster_of(
        platform=mention.platform,
        handle=mention.author_handle,
        official=mention.is_official,
        approvals=approvals,
    )
    return poster, decide(poster, seen_from_json(findings))
