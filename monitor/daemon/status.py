"""`run_monitor.py status`: what the monitor is doing, read from the database."""

from __future__ import annotations

from datetime import datetime

from rich.console import Group
from rich.table import Table
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.config import Config
from monitor.schema import ConnectorRun, Heartbeat, Incident, JobState, OutboxMessage


def status_tables(session: Session, config: Config) -> Group:
    zone = config.timezone

    def local(moment: datetime | None) -> str:
        return moment.astimezone(zone).strftime("%d %b %H:%M") if moment else "-"

    states = {s.job: s for s in session.scalars(select(JobState))}
    latest = select(ConnectorRun.connector, func.max(ConnectorRun.id).label("id")).group_by(
        ConnectorRun.connector
    )
    runs = {
        r.connector: r
        for r in session.scalars(
            select(ConnectorRun).where(ConnectorRun.id.in_(select(latest.subquery().c.id)))
        )
    }
    connectors = Table(title="Connectors", title_justify="left")
    for column in (
        "connector",
        "last run",
        "result",
        "fetched",
        "next run",
        "rate limit",
        "fails",
        "last problem and what to do",
    ):
        connectors.add_column(column, overflow="fold")
    names = sorted(set(runs) | {job.removeprefix("poll:") for job in states if job.startswith("poll:")})
    for name in names:
        run, state = runs.get(name), states.get(f"poll:{name}")
        connectors.add_row(
            name,
            local(run.started_at) if run else "never",
            run.status if run else "-",
            str(run.fetched) if run else "-",
            local(state.next_run_at) if state else "not running",
            f"wait until {local(state.waiting_until)}" if state and state.waiting_until else "ok",
            str(state.failures) if state else "0",
            (run.error.splitlines()[0] if run and run.error else ""),
        )

    jobs = Table(title="Other jobs", title_justify="left")
    jobs.add_column("job")
    jobs.add_column("next run")
    for job in ("process", "flush", "digest", "audit", "report_cards"):
        state = states.get(job)
        jobs.add_row(job, local(state.next_run_at) if state else "not running (start `run`)")

    outbox = Table(title="Outbox", title_justify="left")
    for column in (
        "waiting to be sent",
        "failed, will retry",
        "sent",
        "resent after an unknown outcome",
        "last failure",
    ):
        outbox.add_column(column, overflow="fold")
    counts = dict(
        session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all()
    )
    last_failure = session.scalar(
        select(OutboxMessage.last_error)
        .where(OutboxMessage.status == "failed")
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    )
    # A crash in the RFC 1047 window (alerts/outbox.py) means the email went again, with its
    # original Message-ID: a possible duplicate the reader's mail client folds into one.
    unknown = session.scalar(select(func.coalesce(func.sum(OutboxMessage.unknown_outcomes), 0)))
    outbox.add_row(
        str(counts.get("pending", 0) + counts.get("sending", 0) + counts.get("delivering", 0)),
        str(counts.get("failed", 0)),
        str(counts.get("sent", 0)),
        f"{unknown} (same Message-ID)",
        last_failure or "",
    )

    incidents = Table(title="Open incidents", title_justify="left")
    for column in ("urgency", "open", "acknowledged"):
        incidents.add_column(column)
    by = dict(
        ((u, s), n)
        for u, s, n in session.execute(
            select(Incident.severity, Incident.status, func.count())
            .where(Incident.status.in_(("open", "acknowledged")))
            .group_by(Incident.severity, Incident.status)
        )
    )
    for urgency in ("immediate", "same_day"):
        incidents.add_row(
            urgency.replace("_", " "),
            str(by.get((urgency, "open"), 0)),
            str(by.get((urgency, "acknowledged"), 0)),
        )
    heartbeat = Table(title="Heartbeat (the outside monitor's last news of this one)", title_justify="left")
    for column in ("ping", "when", "answered", "detail"):
        heartbeat.add_column(column, overflow="fold")
    pings = {p.kind: p for p in session.scalars(select(Heartbeat))}
    for kind in ("start", "success", "fail"):
        ping = pings.get(kind)
        heartbeat.add_row(
            kind,
            local(ping.at) if ping else "never",
            ("yes" if ping.ok else "NO") if ping else "-",
            ping.detail if ping else "",
        )
    if not pings:
        heartbeat.caption = f"no ping yet: set {config.monitor.heartbeat.url_env} (README, 'Heartbeat')"
    return Group(connectors, jobs, outbox, incidents, heartbeat)
