"""The monthly report card's judgement: what went well, then what to look at. Pure: facts in.

Written for a committee's volunteer admins, in a coaching tone: what went well comes first and
is never left empty; each thing to look at quotes the policy's own words and gives one concrete
step. There is no score, grade or ranking against other committees: the card is a note from a
colleague, not a scorecard (issue #16).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from monitor.reports.account_posts import FlaggedPost


@dataclass(frozen=True, slots=True)
class Coaching:
    title: str  # what the point is about, in a few words
    clause: str  # the policy's section
    quote: str  # the policy's words, verbatim
    step: str  # one concrete thing to do


# The policy's own words (shared/policy/asv-social-media-policy.md), quoted as written.
PRESENTATION = (
    "Take care with the presentation of content. Strive ensure there are no typos, misspellings or "
    "grammatical errors and that IOM3 is referred to correctly (eg not IoM3 or I.M3)."
)
COACHING = {
    "brand_name": Coaching(
        "Writing IOM3's name",
        "Representing IOM3: presentation",
        PRESENTATION,
        "Write IOM3 in capitals with no space or dot; where the platform lets you, edit the post.",
    ),
    "profile_name": Coaching(
        "The account's display name",
        "Representing IOM3: presentation",
        PRESENTATION,
        "Change the account's display name so that it writes IOM3.",
    ),
    "logo": Coaching(
        "The IOM3 logo",
        "Logos and trademarks",
        "Never use IOM3 logos or trademarks unless approved to do so. Permission to use logos should be "
        "requested from the Marketing and Communications Team.",
        "Reply to this email to ask for approval to use the logo; until it is given, take the logo down.",
    ),
    "political": Coaching(
        "Political neutrality",
        "Political neutrality; Lobbying Act",
        "IOM3 is not a political organisation and does not hold a view on party politics or have any "
        "affiliation with or links to political parties. We have every right to express views on policy, "
        "including the policies of parties, but we can't tell people how to vote.",
        "Delete the post that tells people how to vote; talking about a policy is fine, backing a party "
        "is not.",
    ),
    "confidentiality": Coaching(
        "Confidential information",
        "Confidentiality",
        "ASVs should refrain from sharing IOM3's private and confidential documents or information online. "
        "This includes but is not limited to financial information, internal communications, member data, "
        "and strategic plans.",
        "Take the post down today and tell the Communications Executive, who can help with anyone affected.",
    ),
    "copyright": Coaching(
        "Images and credit",
        "Copyright law",
        "Never use or adapt someone else's images or written content without permission. Failing to "
        "acknowledge the source/author/resource citation, where permission has been given to reproduce "
        "content, is also considered a breach of copyright.",
        "Use your own photos, or ones you have written permission for, and credit the source in the post.",
    ),
    "harassment": Coaching(
        "Respectful posts",
        "Discrimination and harassment",
        "ASVs should not post content that could be considered discriminatory against, or bullying or "
        "harassment of, any individual, on either an official IOM3 social media channel or a personal "
        "account.",
        "Take the post down and talk to the Communications Executive about how to answer.",
    ),
    "defamation": Coaching(
        "Claims about people and organisations",
        "Libel",
        "Whether ASVs are posting content on social media as part of their role or in a personal capacity, "
        "they should not bring IOM3 into disrepute by making defamatory comments about individuals or "
        "other organisations or groups.",
        "Take the post down and speak to the Communications Executive before saying more.",
    ),
    "access": Coaching(
        "Access for the Marketing and Communications team",
        "Setting up social media accounts (access for business continuity)",
        "members of the Marketing and Communications team must have access. This ensures that the accounts "
        "can be professionally managed and maintained in case the original administrators are unavailable.",
        "Add the Marketing and Communications team as an admin of the account: reply to this email and we "
        "will send the address to invite.",
    ),
    "dormant": Coaching(
        "A quiet account",
        "Setting up social media accounts (dormant accounts)",
        "If an ASV has an existing dormant account, please contact the Marketing and Communications Team "
        "to begin the process to closing it down and signposting followers to the appropriate IOM3 account.",
        "If the account is still wanted, a post a month keeps it alive; if not, reply and we will help you "
        "close it and point followers to IOM3's main account.",
    ),
}
# The flag categories a committee's own posts are coached on, in the order the card shows them
# (the most pressing first).
CONTENT_ORDER = (
    "confidentiality",
    "defamation",
    "harassment",
    "political",
    "logo",
    "copyright",
    "brand_name",
)
REPLY_QUOTE = "Always pause and think before posting. That said, reply to comments in a timely manner"


@dataclass(frozen=True, slots=True)
class Activity:
    """What the monitor saw of the account in the month (and its last post before the month ended)."""

    posts: int = 0
    days_posted: int = 0
    weeks_posted: int = 0
    weeks_in_month: int = 4  # weeks with at least four days in the month (coaching.month_weeks)
    replies_given: int = 0  # its posts that answer someone
    replies_received: int = 0  # others' posts in threads it started, or answering its posts
    followers: int | None = None  # the newest count seen
    followers_at_start: int | None = None  # the first count seen in the month
    named_iom3: int = 0  # posts writing IOM3 exactly so
    top_post: FlaggedPost | None = None  # the post that drew the most replies
    top_post_replies: int = 0
    last_post: datetime | None = None  # ever, before the month ended


@dataclass(frozen=True, slots=True)
class ToLookAt:
    coaching: Coaching
    what: str  # what was seen: "1 post wrote IOM3 as "IOM 3""
    example: str = ""  # the post (hostile text: templates escape it)
    url: str = ""
    when: str = ""


@dataclass(frozen=True, slots=True)
class ReportCard:
    month: date  # its first day
    platform: str
    platform_label: str
    handle: str
    committee: str
    admins: tuple[str, ...]
    went_well: tuple[str, ...]
    to_look_at: tuple[ToLookAt, ...]
    activity: Activity
    quiet: bool  # no post seen in the month
    blind_spots: str = ""  # what the monitor cannot see on this platform

    @property
    def month_name(self) -> str:
        return f"{self.month:%B %Y}"

    @property
    def account(self) -> str:
        return f"{self.platform} @{self.handle}"


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def _times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n:,} times")


def went_well(
    activity: Activity, *, month: str, comms_access: bool, misspelt_posts: int, concerns: int
) -> list[str]:
    """The month's good news, first on the card. Never empty: there is always a thank-you."""
    good = []
    if activity.posts:
        days = "on one day" if activity.days_posted == 1 else f"on {activity.days_posted} different days"
        good.append(f"You posted {_times(activity.posts)} in {month}, {days}.")
    if activity.weeks_posted and activity.weeks_posted == activity.weeks_in_month:
        good.append("You posted every week of the month: steady posting keeps followers with you.")
    elif activity.weeks_posted >= 3:
        good.append(
            f"You posted in {activity.weeks_posted} of the month's {activity.weeks_in_month} weeks: steady "
            "posting keeps followers with you."
        )
    if activity.replies_received:
        line = f"Your posts drew {_plural(activity.replies_received, 'reply', 'replies')} from others."
        if activity.top_post is not None and activity.top_post_replies > 1:
            line += f" The most talked-about ({activity.top_post_replies} replies) is quoted below."
        good.append(line)
    if activity.followers:
        line = f"The account reaches {activity.followers:,} followers"
        gained = activity.followers - (activity.followers_at_start or activity.followers)
        good.append(line + (f", {gained:,} more than at the start of the month." if gained > 0 else "."))
    if activity.replies_given:
        good.append(
            f"You answered people {_times(activity.replies_given)}: the policy asks you to "
            f'"{REPLY_QUOTE}", and you did.'
        )
    if activity.named_iom3 and not misspelt_posts:
        good.append(
            f"Every post that named IOM3 wrote it correctly ({_plural(activity.named_iom3, 'post')})."
        )
    if activity.posts and not concerns:
        good.append("None of your posts raised a concern under the ASV Social Media Policy.")
    if comms_access:
        good.append("The Marketing and Communications team has access to the account, as the policy asks.")
    good.append("Thank you for looking after the account: it is a real help to IOM3's reach.")
    return good


def to_look_at(
    flagged: dict[str, list[FlaggedPost]],
    *,
    comms_access: bool,
    dormant: bool,
    profile_misspelt: tuple[list[str], str],
    zone: ZoneInfo,
) -> list[ToLookAt]:
    """What to look at, most pressing first; one entry per kind, with its first example."""
    points = []
    for category in CONTENT_ORDER:
        posts = flagged.get(category, [])
        if not posts:
            continue
        first = posts[0]
        what = f"seen in {_plural(len(posts), 'post')} this month"
        points.append(
            ToLookAt(
                COACHING[category],
                what,
                example=first.text,
                url=first.url,
                when=first.created_at.astimezone(zone).strftime("%a %d %b"),
            )
        )
    terms, shown = profile_misspelt
    if terms:
        points.append(
            ToLookAt(COACHING["profile_name"], f"the display name writes IOM3 as {', '.join(terms)}", shown)
        )
    if not comms_access:
        points.append(ToLookAt(COACHING["access"], "the Marketing and Communications team has no access yet"))
    if dormant:
        points.append(ToLookAt(COACHING["dormant"], "no post seen for a long while"))
    return points


def month_weeks(first: date, next_first: date) -> set[tuple[int, int]]:
    """The month's weeks, as ISO (year, week): Monday-to-Sunday weeks with at least four of their
    days in the month, so a month's stray first or last day is not a week of its own."""
    days = [first + timedelta(days=n) for n in range((next_first - first).days)]
    per_week: dict[tuple[int, int], int] = {}
    for day in days:
        week = tuple(day.isocalendar()[:2])
        per_week[week] = per_week.get(week, 0) + 1  # type: ignore[index]
    return {week for week, n in per_week.items() if n >= 4}  # type: ignore[misc]
