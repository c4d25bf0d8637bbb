"""What one registered account's own posts in a period were flagged for: shared by the audit
(for the Head of Marketing) and the monthly report card (for the account's own admins)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.config import RegisteredAccount
from monitor.schema import AssessmentRow, MentionRow
from monitor.scoring.lexicon import Lexicon


@dataclass(frozen=True, slots=True)
class FlaggedPost:
    text: str
    url: str
    created_at: datetime


def flagged_posts(
    session: Session,
    account: RegisteredAccount,
    *,
    since: datetime,
    until: datetime,
    categories: Iterable[str],
) -> dict[str, list[FlaggedPost]]:
    """The account's posts in [since, until) flagged in `categories`, oldest first, by category.

    A logo flag on an account approved to use the logo is no finding, so it is left out.
    """
    platform, handle = account.platform, account.handle
    wanted = set(categories) - ({"logo"} if account.logo_approved else set())
    found: dict[str, list[FlaggedPost]] = {}
    for text, url, created_at, flags in session.execute(
        select(MentionRow.text, MentionRow.url, MentionRow.created_at, AssessmentRow.flags)
        .join(AssessmentRow, AssessmentRow.mention_id == MentionRow.id)
        .where(
            MentionRow.platform == platform,
            func.lower(MentionRow.author_handle) == handle.lower(),
            MentionRow.created_at >= since,
            MentionRow.created_at < until,
            AssessmentRow.flagged.is_(True),
        )
        .order_by(MentionRow.created_at)
    ):
        for flag in flags:
            if flag["category"] in wanted:
                found.setdefault(flag["category"], []).append(FlaggedPost(text, url, created_at))
    return found


def profile_misspellings(
    session: Session, platform: str, handle: str, lexicon: Lexicon
) -> tuple[list[str], str]:
    """How the account's display name (as seen on its posts) misspells IOM3, and a name that does."""
    names = session.scalars(
        select(MentionRow.author_name)
        .distinct()
        .where(MentionRow.platform == platform, func.lower(MentionRow.author_handle) == handle.lower())
    ).all()
    misspelt: dict[str, str] = {}
    for shown in names:
        for hit in lexicon.exact_hits(shown) if shown else ():
            if hit.category == "brand_name":
                misspelt.setdefault(hit.term, shown)
    terms = sorted(misspelt)
    return terms, (misspelt[terms[0]] if terms else "")
