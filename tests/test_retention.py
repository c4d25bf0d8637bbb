"""Retention (#12): each kind of data goes after its [retention] days; safeguarding first."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from monitor.channels import ChannelDirectory
from monitor.config import RetentionSection
from monitor.models import MediaRef, Mention
from monitor.retention import purge
from monitor.schema import (
    ActionLog,
    AssessmentRow,
    Incident,
    IncidentMention,
    MediaRow,
    MentionRow,
    OutboxMessage,
    WebhookEvent,
)
from monitor.store import save_batch

NOW = datetime(2026, 11, 23, 3, 30, tzinfo=UTC)
RULES = RetentionSection(
    raw_payload_days=30,
    mention_text_days=365,
    safeguarding_days=30,
    resolved_incident_days=365,
    sent_email_days=90,
)


def _mention(n: int, days_old: int) -> Mention:
    return Mention(
        platform="x",
        platform_id=str(n),
        author_handle=f"a{n}",
        author_name=f"Author {n}",
        text=f"post {n}",
        url=f"https://x.com/a{n}/status/{n}",
        created_at=NOW - timedelta(days=days_old),
        raw={"id": str(n), "text": f"post {n}"},
    )


def _flag(session, mention_id: int, category: str) -> None:  # noqa: ANN001
    session.add(
        AssessmentRow(
            mention_id=mention_id,
            scorer_version="t",
            sentiment=0.0,
            scores={category: 0.9},
            flags=[{"category": category, "score": 0.9}],
            flagged=True,
        )
    )


def _incident(session, mention_id: int, category: str, status: str, resolved_days_ago: int | None) -> int:  # noqa: ANN001
    resolved = NOW - timedelta(days=resolved_days_ago) if resolved_days_ago is not None else None
    incident = Incident(
        category=category,
        severity="immediate",
        role="director_of_business_support",
        clause="c",
        thread_key=f"x:{mention_id}",
        status=status,
        opened_at=NOW - timedelta(days=400),
        updated_at=resolved or NOW,
        resolved_at=resolved,
        first_mention_id=mention_id,
    )
    session.add(incident)
    session.flush()
    session.add(IncidentMention(incident_id=incident.id, mention_id=mention_id))
    session.add(
        OutboxMessage(
            incident_id=incident.id,
            message_id=f"<{incident.id}@t>",
            recipient="d@iom3.org",
            title="s",
            payload=f"quotes post {mention_id}",
            status="sent",
            sent_at=NOW - timedelta(days=5),
        )
    )
    return incident.id


def test_purge_minimises_safeguarding_first_and_keeps_live_evidence(sessions, config) -> None:
    ages = {1: 40, 2: 40, 3: 40, 4: 400, 5: 10, 6: 400}
    with sessions.begin() as session:
        saved = save_batch(
            session,
            connector="t",
            mentions=[_mention(n, age) for n, age in ages.items()],
            cursor={},
            directory=ChannelDirectory(config),
        )
        ids = dict(zip(ages, saved.stored_ids, strict=True))
        _flag(session, ids[1], "safeguarding")  # 40 days: past safeguarding_days -> minimised
        _flag(session, ids[2], "complaint")  # 40 days, not safeguarding: text kept, payload gone
        _flag(session, ids[3], "safeguarding")  # but in an open incident: kept whole
        open_incident = _incident(session, ids[3], "safeguarding", "open", None)
        old_incident = _incident(session, ids[6], "complaint", "resolved", 400)
        for incident_id in (open_incident, old_incident):  # the web app's record of each
            session.add(ActionLog(at=NOW, actor="c@iom3.org", action="note", incident_id=incident_id))
        session.add(
            OutboxMessage(
                message_id="<digest@t>",
                recipient="c@iom3.org",
                title="digest",
                payload="quotes posts",
                status="sent",
                sent_at=NOW - timedelta(days=100),
            )
        )
    result = purge(sessions, RULES, NOW)
    with sessions() as session:
        rows = {r.platform_id: r for r in session.scalars(select(MentionRow))}
        incidents = set(session.scalars(select(Incident.id)))
        emails = set(session.scalars(select(OutboxMessage.message_id)))
        logged = set(session.scalars(select(ActionLog.incident_id)))
    minimised = {pid for pid, r in rows.items() if r.minimised_at is not None}
    assert minimised == {"1", "4", "6"}
    assert (rows["1"].text, rows["1"].author_name, rows["1"].url, rows["1"].raw) == ("", "", "", {})
    assert rows["1"].created_at == NOW - timedelta(days=40)  # counts and baselines still add up
    assert (rows["2"].text, rows["2"].raw) == ("post 2", {})  # text kept, payload gone
    assert (rows["3"].text, rows["3"].raw["id"]) == ("post 3", "3")  # live evidence, whole
    assert (rows["5"].text, rows["5"].raw["id"]) == ("post 5", "5")  # recent, whole
    assert incidents == {open_incident} and old_incident not in incidents
    assert logged == {open_incident}  # the purged incident's action log went with it
    assert emails == {f"<{open_incident}@t>"}  # the resolved incident's and the 100-day-old one gone
    assert result.safeguarding_minimised == 1 and result.incidents_deleted == 1 and result.emails_deleted == 2
    again = purge(sessions, RULES, NOW).summary()  # nothing left to do, nothing counted twice
    assert again == " ".join(f"{kind}=0" for kind in result.__slots__)


def test_a_minimised_mentions_images_lose_link_alt_and_thumbnail(sessions, config) -> None:
    """#16: the images go with the words; hashes and logo findings stay for the audit's counts."""
    ages = {1: 40, 3: 40, 5: 10}
    mentions = [
        replace(
            _mention(n, age),
            media=(
                MediaRef(f"https://pbs.twimg.com/media/{n}a.jpg", "image", f"child at stand {n}"),
                MediaRef(f"https://pbs.twimg.com/media/{n}b.jpg", "video_thumbnail"),
            ),
        )
        for n, age in ages.items()
    ]
    with sessions.begin() as session:
        saved = save_batch(
            session, connector="t", mentions=mentions, cursor={}, directory=ChannelDirectory(config)
        )
        ids = dict(zip(ages, saved.stored_ids, strict=True))
        for n in ages:
            _flag(session, ids[n], "safeguarding")
        _incident(session, ids[3], "safeguarding", "open", None)  # live evidence: kept whole
        # The analysis pass has been at the first image of each post.
        for first in session.scalars(select(MediaRow).where(MediaRow.position == 0)):
            first.state, first.sha256, first.phash, first.thumbnail = (
                "analysed",
                "ab" * 32,
                "c3" * 8,
                b"\x89PNG",
            )
            first.findings = [{"logo": "iom3", "score": 0.8}]
            first.analysed_at = NOW
    purge(sessions, RULES, NOW)
    with sessions() as session:
        rows = session.execute(
            select(MentionRow.platform_id, MediaRow)
            .join(MediaRow)
            .order_by(MentionRow.platform_id, MediaRow.position)
        ).all()
    images = {(pid, image.position): image for pid, image in rows}
    analysed, pending = images[("1", 0)], images[("1", 1)]
    assert (analysed.url, analysed.alt, analysed.thumbnail) == ("", "", None)
    assert (analysed.state, analysed.sha256, analysed.findings) == (
        "analysed",
        "ab" * 32,
        [{"logo": "iom3", "score": 0.8}],
    )
    assert (pending.url, pending.alt, pending.state) == ("", "", "skipped")
    assert pending.skip_reason == "its mention was minimised (retention) before analysis"
    for kept in ("3", "5"):  # in an open incident; too recent
        assert images[(kept, 0)].url == f"https://pbs.twimg.com/media/{kept}a.jpg"
        assert (images[(kept, 0)].alt, images[(kept, 0)].thumbnail) == (f"child at stand {kept}", b"\x89PNG")
        assert images[(kept, 1)].state == "pending"


def test_webhook_payloads_go_when_raw_payloads_go(sessions) -> None:
    """A queued webhook object holds a comment's words and its author: kept raw_payload_days."""

    def queued(object_id: str, days_old: int, fetched: bool) -> WebhookEvent:
        at = NOW - timedelta(days=days_old)
        return WebhookEvent(
            platform="facebook",
            kind="comment",
            object_id=object_id,
            account_id="100",
            payload={"message": f"comment {object_id}", "from": {"name": "A Member"}},
            received_at=at,
            fetched_at=at if fetched else None,
        )

    with sessions.begin() as session:
        session.add_all([queued("old-fetched", 40, True), queued("old-waiting", 40, False)])
        session.add_all([queued("new-fetched", 10, True), queued("new-waiting", 10, False)])
    result = purge(sessions, RULES, NOW)
    with sessions() as session:
        left = {e.object_id: e.payload for e in session.scalars(select(WebhookEvent))}
    assert set(left) == {"old-waiting", "new-fetched", "new-waiting"}  # the old fetched one is gone
    assert left["old-waiting"] == {}  # still to fetch by its id, its words gone
    assert left["new-fetched"]["message"] == "comment new-fetched"
    assert result.webhook_events_removed == 2
    assert purge(sessions, RULES, NOW).webhook_events_removed == 0  # nothing counted twice
