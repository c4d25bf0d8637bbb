"""One severity scale for every alert: urgency, HIGH and the safeguarding lane folded into one level.

Shown the same way everywhere: the subject's first word, the colour band at the top of the HTML,
the first line of the plain text, and for the top level `Importance: high` / `X-Priority: 1`.
Pure: the route's urgency, the flag's level and the category in, a `Severity` out.
"""

from __future__ import annotations

from dataclasses import dataclass

from monitor.config import SEVERITIES


@dataclass(frozen=True, slots=True)
class Severity:
    name: str  # critical | high | medium | low
    label: str  # what the reader sees
    colour: str  # the HTML band; white text on it passes WCAG AA contrast
    rank: int  # 3 is the top

    @property
    def headers(self) -> dict[str, str]:
        """Mail clients show these as a red flag or "high importance"; only the top level has them."""
        if self.name == "critical":
            return {"Importance": "high", "X-Priority": "1 (Highest)", "Priority": "urgent"}
        return {}


SCALE = {
    "critical": Severity("critical", "CRITICAL", "#b00020", 3),
    "high": Severity("high", "HIGH", "#c2410c", 2),
    "medium": Severity("medium", "MEDIUM", "#1d4ed8", 1),
    "low": Severity("low", "LOW", "#4b5563", 0),
}
assert tuple(SCALE) == SEVERITIES


def severity_of(urgency: str, level: str, category: str, *, lane: tuple[str, ...] | list[str]) -> Severity:
    """The level of an incident.

    - a person at risk, or a public interest disclosure (the lane): always critical;
    - act now (immediate) and HIGH (a strong flag or a high-reach author): critical;
    - act now otherwise: high;
    - today (same_day): medium, whatever its score: a strong complaint is still a complaint;
    - digest only: low.
    """
    if category in lane:
        return SCALE["critical"]
    if urgency == "immediate":
        return SCALE["critical" if level == "high" else "high"]
    if urgency == "same_day":
        return SCALE["medium"]
    return SCALE["low"]


def rank(name: str | None) -> int:
    """The rank of a stored level name; anything else (an older row's "high"/"normal") is -1."""
    return SCALE[name].rank if name in SCALE else -1
