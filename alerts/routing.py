"""Which flag goes to whom, how urgently. Pure: decisions only, no I/O.

The defaults follow the clause table in DESIGN.md. The escalation work replaces this table with
a routing tree in config; the contract stays: an assessment in, zero or more decisions out.
"""

from __future__ import annotations

from dataclasses import dataclass

from monitor.models import Assessment

IMMEDIATE, SAME_DAY, DIGEST = "immediate", "same_day", "digest"

# category -> (contact role, severity)
DEFAULT_ROUTES: dict[str, tuple[str, str]] = {
    "complaint": ("communications_executive", SAME_DAY),
    "crisis": ("communications_executive", IMMEDIATE),
    "defamation": ("communications_executive", IMMEDIATE),
    "press": ("communications_executive", IMMEDIATE),
    "harassment": ("communications_executive", SAME_DAY),
    "safeguarding": ("director_of_business_support", IMMEDIATE),
    "disclosure": ("director_of_business_support", IMMEDIATE),
    "confidentiality": ("communications_executive", SAME_DAY),
    "political": ("marketing_and_communications", SAME_DAY),
    # Brand matters wait for the Head of Marketing's digest and audit: no email of their own.
    "brand_name": ("head_of_marketing", DIGEST),
    "logo": ("head_of_marketing", DIGEST),
    "disclaimer": ("head_of_marketing", DIGEST),
    "copyright": ("head_of_marketing", DIGEST),
}


@dataclass(frozen=True, slots=True)
class RouteDecision:
    category: str
    role: str
    severity: str  # "immediate" | "same_day" | "digest"
    clause: str
    score: float

    @property
    def emails(self) -> bool:
        return self.severity != DIGEST


def route(assessment: Assessment) -> list[RouteDecision]:
    """One decision per flag, in the order of the flags."""
    decisions = []
    for flag in assessment.flags:
        role, severity = DEFAULT_ROUTES[flag.category]
        decisions.append(RouteDecision(flag.category, role, severity, flag.clause, flag.score))
    return decisions


def thread_key(platform: str, thread_id: str | None, platform_id: str) -> str:
    """Mentions on one thread share an incident; a post with no thread is its own thread."""
    return f"{platform}:{thread_id or platform_id}"
