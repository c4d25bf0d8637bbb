"""Does an unregistered account present itself as IOM3, or only talk about it? A pure judgement.

The audit once listed every unregistered account whose handle or name held "IOM3" as "possibly
unofficial" and advised asking for it to be closed. That put a whistleblower's personal account
(@concerned.volunteer.iom3, "A concerned volunteer") on the Head of Marketing's list of brand
misuse: exactly the wrong advice (issue #16). The rule here:

- An account is a look-alike only when it *presents itself as IOM3*: the brand is its identity
  ("IOM3 Scotland", @IOM3_Scotland_Official, @iom3students) or the IOM3 logo is its avatar.
- An account that names IOM3 to describe a person ("ex-IOM3 member", "volunteer at IOM3"), to
  watch or criticise it ("IOM3 Watch", @concerned.volunteer.iom3), or to deny a link ("not
  affiliated with IOM3") does not present itself as IOM3, whatever else it says.
- An account whose posts in the period raised a complaint, a disclosure, libel or a crisis, or
  that is mostly negative about IOM3, is a critic: never brand misuse, never "ask for it to be
  closed", even if its name carries the brand.
- A look-alike that claims to be official (says "official", or is the bare brand: "IOM3",
  @iom3_uk) is not ours: ask the owner or the platform to rename or close it. Any other
  look-alike may be a volunteer group that should register: find out who runs it first.

Handles and names are the evidence; nothing else about the person is looked up.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

# IOM3 and its look-alikes: iom3 and i0m3 anywhere (handles glue words: theiom3, SWales_IOM3),
# spaced or dotted forms (I.O.M.3, iom_3, IOM 3) only where a word starts, so that "radio_m3"
# is not IOM3; and the Institute's full name.
BRAND = re.compile(
    r"(?i)i[o0]m3|(?<![a-z0-9])i[\W_]?[o0][\W_]?m[\W_]?3"
    r"|institute of materials(?:,? minerals,? (?:and|&) mining)?"
)
_BRAND_TOKEN = "\x00brand\x00"  # stands in for a brand match while a name is split into words
# A word, split at case changes too: IOM3Packaging -> IOM3 | Packaging, exIOM3 -> ex | IOM3.
_WORDS = re.compile(r"\x00brand\x00|[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")

# Words that say the account is about IOM3, not IOM3: it denies a link, is a former member or a
# person describing their role, or watches and criticises. Any one of them anywhere in the
# handle or the display name settles it: naming IOM3 this way is not brand misuse.
DENIES = frozenset(
    {"not", "unofficial", "unaffiliated", "independent", "parody", "satire", "spoof", "fan", "fans"}
)
FORMER = frozenset({"ex", "former", "formerly"})
# Singular on purpose: "IOM3 member" is a person; "IOM3 Young Members" is a committee.
PERSON = frozenset(
    {"member", "fellow", "volunteer", "mentor", "trustee", "ambassador", "supporter", "alumnus", "alumna"}
)
CRITIC = frozenset(
    {
        "watch",
        "watchdog",
        "watchers",
        "concerned",
        "critic",
        "critics",
        "truth",
        "expose",
        "exposed",
        "leak",
        "leaks",
        "insider",
        "insiders",
        "whistleblower",
        "whistleblowers",
        "whistleblowing",
        "accountability",
        "reform",
        "victims",
        "survivors",
        "against",
        "boycott",
        "scandal",
        "sucks",
        "shame",
        "protest",
    }
)
_DESCRIBES = DENIES | FORMER | PERSON | CRITIC
# A word right before the brand (a "the" between is skipped) that makes it the object, not the
# name: "volunteering with IOM3", "thoughts on IOM3", "friends of the IOM3". Not "from" or "by":
# "News from IOM3" speaks as IOM3.
BEFORE_BRAND = frozenset({"at", "with", "for", "about", "of", "via", "on", "re"})
# What is left of a name that claims to be IOM3 itself once the brand is taken out.
BARE = frozenset(
    {"the", "uk", "hq", "org", "global", "news", "team", "real", "main", "page", "account", "info", "online"}
)
OFFICIAL = frozenset({"official", "officialpage", "officialaccount"})
# Glued lower-case handles (concernedvolunteeriom3) hide words; inside a handle's words look for
# the critical markers of five letters or more only: short ones ("ex", "not") would match inside
# other words, and "member" inside "youngmembers" would wrongly make a committee a person.
_GLUED_MIN = 5

# Categories that make an account a critic when its posts in the period raised them.
CRITICAL_CATEGORIES = frozenset({"complaint", "disclosure", "defamation", "crisis"})


@dataclass(frozen=True, slots=True)
class Presentation:
    """Whether an account presents itself as IOM3, and the words that show it either way."""

    presents: bool
    claims_official: bool = False
    evidence: tuple[str, ...] = ()  # what presents as IOM3: 'handle "@IOM3_Scotland_Official"', ...
    reason: str = ""  # why not, when it does not: 'names IOM3 critically ("watch")'


class Verdict(StrEnum):
    """What the audit does with an unregistered account that carries IOM3's name or logo."""

    NOT_LISTED = "not listed"  # names IOM3 without presenting as it
    CRITIC = "critic"  # criticises IOM3 or raised a complaint or disclosure: never brand misuse
    FIND_OUT = "find out who runs it"
    RENAME_OR_CLOSE = "ask to rename or close"


@dataclass(frozen=True, slots=True)
class Judgement:
    verdict: Verdict
    presentation: Presentation
    reason: str  # one line: why this verdict

    @property
    def listed(self) -> bool:
        """Shown to the Head of Marketing as a look-alike (brand misuse to look into)."""
        return self.verdict in (Verdict.FIND_OUT, Verdict.RENAME_OR_CLOSE)


def _words(text: str) -> list[str]:
    marked = BRAND.sub(f" {_BRAND_TOKEN} ", text)
    return [w.lower() if w != _BRAND_TOKEN else w for w in _WORDS.findall(marked)]


def _markers(words: list[str], *, glued: bool) -> list[str]:
    """The words that make a name describe or criticise IOM3 rather than be it."""
    found = []
    for index, word in enumerate(words):
        if word in _DESCRIBES:
            found.append(word)
        elif glued and word != _BRAND_TOKEN:
            found.extend(m for m in sorted(CRITIC) if len(m) >= _GLUED_MIN and m in word)
        if word == _BRAND_TOKEN:
            before = [w for w in words[:index] if w != "the"]
            if before and before[-1] in BEFORE_BRAND:
                found.append(before[-1])
    return found


def _claims_official(words: list[str]) -> bool:
    rest = [w for w in words if w != _BRAND_TOKEN]
    return any(w in OFFICIAL for w in rest) or (_BRAND_TOKEN in words and all(w in BARE for w in rest))


def presents_as_iom3(
    handle: str, display_name: str = "", *, avatar_has_logo: bool | None = None
) -> Presentation:
    """Whether the account presents itself as IOM3, from its handle and display name.

    `avatar_has_logo` is what the logo detector said of its profile picture: True, False, or
    None while unknown (profile pictures are not read yet). Pure: no I/O.
    """
    handle = handle.lstrip("@")
    sources = [
        (f'handle "@{handle}"', _words(handle), True),
        (f'name "{display_name}"', _words(display_name), False),
    ]
    markers = [m for _, words, glued in sources for m in _markers(words, glued=glued)]
    if markers:
        shown = ", ".join(f'"{m}"' for m in dict.fromkeys(markers))
        return Presentation(False, reason=f"names IOM3 to describe, watch or criticise it ({shown})")
    evidence = [label for label, words, _ in sources if _BRAND_TOKEN in words]
    if avatar_has_logo:
        evidence.append("the IOM3 logo in its avatar")
    if not evidence:
        return Presentation(False, reason="carries neither IOM3's name nor its logo")
    official = any(_claims_official(words) for _, words, _ in sources)
    return Presentation(True, claims_official=official, evidence=tuple(evidence))


def is_critic(raised: Iterable[str], sentiments: Iterable[float], *, negative_at: float) -> bool:
    """Its posts in the period raised a complaint, disclosure, libel or crisis flag, or at least
    half of them read negative (VADER compound at or below `negative_at`)."""
    if CRITICAL_CATEGORIES & set(raised):
        return True
    scores = list(sentiments)
    return bool(scores) and sum(s <= negative_at for s in scores) * 2 >= len(scores)


def judge(
    handle: str,
    display_name: str = "",
    *,
    avatar_has_logo: bool | None = None,
    critic: bool = False,
) -> Judgement:
    """The audit's verdict on an unregistered account. A critic is never listed as brand misuse."""
    presentation = presents_as_iom3(handle, display_name, avatar_has_logo=avatar_has_logo)
    if not presentation.presents:
        return Judgement(Verdict.NOT_LISTED, presentation, presentation.reason)
    if critic:
        return Judgement(
            Verdict.CRITIC,
            presentation,
            "its posts criticise IOM3 or raised a complaint, disclosure, libel or crisis: not brand misuse",
        )
    if presentation.claims_official:
        return Judgement(Verdict.RENAME_OR_CLOSE, presentation, "claims to be IOM3 or an official channel")
    return Judgement(Verdict.FIND_OUT, presentation, "presents as an IOM3 group; may be volunteers")
