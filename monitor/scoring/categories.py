"""One function per policy category: its cue hits and the context in, a score in [0, 1] out.

The words are data (config/lexicons.toml); these functions hold only what words cannot say:
which cues must come together, how the author and the channel change the reading. Complaint,
harassment and discrimination also get `learned`, the shipped detectors' score (monitor/scoring/model.py); the
other categories ignore it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from monitor.models import ChannelKind
from monitor.scoring.lexicon import Hit


@dataclass(frozen=True, slots=True)
class Context:
    """What is known about a post besides its words. Every field may be unknown (None)."""

    platform: str | None = None
    channel_kind: str | None = None
    author_reach: int | None = None
    in_iom3_thread: bool = False  # a reply under a post on an IOM3 channel
    logo_approved: bool | None = None  # the author's account, per config/accounts.toml
    created_at: datetime | None = None
    high_reach_followers: int = 10_000
    # The author's handle and display name, for the cues read there (lexicons.toml `read`).
    author: str = ""

    @property
    def official(self) -> bool:
        return self.channel_kind == ChannelKind.OFFICIAL

    @property
    def high_reach(self) -> bool:
        return self.author_reach is not None and self.author_reach >= self.high_reach_followers


@dataclass(frozen=True, slots=True)
class Cues:
    """The hits of one category, grouped, with the groups' weights from config."""

    hits: dict[str, list[Hit]]
    weights: dict[str, float]

    def strength(self, group: str) -> float:
        """Noisy-or over the distinct terms matched in `group` (each reported one discounted)."""
        if not self.hits:
            return 0.0  # most posts: a learned category scored with no cue at all
        best: dict[str, float] = {}
        for hit in self.hits.get(group, ()):
            key = hit.term.lower()
            best[key] = max(best.get(key, 0.0), hit.factor)
        weight = self.weights.get(group, 0.0)
        miss = 1.0
        for factor in best.values():
            miss *= 1.0 - weight * factor
        return 1.0 - miss

    def has(self, group: str) -> bool:
        return bool(self.hits.get(group))


def noisy_or(*values: float) -> float:
    """The chance that at least one of independent signals fires (each clipped to 0..1)."""
    miss = 1.0
    for value in values:
        if value > 0.0:  # most values are 0: a cue group the post does not have
            miss *= 0.0 if value >= 1.0 else 1.0 - value
    return 1.0 - miss


def clamp(value: float) -> float:
    return 0.0 if value <= 0.0 else 1.0 if value >= 1.0 else round(value, 4)


_NAME = re.compile(r"(?:\b(?:Dr|Prof|Mr|Mrs|Ms|Sir|Dame)\.? [A-Z][a-z]+|\b[A-Z][a-z]+ [A-Z][a-z]{2,})")
_YOU = re.compile(r"(?i)\b(you|your|you're|u|ur)\b|@\w+")


def complaint(c: Cues, ctx: Context, sentiment: float, text: str, learned: float = 0.0) -> float:
    """The learned detector's score, nudged by the lexicon's cues and the thread.

    `learned` already combines the model's heads with VADER (fitted on validation data, 0.5 at
    the operating point chosen there, 0.75 at the alert point). A cue alone cannot raise a flag
    (0.3 x its strength); with a detector already near its point it can. A very negative reply
    under an IOM3 post is treated as a complaint to IOM3: that is where the policy expects
    complaints to arrive.
    """
    if ctx.official:
        return 0.0  # IOM3's own posts are replies to complaints, not complaints
    score = noisy_or(learned, 0.3 * c.strength("problem"))
    if ctx.in_iom3_thread:
        score += 0.05
        if sentiment <= -0.6:
            score = max(score, 0.5 + 0.5 * (-sentiment - 0.6))
    return clamp(score)


def crisis(c: Cues, ctx: Context, sentiment: float, text: str, learned: float = 0.0) -> float:
    if ctx.official:
        return 0.0
    base = c.strength("crisis_words")
    if base == 0.0:
        return 0.0
    reach = 0.0
    if ctx.author_reach:
        # From nothing at 1,000 followers to +0.25 at 100,000 and more.
        reach = 0.25 * max(0.0, min(1.0, (math.log10(ctx.author_reach) - 3) / 2))
    return clamp(base + 0.25 * max(0.0, -sentiment) + reach)


def defamation(c: Cues, ctx: Context, sentiment: float, text: str, learned: float = 0.0) -> float:
    accusation = c.strength("accusation")
    if accusation == 0.0:
        return 0.0
    # An accusation is libel only if it is aimed at someone: a role, an organisation, a name.
    aimed = c.has("target") or bool(_NAME.search(text))
    return clamp(accusation * (1.0 if aimed else 0.55))


def press(c: Cues, ctx: Context, sentiment: float, text: str, learned: float = 0.0) -> float:
    """A press approach: a request for comment, or an invitation to talk from a newsroom.

    "Anyone at IOM3 want to talk?" is chatter from a member and an approach from a journalist,
    so an invitation counts only when the author's handle or name is a newsroom's.
    """
    enquiry, outlet = c.strength("enquiry"), c.strength("outlet")
    newsroom = c.strength("newsroom")
    if newsroom and not ctx.official:
        enquiry = noisy_or(enquiry, c.strength("invitation"), newsroom if enquiry else 0.0)
    if enquiry == 0.0:
        return clamp(outlet * 0.5)
    addressed = 0.1 if _YOU.search(text) else 0.0
    asks = 0.05 if "?" in text else 0.0
    return clamp((noisy_or(enquiry, outlet) + addressed + asks) * (1.0 - c.strength("referred")))


def harassment(c: Cues, ctx: Context, sentiment: float, text: str, learned: float = 0.0) -> float:
    """The learned detector of offensive, abusive or bullying language, with the policy's rules.

    Insults and profanity from the lexicon only nudge (0.3 x their strength): the detector reads
    them already, and a lone swear word is no harassment. A threat is a rule of its own: rare in
    any training data, and the policy names it.
    """
    abuse = noisy_or(c.strength("insult"), c.strength("profanity"))
    return clamp(noisy_or(learned, 0.3 * abuse, c.strength("threat")))


def discrimination(c: Cues, ctx: Context, sentiment: float, text: str, learned: float = 0.0) -> float:
    """The learned detector of hateful posts (against immigrants, women: what HatEval labels),
    with the policy's rules for attacks on any protected characteristic (slurs, "go back to your
    country"), which a protected group named beside the attack makes stronger."""
    attack = c.strength("identity_attack")
    protected = c.strength("protected") if attack else 0.0
    return clamp(noisy_or(learned, attack, protected))


_AGE = re.compile(
    r"(?i)\b(?:i'?m|i am|she'?s|he'?s|aged|only|son|daughter|child)\s*\(?(?:1[0-7]|[5-9])\)?"
    r"(?!\s*(?:%|am|pm|mins?|hours?|minutes?|days?|weeks?|months?|°|th|st|nd|rd))\b"
    r"|\b(?:1[0-7]|[5-9])[- ]?(?:yo|y/o|year[- ]old)\b"
)


def safeguarding(c: Cues, ctx: Context, sentiment: float, text: str, learned: float = 0.0) -> float:
    # "I'm 15", "my son (15)", "a 13 year old": an age under 18 counts as strongly as the words.
    minor = max(c.strength("minor"), 0.5 if _AGE.search(text) else 0.0)
    young = 1.0 if minor else 0.6
    return clamp(
        noisy_or(
            c.strength("self_harm"),
            c.strength("grooming") * young,
            c.strength("at_risk") * (1.0 if minor else 0.7),
            minor * 0.6,
        )
    )


def disclosure(c: Cues, ctx: Context, sentiment: float, text: str, learned: float = 0.0) -> float:
    wrongdoing, insider = c.strength("wrongdoing"), c.strength("insider")
    if wrongdoing and insider:
        return clamp(noisy_or(wrongdoing, insider))
    return clamp(max(wrongdoing, insider) * 0.6)


def confidentiality(c: Cues, ctx: Context, sentiment: float, text: str, learned: float = 0.0) -> float:
    secret = noisy_or(c.strength("secret"), c.strength("internal_source"), c.strength("sensitive"))
    return clamp(secret * (1.0 - c.strength("not_secret")))


def political(c: Cues, ctx: Context, sentiment: float, text: str, learned: float = 0.0) -> float:
    return clamp(noisy_or(c.strength("party"), c.strength("voting_advice"), c.strength("election")))


def brand_name(c: Cues, ctx: Context, sentiment: float, text: str, learned: float = 0.0) -> float:
    return clamp(c.strength("misspelling"))


def disclaimer(c: Cues, ctx: Context, sentiment: float, text: str, learned: float = 0.0) -> float:
    # The policy asks it of ASV personal accounts that promote IOM3, and of no one else.
    if ctx.channel_kind != ChannelKind.ASV_PERSONAL or not c.has("promotion"):
        return 0.0
    return clamp(0.9 * (1.0 - c.strength("disclaimer")))


def logo(c: Cues, ctx: Context, sentiment: float, text: str, learned: float = 0.0) -> float:
    if ctx.official or ctx.logo_approved or not c.has("logo"):
        return 0.0
    # A logo is a finding only when it is IOM3's: "design a logo for your company" is not.
    if not re.search(r"(?i)iom3|institute of materials", text):
        return clamp(c.strength("logo") * 0.6)
    return clamp(c.strength("logo") + 0.2)


def copyright_(c: Cues, ctx: Context, sentiment: float, text: str, learned: float = 0.0) -> float:
    return clamp(c.strength("reuse") * (1.0 - c.strength("credit")))


SCORERS: dict[str, Callable[[Cues, Context, float, str, float], float]] = {
    "complaint": complaint,
    "crisis": crisis,
    "defamation": defamation,
    "press": press,
    "harassment": harassment,
    "discrimination": discrimination,
    "safeguarding": safeguarding,
    "disclosure": disclosure,
    "confidentiality": confidentiality,
    "political": political,
    "brand_name": brand_name,
    "disclaimer": disclaimer,
    "logo": logo,
    "copyright": copyright_,
}
