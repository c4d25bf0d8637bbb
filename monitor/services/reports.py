"""Produce the digest and the audit, save them, and queue them for their recipients.

Queuing only writes outbox rows: the scheduler's flush job sends them, the CLI flushes at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from alerts.outbox import enqueue
from monitor.config import Config
from monitor.csv_safe import write_csv
from monitor.reports.audit import Audit, audit_email, build_audit
from monitor.reports.audit import render_html as render_audit_html
from monitor.reports.digest import RenderedDigest, build_digest, digest_email
from monitor.reports.digest import render as render_digest
from monitor.reports.digest import save as save_digest
from monitor.reports.image_findings import inline_data_images


@dataclass(frozen=True, slots=True)
class ProducedDigest:
    day: date
    rendered: RenderedDigest
    path: Path  # the saved digest.html; its charts and flagged.csv are beside it


@dataclass(frozen=True, slots=True)
class ProducedAudit:
    report: Audit
    html: str
    path: Path  # the saved audit.html; findings.csv is beside it


def digest_recipients(config: Config) -> list[str]:
    """The [digest] recipients as To addresses, one per address: two roles can share an inbox."""
    by_address: dict[str, str] = {}
    for role in config.monitor.digest.recipients:
        contact = config.contact(role)
        by_address.setdefault(contact.email, f"{contact.name} <{contact.email}>")
    return list(by_address.values())


def produce_digest(sessions: sessionmaker[Session], config: Config, day: date) -> ProducedDigest:
    """Build the digest of one London day and save it under [digest] folder/<day>/."""
    with sessions() as session:
        built = build_digest(session, config, day)
    rendered = render_digest(built, config)
    path = save_digest(rendered, config.path(config.monitor.digest.folder) / day.isoformat())
    return ProducedDigest(day, rendered, path)


def queue_digest(
    sessions: sessionmaker[Session], config: Config, digest: ProducedDigest, now: datetime
) -> None:
    """Put the digest in the outbox for the [digest] recipients."""
    message = digest_email(config, digest.rendered, to=digest_recipients(config), now=now, day=digest.day)
    with sessions.begin() as session:
        enqueue(session, message, incident_id=None, now=now)


def produce_audit(
    sessions: sessionmaker[Session], config: Config, *, since: datetime, until: datetime
) -> ProducedAudit:
    """Audit every registered account over [since, until) and save it under [audit] folder/<day>/."""
    with sessions() as session:
        report = build_audit(session, config, since=since, until=until)
    html = render_audit_html(report, config)
    folder = config.path(config.monitor.audit.folder) / until.astimezone(config.timezone).date().isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "audit.html").write_text(html, encoding="utf-8")
    write_csv(report.findings_frame(), folder / "findings.csv")
    return ProducedAudit(report, html, folder / "audit.html")


def queue_audit(sessions: sessionmaker[Session], config: Config, audit: ProducedAudit, now: datetime) -> None:
    """Put the audit in the outbox for the [audit] recipient."""
    contact = config.contact(config.monitor.audit.recipient)
    message = audit_email(config, audit.report, audit.html, to=f"{contact.name} <{contact.email}>", now=now)
    message = inline_data_images(config, message)  # the saved report's data: thumbnails, as CID parts
    with sessions.begin() as session:
        enqueue(session, message, incident_id=None, now=now)
