"""Marketing's audit of every volunteer-run (ASV) account against the policy.

Each finding names the account, what was found, the policy clause and what to do. Accounts seen
in mentions that carry IOM3's name (or a look-alike) but are not registered are listed as
possibly unofficial.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.compose import make_message, templates
from monitor.config import Config
from monitor.csv_safe import csv_bytes
from monitor.schema import AssessmentRow, Incident, MentionRow
from monitor.scoring.lexicon import Lexicon

# IOM3 and its look-alikes in a handle or a display name: iom3, IoM3, I.O.M.3, iom_3,
# "Institute of Materials".
BRANDED = re.compile(r"(?i)i[\W_]?o[\W_]?m[\W_]?3|institute of materials")
CLAUSES = {
    "access": "Setting up social media accounts (access for business continuity)",
    "dormant": "Setting up social media accounts (dormant accounts)",
    "unregistered": "Setting up social media accounts (consultation before setting up)",
}
ADVICE = {
    "access": "Ask the account's administrators to give the Marketing and Communications team access.",
    "dormant": "Contact the administrators about closing it and signposting followers to the official IOM3 "
    "account.",
    "unregistered": "Find out who runs it; if it speaks for IOM3 activity, register it "
    "(config/accounts.toml) with Comms access, or ask for it to be closed.",
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
    unofficial: list[dict]  # handles seen that look like IOM3 but are not registered

    def findings_frame(self) -> pd.DataFrame:
        columns = [f for f in Finding.__dataclass_fields__]
        return pd.DataFrame([asdict(f) for f in self.findings], columns=columns)


def build_audit(session: Session, config: Config, *, since: datetime, until: datetime) -> Audit:
    dormant_after = timedelta(days=config.monitor.audit.dormant_days)
    official = {(c.platform, c.handle.lower()) for c in config.channels.official}
    registered = {(a.platform, a.handle.lower()): a for a in config.accounts.account}
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

    unofficial = []
    for platform, handle, display, n, url in session.execute(
        select(
            MentionRow.platform,
            MentionRow.author_handle,
            func.max(MentionRow.author_name),
            func.count(),
            func.max(MentionRow.url),
        )
        .where(
            MentionRow.created_at >= since, MentionRow.created_at < until, MentionRow.is_official.is_(False)
        )
        .group_by(MentionRow.platform, MentionRow.author_handle)
    ):
        key = (platform, handle.lower())
        if key in registered or key in official:
            continue
        if BRANDED.search(handle) or BRANDED.search(display or ""):
            unofficial.append(
                {"account": f"{platform} @{handle}", "name": display or "", "posts": n, "url": url}
            )
            findings.append(
                Finding(
                    f"{platform} @{handle}",
                    "",
                    f"possibly unofficial: carries IOM3's name ({display or handle}) but is not registered",
                    CLAUSES["unregistered"],
                    ADVICE["unregistered"],
                    url=url,
                )
            )
    from monitor.reports.profiles import profile_findings  # imported here: it imports Finding from here

    findings.extend(profile_findings(session, config, findings))  # the stored profiles (issue #16)
    return Audit(since=since, until=until, accounts=accounts, findings=findings, unofficial=unofficial)


def _content_findings(
    session: Session,
    config: Config,
    account,
    name: str,
    since: datetime,  # noqa: ANN001
    until: datetime,
) -> list[Finding]:
    """What the account's own posts in the period were flagged for."""
    found: dict[str, list[tuple[str, str]]] = {}
    for text, url, flags in session.execute(
        select(MentionRow.text, MentionRow.url, AssessmentRow.flags)
        .join(AssessmentRow, AssessmentRow.mention_id == MentionRow.id)
        .where(
            MentionRow.platform == account.platform,
            func.lower(MentionRow.author_handle) == account.handle.lower(),
            MentionRow.created_at >= since,
            MentionRow.created_at < until,
            AssessmentRow.flagged.is_(True),
        )
        .order_by(MentionRow.created_at)
    ):
        for flag in flags:
            if flag["category"] in CONTENT_CATEGORIES:
                if flag["category"] == "logo" and account.logo_approved:
                    continue
                found.setdefault(flag["category"], []).append((text, url))
    findings = []
    for category, posts in found.items():
        lexicon = config.lexicons.category(category)
        text, url = posts[0]
        findings.append(
            Finding(
                name,
                account.committee,
                f"{category.replace('_', ' ')} in {len(posts)} post(s)",
                lexicon.clause,
                lexicon.advice,
                example=text[:200],
                url=url,
            )
        )
    return findings


def _profile_findings(
    session: Session,
    config: Config,
    account,
    name: str,  # noqa: ANN001
    lexicon: Lexicon,
) -> list[Finding]:
    """The account's display name as seen on its posts: is IOM3 written correctly there?"""
    names = session.scalars(
        select(MentionRow.author_name)
        .distinct()
        .where(
            MentionRow.platform == account.platform,
            func.lower(MentionRow.author_handle) == account.handle.lower(),
        )
    ).all()
    misspelt = sorted(
        {h.term for shown in names if shown for h in lexicon.exact_hits(shown) if h.category == "brand_name"}
    )
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
            example=next(n for n in names if n),
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
