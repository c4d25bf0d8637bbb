"""First router: which flag goes to whom, how urgently. Pure: decisions only, no I/O.

The escalation issue replaces this with a routing tree in config; the contract stays:
assessment and context in, zero or more `RouteDecision`s out.
"""

from __future__ import annotations

from dataclasses import dataclass

from monitor.models import Assessment, ChannelKind


@dataclass(frozen=True, slots=True)
class RouteDecision:
    category: str
    role: str
    severity: str  # "immediate" | "same_day" | "digest"
    clause: str
    score: float


def route(assessment: Assessment, *, channel_kind: ChannelKind | str) -> list[RouteDecision]:
    """A complaint by anyone but IOM3 itself goes to the Communications Executive, same day."""
    if channel_kind == ChannelKind.OFFICIAL:
        return []
    complaint = assessment.flag("complaint")
    if complaint is None:
        return []
    return [
        RouteDecision(
            category="complaint",
            role="communications_executive",
            severity="same_day",
            clause=complaint.clause,
            score=complaint.score,
        )
    ]


def thread_key(platform: str, thread_id: str | None, platform_id: str) -> str:
    """Mentions on one thread share an incident; a post with no thread is its own thread."""
    return f"{platform}:{thread_id or platform_id}"
