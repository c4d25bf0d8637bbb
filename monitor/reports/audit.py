"""Marketing's audit of every volunteer-run (ASV) account against the policy.

Each finding names the account, what was found, the policy clause and what to do. Unregistered
accounts that present themselves as IOM3 are listed as possibly unofficial, with the words that
show it and one of two kinds of advice (monitor/reports/lookalike.py); accounts that only name
IOM3 to describe or criticise it, and critics and whistleblowers, are never listed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.compose import make_message, templates
from monitor.config import Config, RegisteredAccount
from monitor.csv_safe import csv_bytes
from monitor.reports.account_posts import flagged_posts, profile_misspellings
from monitor.reports.image_findings import ImageFindings, image_findings
from monitor.reports.lookalike import BRAND, Verdict, is_critic, judge
from monitor.schema import AssessmentRow, Incident, MentionRow
from monitor.scoring.lexicon import Lexicon

CLAUSES = {
    "access": "Setting up social media accounts (access for business continuity)",
    "dormant": "Setting up social media accounts (dormant accounts)",
    "unregistered": "Setting up social media accounts (consultation before setting up)",
    "impersonation": "Representing IOM3 (no channels set up on behalf of IOM3 without the Communications "
    "team); Logos and trademarks",
}
ADVICE = {
    "access": "Ask the account's administrators to give the Marketing and Communications team access.",
    "dormant": "Contact the administrators about closing it and signposting followers to the official IOM3 "
    "account.",
    Verdict.FIND_OUT: "Find out who runs it: it may be a volunteer group that should register. If it is, "
    "register it (config/accounts.toml) with Comms access. Do not ask for it to be closed before you know.",
    Verdict.RENAME_OR_CLOSE: "It presents itself as IOM3 and is not ours: ask the owner to rename it or "
    "close it (or, if volunteers run it, to register it with Comms access); if they do not, ask the "
    "platform to rename or close it as impersonation.",
}
CONTENT_CATEGORIES = (
    "brand_name",
    "logo",
    "political",
    "confidentiality",
    "disclaimer",
    "copyright",
    "harassment",
    "defamation",
)


@dataclass(frozen=True, slots=True)
class Finding:
    account: str  # "platform @handle"
    committee: str
    finding: str
    clause: str
    advice: str
    example: str = ""
    url: str = ""


@dataclass
class Audit:
    since: datetime
    until: datetime
    accounts: list[dict]  # one row per registered account: status figures
    findings: list[Finding]
    unofficial: list[dict]  # unregistered accounts that present themselves as IOM3
    # Unregistered accounts carrying IOM3's name that were not listed: they describe or criticise
    # IOM3, or raised a complaint or disclosure. Counted, never named (README, "The audit").
    left_out: int = 0
    images: ImageFindings | None = None  # logo findings with thumbnails, reused pictures (#16)

    def findings_frame(self) -> pd.DataFrame:
        columns = [f for f in Finding.__dataclass_fields__]
        return pd.DataFrame([asdict(f) for f in self.findings], columns=columns)


def build_audit(session: Session, config: Config, *, since: datetime, until: datetime) -> Audit:
    dormant_after = timedelta(days=config.monitor.audit.dormant_days)
    last_posts = {
        (platform, handle.lower()): (last, n)
        for platform, handle, last, n in session.execute(
            select(
                MentionRow.platform,
                MentionRow.author_handle,
                func.max(MentionRow.created_at),
                func.count().filter(MentionRow.created_at >= since),
            )
            .where(MentionRow.created_at < until)
            .group_by(MentionRow.platform, MentionRow.author_handle)
        )
    }
    findings: list[Finding] = []
    accounts: list[dict] = []
    lexicon = Lexicon(config.lexicons)
    for account in config.accounts.account:
        key = (account.platform, account.handle.lower())
        name = f"{account.platform} @{account.handle}"
        last, posts = last_posts.get(key, (None, 0))
        last = last.astimezone(config.timezone) if last else None
        incidents = _incidents(session, account.platform, account.handle, since, until)
        accounts.append(
            {
                "account": name,
                "kind": account.kind.replace("_", " "),
                "committee": account.committee,
                "comms_access": "yes" if account.comms_access else "NO",
                "logo_approved": "yes" if account.logo_approved else "no",
                "posts_in_period": posts,
                "last_post": last.strftime("%d %b %Y") if last else "never seen",
                "incidents": ", ".join(f"{n} {c}" for c, n in sorted(incidents.items())) or "none",
            }
        )
        if account.kind != "asv_committee":
            findings.extend(_content_findings(session, config, account, name, since, until))
            continue
        if not account.comms_access:
            findings.append(
                Finding(
                    name,
                    account.committee,
                    "the Marketing and Communications team has no access",
                    CLAUSES["access"],
                    ADVICE["access"],
                )
            )
        if last is None or until - last > dormant_after:
            when = f"last post seen {last:%d %b %Y}" if last else "no post seen at all"
            findings.append(
                Finding(
                    name,
                    account.committee,
                    f"dormant: {when} (more than {dormant_after.days} days)",
                    CLAUSES["dormant"],
                    ADVICE["dormant"],
                )
            )
        findings.extend(_content_findings(session, config, account, name, since, until))
        findings.extend(_profile_findings(session, config, account, name, lexicon))

    unofficial, left_out = _lookalikes(session, config, since, until)
    for u in unofficial:
        findings.append(
            Finding(
                u["account"],
                "",
                u["finding"],
                CLAUSES["impersonation" if u["verdict"] == Verdict.RENAME_OR_CLOSE else "unregistered"],
                ADVICE[u["verdict"]],
                url=u["url"],
            )
        )
    from monitor.reports.profiles import profile_findings  # imported here: it imports Finding from here

    findings.extend(profile_findings(session, config, findings))  # the stored profiles (issue #16)
    return Audit(
        since=since,
        until=until,
        accounts=accounts,
        findings=findings,
        unofficial=unofficial,
        left_out=left_out,
        images=image_findings(session, config, since=since, until=until),
    )


def _lookalikes(session: Session, config: Config, since: datetime, until: datetime) -> tuple[list[dict], int]:
    """Unregistered accounts seen in the period that present themselves as IOM3, and how many
    carried IOM3's name but were left out (they describe or criticise IOM3; never named)."""
    official = {(c.platform, c.handle.lower()) for c in config.channels.official}
    registered = {(a.platform, a.handle.lower()) for a in config.accounts.account}
    in_period = (
        MentionRow.created_at >= since,
        MentionRow.created_at < until,
        MentionRow.is_official.is_(False),
    )
    candidates: dict[tuple[str, str], list] = {}
    for platform, handle, display in session.execute(
        select(MentionRow.platform, MentionRow.author_handle, MentionRow.author_name)
        .distinct()
        .where(*in_period)
    ):
        key = (platform, handle.lower())
        if key in registered or key in official:
            continue
        # Only names are read while profile pictures are not: `avatar_has_logo` stays unknown.
        if BRAND.search(handle) or BRAND.search(display or ""):
            candidates.setdefault(key, [platform, handle])
    unofficial, left_out = [], 0
    for platform, handle in sorted(candidates.values(), key=lambda c: (c[1].lower(), c[0])):
        posts = session.execute(
            select(MentionRow.author_name, MentionRow.url, AssessmentRow.sentiment, AssessmentRow.flags)
            .outerjoin(AssessmentRow, AssessmentRow.mention_id == MentionRow.id)
            .where(
                *in_period,
                MentionRow.platform == platform,
                func.lower(MentionRow.author_handle) == handle.lower(),
            )
            .order_by(MentionRow.created_at)
        ).all()
        display, url = posts[-1].author_name or "", posts[-1].url  # how it presents now: its newest post
        critic = is_critic(
            (flag["category"] for p in posts for flag in (p.flags or ())),
            (p.sentiment for p in posts if p.sentiment is not None),
            negative_at=config.monitor.scoring.negative_sentiment,
        )
        verdict = judge(handle, display, critic=critic)
        if not verdict.listed:
            left_out += 1
            continue
        evidence = " and ".join(verdict.presentation.evidence)
        what = (
            f"presents itself as IOM3 and claims to be official ({evidence}); it is not ours"
            if verdict.verdict == Verdict.RENAME_OR_CLOSE
            else f"presents as an IOM3 group ({evidence}) but is not registered"
        )
        unofficial.append(
            {
                "account": f"{platform} @{handle}",
                "name": display,
                "posts": len(posts),
                "url": url,
                "verdict": verdict.verdict,
                "evidence": evidence,
                "finding": f"possibly unofficial: {what}",
                "advice": ADVICE[verdict.verdict],
            }
        )
    return unofficial, left_out


def _content_findings(
    session: Session,
    config: Config,
    account: RegisteredAccount,
    name: str,
    since: datetime,
    until: datetime,
) -> list[Finding]:
    """What the account's own posts in the period were flagged for."""
    found = flagged_posts(session, account, since=since, until=until, categories=CONTENT_CATEGORIES)
    findings = []
    for category, posts in found.items():
        lexicon = config.lexicons.category(category)
        findings.append(
            Finding(
                name,
                account.committee,
                f"{category.replace('_', ' ')} in {len(posts)} post(s)",
                lexicon.clause,
                lexicon.advice,
                example=posts[0].text[:200],
                url=posts[0].url,
            )
        )
    return findings


def _profile_findings(
    session: Session, config: Config, account: RegisteredAccount, name: str, lexicon: Lexicon
) -> list[Finding]:
    """The account's display name as seen on its posts: is IOM3 written correctly there?"""
    misspelt, shown = profile_misspellings(session, account.platform, account.handle, lexicon)
    if not misspelt:
        return []
    brand = config.lexicons.brand_name
    return [
        Finding(
            name,
            account.committee,
            f"profile name writes IOM3 as {', '.join(misspelt)}",
            brand.clause,
            brand.advice,
            example=shown,
        )
    ]


def _incidents(
    session: Session, platform: str, handle: str, since: datetime, until: datetime
) -> dict[str, int]:
    return {
        category: n
        for category, n in session.execute(
            select(Incident.category, func.count())
            .join(MentionRow, MentionRow.id == Incident.first_mention_id)
            .where(
                MentionRow.platform == platform,
                func.lower(MentionRow.author_handle) == handle.lower(),
                func.coalesce(Incident.first_posted_at, Incident.opened_at) >= since,
                func.coalesce(Incident.first_posted_at, Incident.opened_at) < until,
            )
            .group_by(Incident.category)
        )
    }


def render_html(audit: Audit, config: Config) -> str:
    return templates.get_template("audit.html.j2").render(
        a=audit, zone=config.timezone, prefix=config.monitor.mail.subject_prefix
    )


def audit_email(config: Config, audit: Audit, html: str, *, to: str, now: datetime) -> EmailMessage:
    """The audit as an email: a plain list of findings, the HTML report, and the CSV attached."""
    message = make_message(config, "audit", to, {"a": audit}, now=now, html=html)
    message.add_attachment(
        csv_bytes(audit.findings_frame()),
        maintype="text",
        subtype="csv",
        filename="audit-findings.csv",
    )
    return message
