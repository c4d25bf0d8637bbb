"""The daily digest's data: one day and the week to it gathered from the database into a `Digest`
(volume, sentiment, incidents, unanswered complaints and response times, flagged posts, committee
accounts, connector coverage, logo findings), ready for monitor/reports/digest.py to render.

Aggregates run in SQL (counts and averages grouped by day and platform), so a month of heavy
traffic is seconds, not minutes. Days are Europe/London days.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.severity import severity_of
from monitor.config import CATEGORIES, Config
from monitor.platforms import PLATFORM_TABLE, PLATFORMS
from monitor.reports.image_findings import LogoFindingRow, image_findings
from monitor.schema import AssessmentRow, ConnectorRun, Incident, MentionRow

KINDS = ("official", "asv_committee", "asv_personal", "public")
TOP_FLAGGED = 10


@dataclass
class Digest:
    day: date
    zone: str
    volume: dict[str, dict[str, int]]  # platform -> channel kind -> mentions that day
    total: int
    daily: pd.DataFrame  # the week: day x platform -> mentions
    sentiment: pd.DataFrame  # the week: day x platform -> mean VADER compound
    new_incidents: dict[str, int]  # urgency -> opened that day
    open_incidents: list[dict]  # every live incident: id, category, urgency, age in hours
    unanswered: list[dict]  # complaints past their SLA with no official reply, oldest first
    top_flagged: list[dict]
    brand_misuse: list[dict]
    committees: list[dict]  # each registered committee account: posts that day, that week, last post
    connectors: list[dict]  # each connector's last run
    flagged_csv: pd.DataFrame = field(default_factory=pd.DataFrame)
    # How fast IOM3 answers: complaints of the week, first official reply in their thread.
    response: dict = field(default_factory=dict)  # median/worst hours overall and per platform
    still_unanswered: int = 0  # live complaints with no official reply at the end of the day
    week_on_week: list[dict] = field(default_factory=list)  # measure, this week, the week before, change
    top_authors: list[dict] = field(default_factory=list)  # that day, by reach
    coverage: list[dict] = field(
        default_factory=list
    )  # per connector: healthy/failing, and what it cannot see
    # Logo findings in the day's pictures (monitor/reports/image_findings.py), thumbnails inline.
    logo_findings: list[LogoFindingRow] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.total == 0


def day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """A London day as UTC instants: 23 or 25 hours long when the clocks change."""
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return start, end


def build_digest(session: Session, config: Config, day: date) -> Digest:
    zone = config.timezone
    start, end = day_bounds(day, zone)
    week_start = day_bounds(day - timedelta(days=6), zone)[0]
    in_day = (MentionRow.created_at >= start, MentionRow.created_at < end)

    volume: dict[str, dict[str, int]] = {p: dict.fromkeys(KINDS, 0) for p in PLATFORMS}
    for platform, kind, n in session.execute(
        select(MentionRow.platform, MentionRow.channel_kind, func.count())
        .where(*in_day)
        .group_by(MentionRow.platform, MentionRow.channel_kind)
    ):
        volume.setdefault(platform, dict.fromkeys(KINDS, 0))[kind] = n
    total = sum(sum(kinds.values()) for kinds in volume.values())

    daily, sentiment = _week(session, week_start, end, zone, day)

    # Incidents are dated by their first post, so a replayed week lands on the right days.
    posted = func.coalesce(Incident.first_posted_at, Incident.opened_at)
    new_incidents: dict[str, int] = {}
    for urgency, n in session.execute(
        select(Incident.severity, func.count())
        .where(posted >= start, posted < end)
        .group_by(Incident.severity)
    ):
        new_incidents[urgency] = n
    rank = {"immediate": 0, "same_day": 1, "digest": 2}
    open_incidents = sorted(
        (
            {
                "id": i.id,
                "category": i.category,
                "urgency": i.severity,
                "level": i.level,
                "severity": severity_of(
                    i.severity, i.level, i.category, lane=config.routing.lane.categories
                ).label,
                "status": i.status,
                "mentions": i.mention_count,
                "age_hours": round((end - (i.first_posted_at or i.opened_at)).total_seconds() / 3600, 1),
                "thread": i.thread_key,
            }
            for i in session.scalars(
                select(Incident).where(Incident.status.in_(("open", "acknowledged")), posted < end)
            )
        ),
        key=lambda i: (rank.get(i["urgency"], 3), -i["age_hours"]),
    )
    flagged = _flagged(session, config, start, end, zone)  # one query, three uses
    return Digest(
        day=day,
        zone=zone.key,
        volume=volume,
        total=total,
        daily=daily,
        sentiment=sentiment,
        new_incidents=new_incidents,
        open_incidents=open_incidents,
        unanswered=_unanswered(session, end, zone),
        top_flagged=sorted(flagged, key=lambda r: r["top_score"], reverse=True)[:TOP_FLAGGED],
        brand_misuse=[f for f in flagged if "brand_name" in f["categories"].split()],
        committees=_committees(session, config, start, end, week_start),
        connectors=_connectors(session, zone),
        flagged_csv=pd.DataFrame(flagged),
        response=_response_times(session, week_start, end),
        still_unanswered=_still_unanswered(session, end),
        week_on_week=_week_on_week(session, day, zone),
        top_authors=_top_authors(session, start, end),
        coverage=_coverage(session, config, zone),
        logo_findings=image_findings(session, config, since=start, until=end).logos,
    )


HEALTHY = ("ok", "partial", "rate_limited")


def _official_reply_hours(session: Session, mention: MentionRow) -> float | None:
    """Hours from a post to the first official IOM3 post after it in its thread; None if none."""
    if mention.thread_id is None:
        return None
    first = session.scalar(
        select(func.min(MentionRow.created_at)).where(
            MentionRow.platform == mention.platform,
            MentionRow.thread_id == mention.thread_id,
            MentionRow.is_official.is_(True),
            MentionRow.created_at >= mention.created_at,
        )
    )
    return None if first is None else (first - mention.created_at).total_seconds() / 3600


def _response_times(session: Session, week_start: datetime, end: datetime) -> dict:
    """First official response time to the week's complaints: median and worst, overall and per platform."""
    posted = func.coalesce(Incident.first_posted_at, Incident.opened_at)
    by_platform: dict[str, list[float]] = {}
    unanswered = 0
    for mention in session.scalars(
        select(MentionRow)
        .join(Incident, Incident.first_mention_id == MentionRow.id)
        .where(Incident.category == "complaint", posted >= week_start, posted < end)
    ):
        hours = _official_reply_hours(session, mention)
        if hours is None or mention.created_at + timedelta(hours=hours) >= end:
            unanswered += 1
        else:
            by_platform.setdefault(mention.platform, []).append(hours)

    def summary(values: list[float]) -> dict:
        series = pd.Series(values, dtype=float)
        return {
            "answered": len(values),
            "median": round(float(series.median()), 1),
            "worst": round(float(series.max()), 1),
        }

    every = [h for values in by_platform.values() for h in values]
    return {
        "all": summary(every) if every else None,
        "platforms": {p: summary(v) for p, v in sorted(by_platform.items())},
        "unanswered": unanswered,
    }


def _still_unanswered(session: Session, end: datetime) -> int:
    """Live complaints with no official reply in their thread at the end of the day."""
    from alerts.incidents import official_reply_exists

    return sum(
        not official_reply_exists(session, mention)
        for mention in session.scalars(
            select(MentionRow)
            .join(Incident, Incident.first_mention_id == MentionRow.id)
            .where(
                Incident.category == "complaint",
                Incident.status.in_(("open", "acknowledged", "folded")),
                func.coalesce(Incident.first_posted_at, Incident.opened_at) < end,
            )
        )
    )


def _week_on_week(session: Session, day: date, zone: ZoneInfo) -> list[dict]:
    """Mentions, flagged mentions and incidents: the week to `day` against the week before."""
    this_start = day_bounds(day - timedelta(days=6), zone)[0]
    end = day_bounds(day, zone)[1]
    last_start = day_bounds(day - timedelta(days=13), zone)[0]

    def mentions(start: datetime, stop: datetime, *, flagged: bool = False) -> int:
        query = (
            select(func.count())
            .select_from(MentionRow)
            .where(MentionRow.created_at >= start, MentionRow.created_at < stop)
        )
        if flagged:
            flagged_ids = select(AssessmentRow.mention_id).where(AssessmentRow.flagged.is_(True))
            query = query.where(MentionRow.id.in_(flagged_ids))
        return session.scalar(query) or 0

    def incidents(start: datetime, stop: datetime) -> int:
        posted = func.coalesce(Incident.first_posted_at, Incident.opened_at)
        return (
            session.scalar(select(func.count()).select_from(Incident).where(posted >= start, posted < stop))
            or 0
        )

    rows = []
    for measure, count in (
        ("mentions", mentions),
        ("flagged mentions", lambda a, b: mentions(a, b, flagged=True)),
        ("incidents", incidents),
    ):
        now, before = count(this_start, end), count(last_start, this_start)
        change = "new" if before == 0 and now else f"{(now - before) / before:+.0%}" if before else "="
        rows.append({"measure": measure, "this_week": now, "last_week": before, "change": change})
    return rows


def _top_authors(session: Session, start: datetime, end: datetime, limit: int = 5) -> list[dict]:
    """That day's widest-reaching authors (not IOM3's own channels), with how many posts."""
    rows = session.execute(
        select(
            MentionRow.platform,
            MentionRow.author_handle,
            func.max(MentionRow.author_reach).label("reach"),
            func.count(),
            func.max(MentionRow.channel_kind),
        )
        .where(
            MentionRow.created_at >= start,
            MentionRow.created_at < end,
            MentionRow.is_official.is_(False),
            MentionRow.author_reach.is_not(None),
        )
        .group_by(MentionRow.platform, MentionRow.author_handle)
        .order_by(func.max(MentionRow.author_reach).desc(), MentionRow.author_handle)
        .limit(limit)
    ).all()
    return [
        {"platform": p, "author": a, "reach": reach, "posts": n, "kind": kind.replace("_", " ")}
        for p, a, reach, n, kind in rows
    ]


def _coverage(session: Session, config: Config, zone: ZoneInfo) -> list[dict]:
    """One line per connector: healthy or failing (since when, why), and its platform's blind spots."""
    lines = []
    runs = {r["connector"]: r for r in _connectors(session, zone)}
    names = sorted(set(runs) | {n for n, t in config.monitor.connectors.items() if t.get("enabled", True)})
    for name in names:
        run = runs.get(name)
        if run is None:
            state = "never run"
        elif run["result"] in HEALTHY:
            state = f"healthy: last run {run['when']}, {run['fetched']} fetched"
        elif run["result"] == "skipped":
            state = f"not polling: {run['problem'] or 'skipped'}"
        elif run["result"] == "rate_limited":
            state = f"waiting: the platform asked to wait at {run['when']}"
        else:
            state = f"failing: last run {run['when']} {run['result']}" + (
                f" ({run['problem']})" if run["problem"] else ""
            )
        lines.append(
            {
                "connector": name,
                "healthy": run is not None and run["result"] in HEALTHY,
                "state": state,
                # What polling cannot see (monitor/platforms.py), so silence is not taken for calm.
                "blind": PLATFORM_TABLE[name].blind_spots if name in PLATFORM_TABLE else "",
            }
        )
    return lines


def _week(
    session: Session, week_start: datetime, end: datetime, zone: ZoneInfo, day: date
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Mentions and mean sentiment per London day and platform over the week to `day`.

    Grouped by UTC hour in SQL (portable across SQLite and PostgreSQL), then folded into London
    days here: at most 168 rows per platform whatever the traffic.
    """
    hour = (
        func.strftime("%Y-%m-%d %H", MentionRow.created_at)
        if session.get_bind().dialect.name == "sqlite"
        else func.to_char(func.timezone("UTC", MentionRow.created_at), "YYYY-MM-DD HH24")
    )
    latest = (
        select(AssessmentRow.mention_id, func.max(AssessmentRow.id).label("aid"))
        .group_by(AssessmentRow.mention_id)
        .subquery()
    )
    rows = session.execute(
        select(hour.label("hour"), MentionRow.platform, func.count(), func.avg(AssessmentRow.sentiment))
        .join(latest, latest.c.mention_id == MentionRow.id, isouter=True)
        .join(AssessmentRow, AssessmentRow.id == latest.c.aid, isouter=True)
        .where(MentionRow.created_at >= week_start, MentionRow.created_at < end)
        .group_by("hour", MentionRow.platform)
    ).all()
    days = [day - timedelta(days=d) for d in range(6, -1, -1)]
    counts = pd.DataFrame(0, index=days, columns=list(PLATFORMS), dtype="int64")
    sums = pd.DataFrame(0.0, index=days, columns=list(PLATFORMS))
    for hour_text, platform, n, mean in rows:
        local_day = (
            datetime.strptime(hour_text, "%Y-%m-%d %H")
            .replace(tzinfo=ZoneInfo("UTC"))
            .astimezone(zone)
            .date()
        )
        if local_day in counts.index and platform in counts.columns:
            counts.loc[local_day, platform] += n
            sums.loc[local_day, platform] += (mean or 0.0) * n
    sentiment = (sums / counts.where(counts > 0)).round(3)
    return counts, sentiment


def _unanswered(session: Session, now: datetime, zone: ZoneInfo) -> list[dict]:
    from alerts.incidents import official_reply_exists

    found = []
    for incident, mention in session.execute(
        select(Incident, MentionRow)
        .join(MentionRow, MentionRow.id == Incident.first_mention_id)
        .where(
            Incident.category == "complaint",
            Incident.status.in_(("open", "acknowledged", "folded")),
            Incident.sla_due_at <= now,
        )
        .order_by(MentionRow.created_at)
    ):
        if not official_reply_exists(session, mention):
            found.append(
                {
                    "incident": incident.id,
                    "author": mention.author_handle,
                    "platform": mention.platform,
                    "posted": mention.created_at.astimezone(zone).strftime("%a %d %b %H:%M"),
                    "hours": round((now - mention.created_at).total_seconds() / 3600),
                    "text": mention.text,
                    "url": mention.url,
                }
            )
    return found


def _flagged(session: Session, config: Config, start: datetime, end: datetime, zone: ZoneInfo) -> list[dict]:
    query = (
        select(MentionRow, AssessmentRow)
        .join(AssessmentRow, AssessmentRow.mention_id == MentionRow.id)
        .where(MentionRow.created_at >= start, MentionRow.created_at < end, AssessmentRow.flagged.is_(True))
        .order_by(MentionRow.created_at)
    )
    # A flag under its category's alert point was not emailed: the digest is where it is reviewed.
    alert_at = {c: config.lexicons.category(c).alert_at() for c in CATEGORIES}
    rows = []
    for mention, assessment in session.execute(query):
        top = max(assessment.flags, key=lambda f: f["score"])
        rows.append(
            {
                "mention": mention.id,
                "posted": mention.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                "platform": mention.platform,
                "author": mention.author_handle,
                "kind": mention.channel_kind,
                "reach": mention.author_reach,
                "categories": " ".join(f["category"] for f in assessment.flags),
                "review": " ".join(
                    f["category"] for f in assessment.flags if f["score"] < alert_at.get(f["category"], 0.0)
                ),
                "top_score": round(top["score"], 3),
                "evidence": "; ".join(
                    e["text"] for f in assessment.flags for e in f["evidence"] if e["kind"] == "term"
                ),
                "sentiment": round(assessment.sentiment, 3),
                "text": mention.text,
                "url": mention.url,
            }
        )
    return rows


def _committees(
    session: Session, config: Config, start: datetime, end: datetime, week_start: datetime
) -> list[dict]:
    registry = [a for a in config.accounts.account if a.kind == "asv_committee"]
    stats = {
        (platform, handle.lower()): (today, week, last)
        for platform, handle, today, week, last in session.execute(
            select(
                MentionRow.platform,
                MentionRow.author_handle,
                func.count().filter(MentionRow.created_at >= start),
                func.count().filter(MentionRow.created_at >= week_start),
                func.max(MentionRow.created_at),
            )
            .where(MentionRow.created_at < end, MentionRow.channel_kind == "asv_committee")
            .group_by(MentionRow.platform, MentionRow.author_handle)
        )
    }
    rows = []
    for account in registry:
        today, week, last = stats.get((account.platform, account.handle.lower()), (0, 0, None))
        rows.append(
            {
                "account": f"{account.platform} @{account.handle}",
                "committee": account.committee,
                "today": today,
                "week": week,
                "last_post": last.strftime("%d %b %Y") if last else "never seen",
            }
        )
    return rows


def _connectors(session: Session, zone: ZoneInfo) -> list[dict]:
    last = select(ConnectorRun.connector, func.max(ConnectorRun.id).label("id")).group_by(
        ConnectorRun.connector
    )
    rows = []
    for run in session.scalars(
        select(ConnectorRun)
        .where(ConnectorRun.id.in_(select(last.subquery().c.id)))
        .order_by(ConnectorRun.connector)
    ):
        rows.append(
            {
                "connector": run.connector,
                "result": run.status,
                "fetched": run.fetched,
                "when": run.started_at.astimezone(zone).strftime("%d %b %H:%M"),
                "problem": run.error.splitlines()[0] if run.error else "",
                # Coverage: what this platform's connector cannot see (monitor/platforms.py).
                "cannot_see": PLATFORM_TABLE[run.connector].blind_spots
                if run.connector in PLATFORM_TABLE
                else "",
            }
        )
    return rows
