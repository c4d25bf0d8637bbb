"""The models of config/lexicons.toml: each category's policy clause, advice, thresholds and the
cue groups the rules score with."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from monitor.settings.fields import Score, Strict


class CueGroup(Strict):
    weight: Score
    terms: list[Annotated[str, Field(min_length=2)]] = Field(min_length=1)
    negatable: bool = False
    reportable: bool = False
    exact_case: bool = False
    modifier: bool = False  # only adjusts a score another group of the category has started
    # "author": matched against the author's handle (split into words) and display name, not the
    # post; always a modifier, as who posted is never a reason on its own (press: a newsroom).
    read: Literal["post", "author"] = "post"

    @model_validator(mode="after")
    def _author_cues_only_modify(self) -> CueGroup:
        if self.read == "author" and not self.modifier:
            raise ValueError(
                'read = "author" needs modifier = true: who posted only adjusts a score '
                "that the post's own words start"
            )
        return self


class Category(Strict):
    clause: str = Field(min_length=1)
    # What the policy asks the reader of an alert to do; quoted in the email.
    advice: str = Field(min_length=1)
    threshold: Score = 0.5
    stricter_threshold: Score | None = None  # in a regulated (election) period
    # A flag at or above `threshold` is shown for review (digest, explain, mentions); it is emailed
    # only at or above this stricter point (None: the threshold itself).
    alert_threshold: Score | None = None

    def alert_at(self) -> float:
        return self.threshold if self.alert_threshold is None else max(self.alert_threshold, self.threshold)

    cues: dict[str, CueGroup] = Field(min_length=1)


class LexiconsFile(Strict):
    complaint: Category
    crisis: Category
    defamation: Category
    press: Category
    harassment: Category
    discrimination: Category
    safeguarding: Category
    disclosure: Category
    confidentiality: Category
    political: Category
    brand_name: Category
    disclaimer: Category
    logo: Category
    copyright: Category

    def category(self, name: str) -> Category:
        return getattr(self, name)
