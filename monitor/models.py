"""Records that move through the monitor: what a connector yields and what scoring returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from monitor.platforms import PLATFORMS
from monitor.vocabulary import ChannelKind

__all__ = ["PLATFORMS", "ChannelKind", "Mention", "Evidence", "Flag", "Assessment"]


@dataclass(frozen=True, slots=True)
class Mention:
    """One post or comment that mentions IOM3, normalised across platforms.

    `created_at` is always timezone-aware. `raw` is the platform's own payload, kept for audit.
    """

    platform: str
    platform_id: str
    author_handle: str
    text: str
    created_at: datetime
    author_name: str = ""
    author_reach: int | None = None
    url: str = ""
    thread_id: str | None = None
    in_reply_to_id: str | None = None
    is_official: bool = False
    lang: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.platform not in PLATFORMS:
            raise ValueError(
                f"unknown platform {self.platform!r} for mention {self.platform_id!r}; "
                f"use one of {', '.join(PLATFORMS)}"
            )
        if not self.platform_id:
            raise ValueError("a mention needs a non-empty platform_id")
        if self.created_at.tzinfo is None:
            raise ValueError(
                f"created_at of {self.platform}:{self.platform_id} has no timezone; "
                "connectors must give aware datetimes (UTC if the platform does not say)"
            )


class Evidence(NamedTuple):
    """Why a category scored what it did: a matched span of the text, or a named figure.

    A NamedTuple rather than a dataclass: the scorer makes several for every flag, and tuples
    cost a fraction of a frozen dataclass to build.
    """

    kind: str  # "term" or "reported" for a matched span; "figure" or "context" for the rest
    text: str
    start: int | None = None
    end: int | None = None
    value: float | None = None


class Flag(NamedTuple):
    category: str
    score: float
    clause: str
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class Assessment:
    """What scoring says of one text. Same input, same output."""

    scorer_version: str
    sentiment: float
    scores: dict[str, float]
    flags: tuple[Flag, ...] = ()

    def flag(self, category: str) -> Flag | None:
        return next((f for f in self.flags if f.category == category), None)


def flags_to_json(flags: tuple[Flag, ...]) -> list[dict[str, Any]]:
    """Flags as plain JSON for the store (and for `--json` output); empty evidence fields omitted."""
    return [
        {
            "category": f.category,
            "score": f.score,
            "clause": f.clause,
            "evidence": [{k: v for k, v in e._asdict().items() if v is not None} for e in f.evidence],
        }
        for f in flags
    ]


def flags_from_json(data: list[dict[str, Any]]) -> tuple[Flag, ...]:
    return tuple(
        Flag(
            category=f["category"],
            score=f["score"],
            clause=f["clause"],
            evidence=tuple(Evidence(**e) for e in f.get("evidence", ())),
        )
        for f in data
    )
