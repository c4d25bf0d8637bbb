"""Which flag goes to whom, how urgently: the routing table in config/routing.toml. Pure.

Like a Prometheus Alertmanager routing tree kept flat: routes are tried in order and the first
whose every given matcher fits the flag takes it. Every category has a catch-all route (checked
when the configuration loads), so no flag is ever dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from monitor.config import Route, RoutingFile, Timing
from monitor.models import Assessment, Flag

IMMEDIATE, SAME_DAY, DIGEST = "immediate", "same_day", "digest"
URGENCY_RANK = {DIGEST: 0, SAME_DAY: 1, IMMEDIATE: 2}


@dataclass(frozen=True, slots=True)
class RouteDecision:
    category: str
    role: str
    severity: str  # the route's urgency: "immediate" | "same_day" | "digest"
    clause: str
    score: float
    level: str = "normal"  # "high" for a strong flag or a high-reach author
    route: str = ""
    timing: Timing = Timing()
    terms: tuple[str, ...] = ()  # the flag's words, lower case: its topic

    @property
    def emails(self) -> bool:
        return self.severity != DIGEST


def level_of(flag: Flag, *, author_reach: int | None, routing: RoutingFile, high_reach: int) -> str:
    return "high" if flag.score >= routing.high_score or (author_reach or 0) >= high_reach else "normal"


def first_route(
    routing: RoutingFile,
    category: str,
    *,
    channel_kind: str | None,
    platform: str | None,
    level: str,
    evidence: str = "text",
) -> Route:
    """The first route whose every matcher fits; `evidence` is "image" for a logo seen in a picture."""
    for route in routing.route:
        if (
            category in route.categories
            and (route.channel_kinds is None or channel_kind in route.channel_kinds)
            and (route.platforms is None or platform in route.platforms)
            and (route.levels is None or level in route.levels)
            and (route.evidence is None or evidence in route.evidence)
        ):
            return route
    raise LookupError(f"no route for {category}")  # config validation makes this unreachable


def route(
    assessment: Assessment,
    routing: RoutingFile,
    *,
    channel_kind: str | None = None,
    platform: str | None = None,
    author_reach: int | None = None,
    high_reach: int = 10_000,
    alert_at: Mapping[str, float] | None = None,
) -> list[RouteDecision]:
    """One decision per flag, in the order of the flags.

    `alert_at` (category -> score) holds the categories whose flags are emailed only from a
    stricter score than the one that flags them: below it a flag is for review in the digest.
    """
    decisions = []
    for flag in assessment.flags:
        level = level_of(flag, author_reach=author_reach, routing=routing, high_reach=high_reach)
        chosen = first_route(
            routing,
            flag.category,
            channel_kind=channel_kind,
            platform=platform,
            level=level,
            evidence=evidence_of(flag),
        )
        review_only = alert_at is not None and flag.score < alert_at.get(flag.category, 0.0)
        decisions.append(
            RouteDecision(
                flag.category,
                chosen.role,
                DIGEST if review_only else chosen.urgency,
                flag.clause,
                flag.score,
                level,
                chosen.name,
                chosen.timing(routing.timing),
                tuple(sorted({e.text.lower() for e in flag.evidence if e.kind == "term"})),
            )
        )
    return decisions


def evidence_of(flag: Flag) -> str:
    """ "image" for a flag raised on a post's picture (it carries image evidence), else "text"."""
    return "image" if any(e.kind == "image" for e in flag.evidence) else "text"


def describe(routing: RoutingFile, category: str) -> tuple[str, str]:
    """(role, urgency) of the category's catch-all route, for summaries."""
    chosen = first_route(routing, category, channel_kind=None, platform=None, level="normal")
    return chosen.role, chosen.urgency


def folds_into(routing: RoutingFile, category: str) -> list[str]:
    """The categories whose open incident on a thread takes in this category's flags there."""
    return [rule.when for rule in routing.inhibit if category in rule.fold]


def thread_key(platform: str, thread_id: str | None, platform_id: str) -> str:
    """Mentions on one thread share an incident; a post with no thread is its own thread."""
    return f"{platform}:{thread_id or platform_id}"
