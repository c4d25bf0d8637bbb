"""A committee account's monthly report card: the month's facts from the store, the coaching
(monitor/reports/coaching.py), and the email (templates report_card.*.j2 through make_message).

It reads only the account's own posts and the replies to them: what a registered committee
account posts, never a person's wider history.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from alerts.compose import header_safe, make_message, quote_post, templates
from monitor.config import Config, RegisteredAccount
from monitor.platforms import label as platform_label
from monitor.platforms import platform_info
from monitor.reports.account_posts import FlaggedPost, flagged_posts, profile_misspellings
from monitor.reports.coaching import (
    CONTENT_ORDER,
    Activity,
    ReportCard,
    month_weeks,
    to_look_at,
    went_well,
)
from monitor.reports.months import month_bounds, next_month
from monitor.schema import MentionRow
from monitor.scoring.lexicon import Lexicon

# IOM3 written exactly so, as a word of its own: not inside @IOM3_YMC or iom3.org.
CORRECT_NAME = re.compile(r"(?<![\w@])IOM3(?!\w)")
QUOTE_LIMIT = 280  # characters of a post quoted on the card; the link has the rest


@dataclass(frozen=True, slots=True)
class RenderedCard:
    card: ReportCard
    text: str
    html: str


def activity(
    session: Session, platform: str, handle: str, *, since: datetime, until: datetime, zone: ZoneInfo
) -> Activity:
    """What the account did in [since, until), and the replies it drew, from the store."""
    mine = func.lower(MentionRow.author_handle) == handle.lower()
    in_month = (
        MentionRow.platform == platform,
        MentionRow.created_at >= since,
        MentionRow.created_at < until,
    )
    own = session.execute(
        select(
            MentionRow.platform_id,
            MentionRow.in_reply_to_id,
            MentionRow.text,
            MentionRow.url,
            MentionRow.created_at,
            MentionRow.author_reach,
        )
        .where(mine, *in_month)
        .order_by(MentionRow.created_at)
    ).all()
    last_post = session.scalar(
        select(func.max(MentionRow.created_at)).where(
            MentionRow.platform == platform, mine, MentionRow.created_at < until
        )
    )
    ids = {p.platform_id for p in own}
    started = {p.platform_id for p in own if p.in_reply_to_id is None}
    replies = session.execute(
        select(MentionRow.thread_id, MentionRow.in_reply_to_id).where(
            ~mine,
            *in_month,
            or_(MentionRow.in_reply_to_id.in_(ids), MentionRow.thread_id.in_(started)),
        )
    ).all()
    # A reply counts for the post it answers, else for the thread's first post.
    per_post = Counter(r.in_reply_to_id if r.in_reply_to_id in ids else r.thread_id for r in replies)
    top_id, top_replies = per_post.most_common(1)[0] if per_post else (None, 0)
    top = next((p for p in own if p.platform_id == top_id), None)
    local_days = {p.created_at.astimezone(zone).date() for p in own}
    reaches = [p.author_reach for p in own if p.author_reach is not None]
    first = since.date().replace(day=1)
    weeks = month_weeks(first, next_month(first))
    return Activity(
        posts=len(own),
        days_posted=len(local_days),
        weeks_posted=len({tuple(d.isocalendar()[:2]) for d in local_days} & weeks),
        weeks_in_month=len(weeks),
        replies_given=sum(1 for p in own if p.in_reply_to_id is not None),
        replies_received=len(replies),
        followers=reaches[-1] if reaches else None,
        followers_at_start=reaches[0] if reaches else None,
        named_iom3=sum(1 for p in own if CORRECT_NAME.search(p.text)),
        top_post=FlaggedPost(top.text, top.url, top.created_at) if top is not None else None,
        top_post_replies=top_replies,
        last_post=last_post,
    )


def build_report_card(
    session: Session, config: Config, account: RegisteredAccount, month: date
) -> ReportCard:
    """The card of `account` for the calendar `month` (its first day), in London time."""
    zone = config.timezone
    since, until = month_bounds(month, zone)
    seen = activity(session, account.platform, account.handle, since=since, until=until, zone=zone)
    flagged = flagged_posts(session, account, since=since, until=until, categories=CONTENT_ORDER)
    misspelt = profile_misspellings(session, account.platform, account.handle, Lexicon(config.lexicons))
    dormant_after = timedelta(days=config.monitor.audit.dormant_days)
    dormant = seen.last_post is None or until - seen.last_post > dormant_after
    points = to_look_at(
        flagged, comms_access=account.comms_access, dormant=dormant, profile_misspelt=misspelt, zone=zone
    )
    good = went_well(
        seen,
        month=f"{month:%B}",
        comms_access=account.comms_access,
        misspelt_posts=len(flagged.get("brand_name", [])),
        concerns=sum(1 for c in CONTENT_ORDER if flagged.get(c)),
    )
    return ReportCard(
        month=month,
        platform=account.platform,
        platform_label=platform_label(account.platform),
        handle=account.handle,
        committee=account.committee or f"@{account.handle}",
        admins=tuple(account.admins),
        went_well=tuple(good),
        to_look_at=tuple(points),
        activity=seen,
        quiet=seen.posts == 0,
        blind_spots=platform_info(account.platform).blind_spots,
    )


def render(card: ReportCard, config: Config) -> RenderedCard:
    """The card's plain text and phone-friendly HTML (post text escaped by the HTML template)."""
    copy = config.contact(config.monitor.report_cards.copy_role)
    context = {
        "c": card,
        "copy": copy,
        "quote": lambda text: quote_post(text, QUOTE_LIMIT)[0],
        "prefix": config.monitor.mail.subject_prefix,
    }
    return RenderedCard(
        card,
        templates.get_template("report_card.txt.j2").render(context),
        templates.get_template("report_card.html.j2").render(context),
    )


def report_card_email(
    config: Config, rendered: RenderedCard, *, to: Sequence[str], now: datetime
) -> EmailMessage:
    """The card to the committee's admins, a copy to [report_cards] copy_role; replies go to the team."""
    card = rendered.card
    copy = config.contact(config.monitor.report_cards.copy_role)
    reply_role = config.monitor.mail.reply_to_role or config.monitor.report_cards.copy_role
    reply = config.contact(reply_role)
    headers = {
        "Cc": f"{header_safe(copy.name, 80)} <{copy.email}>",
        "Reply-To": f"{header_safe(reply.name, 80)} <{reply.email}>",
        "X-IOM3-Report": f"report card {card.month:%Y-%m} {card.platform} @{header_safe(card.handle, 100)}",
    }
    return make_message(
        config,
        "report_card",
        list(to),
        {"c": card},
        now=now,
        headers=headers,
        idstring=f"card-{card.month:%Y%m}",  # short: a Message-ID line over 78 characters is folded
        text=rendered.text,
        html=rendered.html,
    )
