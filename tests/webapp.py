"""Helpers for the web app's tests (tests/web/): seeded incidents, the sign-in flow, CSRF tokens.

`seed_incident` writes an incident the way routing leaves one (a mention, its assessment with
evidence spans, the incident row); `sign_in` goes through the real emailed-link flow, reading
the link from the outbox row the app queued.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email import message_from_string, policy

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from monitor.schema import AssessmentRow, Incident, IncidentMention, MentionRow, OutboxMessage

SECRET = "s" * 32 + "-test-only"
KOVIDA = "kovida.mehra@iom3.org"  # communications_executive: may resolve and silence
COLLETTE = "collette.marriott@iom3.org"  # director_of_business_support: may resolve, not silence
# The test client sends no Referer of its own; a browser sends this one (Referrer-Policy
# same-origin), and Flask-WTF checks it on HTTPS.
HTTPS = {"base_url": "https://monitor.test", "headers": {"Referer": "https://monitor.test/"}}


def seed_incident(
    sessions: sessionmaker[Session],
    *,
    text: str = "@iom3 still no reply to my complaint, this is a disgrace",
    url: str = "https://x.com/someone/status/1",
    category: str = "complaint",
    severity: str = "same_day",
    level: str = "normal",
    author: str = "someone",
    opened_at: datetime = datetime(2026, 11, 23, 6, 0, tzinfo=UTC),
    platform_id: str | None = None,
) -> int:
    """One incident with one mention and its assessment; returns the incident id."""
    with sessions.begin() as session:
        pid = (
            platform_id
            or f"p{session.scalar(select(MentionRow.id).order_by(MentionRow.id.desc())) or 0}-{author}"
        )
        mention = MentionRow(
            platform="x",
            platform_id=pid,
            source="test",
            author_handle=author,
            author_name="Some One",
            author_reach=1200,
            channel_kind="public",
            url=url,
            text=text,
            created_at=opened_at - timedelta(minutes=5),
            thread_id=pid,
            raw={},
        )
        session.add(mention)
        session.flush()
        word = "complaint"
        start = text.find(word)
        evidence = (
            [{"kind": "term", "text": word, "start": start, "end": start + len(word)}] if start >= 0 else []
        )
        session.add(
            AssessmentRow(
                mention_id=mention.id,
                scorer_version="test",
                sentiment=-0.6,
                scores={category: 0.8},
                flags=[
                    {"category": category, "score": 0.8, "clause": "Complaint handling", "evidence": evidence}
                ],
                flagged=True,
                routed_at=opened_at,
            )
        )
        incident = Incident(
            category=category,
            severity=severity,
            role="communications_executive",
            clause="Complaint handling",
            thread_key=f"x:{pid}",
            status="open",
            opened_at=opened_at,
            updated_at=opened_at,
            mention_count=1,
            first_mention_id=mention.id,
            level=level,
            history=[{"at": opened_at.isoformat(timespec="seconds"), "what": f"opened: @{author}"}],
        )
        session.add(incident)
        session.flush()
        session.add(IncidentMention(incident_id=incident.id, mention_id=mention.id, added_at=opened_at))
        return incident.id


def last_link(sessions: sessionmaker[Session], email: str) -> str:
    """The sign-in link in the newest email to `email`, as a path."""
    with sessions() as session:
        row = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.recipient.contains(email))
            .order_by(OutboxMessage.id.desc())
        ).first()
    assert row is not None, f"no email to {email}"
    body = message_from_string(row.payload, policy=policy.default).get_body(("plain",)).get_content()
    (url,) = re.findall(r"https://monitor\.test(/\S+)", body)
    return url


def csrf(client, path: str) -> str:
    """The CSRF token of the form on `path`."""
    page = client.get(path, **HTTPS).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, f"no form on {path}"
    return match.group(1)


def sign_in(client, sessions, email: str = KOVIDA) -> None:
    token = csrf(client, "/sign-in")
    response = client.post("/sign-in", data={"email": email, "csrf_token": token}, **HTTPS)
    assert response.status_code == 200, response.get_data(as_text=True)
    link = last_link(sessions, email)
    response = client.post(link, data={"csrf_token": csrf(client, link)}, **HTTPS)
    assert response.status_code == 302, response.get_data(as_text=True)
