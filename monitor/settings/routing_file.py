"""The models of config/routing.toml: timing, routes, inhibit rules, the safeguarding lane, the
reader's advice, the escalation chain, quiet hours and the limit on silences."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from monitor.settings.fields import Platform, Score, Strict
from monitor.vocabulary import CATEGORIES, ROLES, URGENCIES

Minutes = Annotated[int, Field(ge=0, le=7 * 24 * 60)]


class Timing(Strict):
    """Like Alertmanager's: wait before the first email, between updates, before a repeat."""

    group_wait: Minutes = 0
    group_interval: Minutes = 30
    repeat_interval: Minutes = 240
    # Posts outside any thread join an open incident of their category whose posts share one of
    # their flagged words, if posted within this many minutes of its first: one topic, one thread.
    topic_window: Minutes = 120


class Route(Strict):
    """Flags matching every given field go to `role` with this urgency. First match wins."""

    name: str = Field(min_length=1)
    categories: list[Literal[CATEGORIES]] = Field(min_length=1)  # type: ignore[valid-type]
    channel_kinds: list[Literal["official", "asv_committee", "asv_personal", "public"]] | None = None
    platforms: list[Platform] | None = None
    levels: list[Literal["high", "normal"]] | None = None
    # What the flag was raised on: a post's words ("text") or the logo seen in its image
    # ("image", monitor/media/). Unset: either.
    evidence: list[Literal["text", "image"]] | None = None
    role: Literal[ROLES]  # type: ignore[valid-type]
    urgency: Literal[URGENCIES]  # type: ignore[valid-type]
    group_wait: Minutes | None = None
    group_interval: Minutes | None = None
    repeat_interval: Minutes | None = None

    def timing(self, defaults: Timing) -> Timing:
        return Timing(
            group_wait=defaults.group_wait if self.group_wait is None else self.group_wait,
            group_interval=defaults.group_interval if self.group_interval is None else self.group_interval,
            repeat_interval=defaults.repeat_interval
            if self.repeat_interval is None
            else self.repeat_interval,
            topic_window=defaults.topic_window,
        )


class Inhibit(Strict):
    """While an incident of category `when` is open on a thread, flags of `fold` there join it."""

    when: Literal[CATEGORIES]  # type: ignore[valid-type]
    fold: list[Literal[CATEGORIES]] = Field(min_length=1)  # type: ignore[valid-type]


# One severity scale (alerts/severity.py): what the subject, colour band and headers show.
SEVERITIES = ("critical", "high", "medium", "low")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ClockTime = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]


class Lane(Strict):
    """The safeguarding lane: always sent at once, to the role and its deputy; nothing mutes it."""

    categories: list[Literal[CATEGORIES]] = Field(  # type: ignore[valid-type]
        default_factory=lambda: ["safeguarding", "disclosure"], min_length=1
    )


class Escalation(Strict):
    """Who is told next when nobody acknowledges: each role in `chain` after the incident's own,
    once the incident has gone `ack_timeout[severity]` minutes unacknowledged since the last step."""

    chain: list[Literal[ROLES]] = Field(min_length=2)  # type: ignore[valid-type]
    ack_timeout: dict[Literal[SEVERITIES], Annotated[int, Field(ge=5, le=7 * 24 * 60)]] = Field(  # type: ignore[valid-type]
        min_length=1
    )

    @field_validator("chain")
    @classmethod
    def _each_once(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("a role appears twice in the chain; list each once, lowest first")
        return value


class QuietHours(Strict):
    """Outside working hours, emails of the `hold` severities wait for the next working morning."""

    working_days: list[Literal[WEEKDAYS]] = Field(  # type: ignore[valid-type]
        default_factory=lambda: ["mon", "tue", "wed", "thu", "fri"], min_length=1
    )
    start: ClockTime = "09:00"
    end: ClockTime = "17:30"
    bank_holidays: list[date] = Field(default_factory=list)
    hold: list[Literal[SEVERITIES]] = Field(default_factory=lambda: ["medium"])  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _sane(self) -> QuietHours:
        if self.end <= self.start:
            raise ValueError(f"end ({self.end}) must be after start ({self.start})")
        if "critical" in self.hold:
            raise ValueError(
                "critical alerts (a person at risk, the safeguarding lane) are never held; remove "
                '"critical" from hold'
            )
        return self


class SilencePolicy(Strict):
    # A silence longer than this is refused: a forgotten one would mute alerts for months.
    max_hours: float = Field(default=168, gt=0, le=24 * 90)


class RoutingFile(Strict):
    timing: Timing = Timing()
    # A flag scores "high" at or above this, or when its author has at least high_reach_followers.
    high_score: Score = 0.8
    route: list[Route] = Field(min_length=1)
    inhibit: list[Inhibit] = Field(default_factory=list)
    lane: Lane = Lane()
    # What the reader should do now, by category and then by role (contacts.toml): the advice
    # for the person reading the email, not the volunteers' policy (that is quoted as the clause).
    advice: dict[Literal[CATEGORIES], dict[Literal[ROLES], Annotated[str, Field(min_length=1)]]] = Field(  # type: ignore[valid-type]
        default_factory=dict
    )
    escalation: Escalation | None = None
    quiet_hours: QuietHours | None = None
    silences: SilencePolicy = SilencePolicy()

    @model_validator(mode="after")
    def _nothing_mutes_the_lane(self) -> RoutingFile:
        lane = set(self.lane.categories)
        problems = []
        for index, route in enumerate(self.route):
            inside = lane & set(route.categories)
            if inside and (route.urgency != "immediate" or (route.group_wait or 0) > 0):
                problems.append(
                    f"route[{index}] ({route.name}): {', '.join(sorted(inside))} is in the "
                    'safeguarding lane, so its route must be urgency = "immediate" with no group_wait'
                )
        for index, rule in enumerate(self.inhibit):
            if inside := lane & set(rule.fold):
                problems.append(
                    f"inhibit[{index}]: {', '.join(sorted(inside))} is in the safeguarding lane and "
                    "cannot be folded into another incident"
                )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @model_validator(mode="after")
    def _advice_for_every_reader(self) -> RoutingFile:
        missing = sorted(
            f"[advice.{category}] {role}"
            for category, role in self.readers()
            if role not in self.advice.get(category, {})
        )
        if missing:
            raise ValueError(
                "no advice for the reader: "
                + ", ".join(missing)
                + ". Say what that role should do now when it receives that category"
            )
        return self

    def readers(self) -> set[tuple[str, str]]:
        """Every (category, role) an email can go to: the routes, then the escalation chain above."""
        pairs = set()
        climbing = {"immediate"} if self.escalation else set()
        if self.escalation and set(self.escalation.ack_timeout) & {"medium"}:
            climbing.add("same_day")
        for route in self.route:
            if route.urgency == "digest":
                continue
            for category in route.categories:
                pairs.add((category, route.role))
                if self.escalation and route.urgency in climbing and route.role in self.escalation.chain:
                    above = self.escalation.chain[self.escalation.chain.index(route.role) + 1 :]
                    pairs.update((category, role) for role in above)
        return pairs

    def advice_for(self, category: str, role: str) -> str:
        return self.advice.get(category, {}).get(role, "")

    @model_validator(mode="after")
    def _every_category_has_a_route(self) -> RoutingFile:
        catch_all = {
            c
            for r in self.route
            if not (r.channel_kinds or r.platforms or r.levels or r.evidence)
            for c in r.categories
        }
        missing = [c for c in CATEGORIES if c not in catch_all]
        if missing:
            raise ValueError(
                f"no route takes every {', '.join(missing)} flag: add a [[route]] for them with no "
                "channel_kinds, platforms, levels or evidence, so none is ever dropped"
            )
        return self
