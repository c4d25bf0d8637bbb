"""Database tables (SQLAlchemy 2 typed ORM). Changes here need an Alembic migration.

`tests/test_migrations.py` fails when these classes and the migrations disagree.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy import true as sa_true
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

JsonDoc = JSON().with_variant(JSONB(), "postgresql")


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware in and out on every backend (SQLite forgets the offset otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} refused; give it a timezone")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class Account(Base):
    """An ASV account from the registry (config/accounts.toml), mirrored for joins and audit."""

    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("platform", "handle", name="uq_accounts_platform_handle"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    handle: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    committee: Mapped[str] = mapped_column(String(200), default="")
    admins: Mapped[list[str]] = mapped_column(JsonDoc, default=list)
    comms_access: Mapped[bool] = mapped_column(Boolean, default=False)
    logo_approved: Mapped[bool] = mapped_column(Boolean, default=False)
    registered_on: Mapped[date | None] = mapped_column(Date, nullable=True)


class MentionRow(Base):
    __tablename__ = "mentions"
    __table_args__ = (
        UniqueConstraint("platform", "platform_id", name="uq_mentions_platform_id"),
        Index("ix_mentions_thread", "platform", "thread_id"),
        Index("ix_mentions_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    platform_id: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(50))
    author_handle: Mapped[str] = mapped_column(String(200))
    author_name: Mapped[str] = mapped_column(String(300), default="")
    author_reach: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    channel_kind: Mapped[str] = mapped_column(String(20))
    url: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text)
    lang: Mapped[str | None] = mapped_column(String(20), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    thread_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    in_reply_to_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    is_official: Mapped[bool] = mapped_column(Boolean, default=False)
    raw: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    ingested_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # Which edit of the post this is (Mention.version): a later one replaces it (store.save_batch).
    version: Mapped[str | None] = mapped_column(String(40), nullable=True)
    # Set when retention removed the text and payload (monitor/retention.py); the row stays so
    # counts, incidents and the dedup key still hold.
    minimised_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)

    assessments: Mapped[list[AssessmentRow]] = relationship(back_populates="mention")
    # The images the post carries, in order; deleted with it (ON DELETE CASCADE in the database).
    media: Mapped[list[MediaRow]] = relationship(
        back_populates="mention", order_by="MediaRow.position", passive_deletes=True
    )


MEDIA_STATES = ("pending", "analysed", "skipped")


class MediaRow(Base):
    """One image of a mention (issue #16): its link as the platform gave it, then what the
    analysis pass (monitor/media/) learns of it. Only a hash, a perceptual hash and a small
    thumbnail are ever kept of the picture itself, never the original, under the mention's
    retention (monitor/retention.py)."""

    __tablename__ = "media"
    __table_args__ = (
        UniqueConstraint("mention_id", "position", name="uq_media_mention_position"),
        Index("ix_media_state", "state"),
        Index("ix_media_unrouted", "routed_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    mention_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), ForeignKey("mentions.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(Integer)  # 0 for the post's first image
    url: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))  # image | video_thumbnail | gif
    alt: Mapped[str] = mapped_column(Text, default="", server_default="")
    state: Mapped[str] = mapped_column(String(10), default="pending", server_default="pending")
    skip_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    phash: Mapped[str | None] = mapped_column(String(64), nullable=True)  # hex
    thumbnail: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # a small PNG/JPEG
    width: Mapped[int | None] = mapped_column(Integer, nullable=True)  # of the original
    height: Mapped[int | None] = mapped_column(Integer, nullable=True)
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JsonDoc, default=list, server_default="[]")
    analysed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # What the logo findings mean for this account (monitor/media/decide.py): "flag" (routed to
    # the Head of Marketing), "retired" (the digest and audit only) or "none"; null until analysed.
    decision: Mapped[str | None] = mapped_column(String(10), nullable=True)
    # Set when routing has looked at a "flag" (alerts/image_flags.py), and at analysis for the rest:
    # like an assessment's routed_at, it makes an image finding routed exactly once.
    routed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)

    mention: Mapped[MentionRow] = relationship(back_populates="media")


class ProfileRow(Base):
    """The latest public profile of one official channel or registered ASV account (issue #16),
    replaced each time it is read again (at most once a day). Never a row for anyone else: the
    profiles step reads only the registry and channels.toml, and retention deletes the row of an
    account taken off the registry (monitor/retention.py). Of the picture only a hash, a
    perceptual hash, a small thumbnail and its logo findings are kept, never the original."""

    __tablename__ = "profiles"
    __table_args__ = (UniqueConstraint("platform", "handle_key", name="uq_profiles_account"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    handle: Mapped[str] = mapped_column(String(200))  # as the registry spells it
    handle_key: Mapped[str] = mapped_column(String(200))  # lower case: one row however it is spelt
    kind: Mapped[str] = mapped_column(String(20))  # official | asv_committee | asv_personal
    # False: the platform does not give this profile to a read-only monitor; `problem` says why.
    readable: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())
    problem: Mapped[str] = mapped_column(Text, default="", server_default="")  # the last try's, if it failed
    checked_at: Mapped[datetime] = mapped_column(UtcDateTime)  # the last try: one a day
    fetched_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)  # the last read
    display_name: Mapped[str] = mapped_column(Text, default="", server_default="")
    bio: Mapped[str] = mapped_column(Text, default="", server_default="")
    avatar_url: Mapped[str] = mapped_column(Text, default="", server_default="")
    url: Mapped[str] = mapped_column(Text, default="", server_default="")
    avatar_state: Mapped[str] = mapped_column(String(10), default="none", server_default="none")
    avatar_skip_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    avatar_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    avatar_phash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    avatar_thumbnail: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # a small PNG
    # The IOM3 logos found in the picture ({version, status, confidence}); None: not looked for.
    logo_findings: Mapped[list[dict[str, Any]] | None] = mapped_column(JsonDoc, nullable=True)


class AssessmentRow(Base):
    __tablename__ = "assessments"
    __table_args__ = (
        UniqueConstraint("mention_id", "scorer_version", name="uq_assessments_mention_version"),
        Index("ix_assessments_unrouted", "routed_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    mention_id: Mapped[int] = mapped_column(ForeignKey("mentions.id", ondelete="CASCADE"))
    scorer_version: Mapped[str] = mapped_column(String(50))
    sentiment: Mapped[float] = mapped_column(Float)
    scores: Mapped[dict[str, float]] = mapped_column(JsonDoc)
    flags: Mapped[list[dict[str, Any]]] = mapped_column(JsonDoc)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # Set when routing has looked at this assessment, whether or not it raised an incident.
    routed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)

    mention: Mapped[MentionRow] = relationship(back_populates="assessments")


class Incident(Base):
    """Mentions that belong together (one thread, one category), alerted as one email thread."""

    __tablename__ = "incidents"
    __table_args__ = (Index("ix_incidents_open_key", "status", "category", "thread_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category: Mapped[str] = mapped_column(String(30))
    severity: Mapped[str] = mapped_column(String(20))
    role: Mapped[str] = mapped_column(String(50))
    clause: Mapped[str] = mapped_column(String(200))
    thread_key: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20), default="open")
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    mention_count: Mapped[int] = mapped_column(Integer, default=0)
    first_mention_id: Mapped[int] = mapped_column(ForeignKey("mentions.id"))
    # Routing and its timing, copied when the incident opens so a config edit does not re-time it.
    route: Mapped[str] = mapped_column(String(200), default="")
    level: Mapped[str] = mapped_column(String(10), default="normal")  # "high" can rise, never fall
    group_wait: Mapped[int] = mapped_column(Integer, default=0)
    group_interval: Mapped[int] = mapped_column(Integer, default=30)
    repeat_interval: Mapped[int] = mapped_column(Integer, default=240)
    # The email thread: the first email's Message-ID; what the last email told; who acknowledged.
    message_id: Mapped[str | None] = mapped_column(String(300), nullable=True)
    last_notified_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    notified_count: Mapped[int] = mapped_column(Integer, default=0)
    notified_level: Mapped[str | None] = mapped_column(String(10), nullable=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    acknowledged_by: Mapped[str] = mapped_column(String(200), default="")
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # Complaints: when the SLA for an official reply runs out, and whether the reminder went.
    sla_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    reminded_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    history: Mapped[list[dict[str, str]]] = mapped_column(JsonDoc, default=list)
    # The flagged words of its posts (lower case), and when its first post was made: what a post
    # outside any thread needs to share, and how close in time, to join it as the same topic.
    topic_terms: Mapped[list[str]] = mapped_column(JsonDoc, default=list)
    first_posted_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # When a repeat or an SLA reminder could next fall due (alerts/notify.py next_check).
    next_check_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # Other categories the same posts raised for the same recipient: one email, not one each.
    also_categories: Mapped[list[str]] = mapped_column(JsonDoc, default=list)
    # The escalation chain (alerts/escalation.py): how many steps up it has gone, and when.
    escalation_step: Mapped[int] = mapped_column(Integer, default=0)
    first_notified_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    escalated_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # Triage (monitor/services/incident_actions.py): who has it, and how it ended.
    assigned_to: Mapped[str] = mapped_column(String(300), default="", server_default="")
    outcome: Mapped[str] = mapped_column(Text, default="", server_default="")

    mentions: Mapped[list[IncidentMention]] = relationship(back_populates="incident")


class IncidentMention(Base):
    __tablename__ = "incident_mentions"

    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True)
    mention_id: Mapped[int] = mapped_column(ForeignKey("mentions.id", ondelete="CASCADE"), primary_key=True)
    added_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    incident: Mapped[Incident] = relationship(back_populates="mentions")


class OutboxMessage(Base):
    """A message is a row before it is sent: written in the transaction that decided it.

    Any kind a transport carries: an email, a chat message, an escalation step. `kind` picks the
    transport; `payload` is what that transport sends (an email's whole RFC 5322 text, so a resend
    is byte-for-byte the same email; JSON for the other kinds).
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default="email", server_default="email")
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), nullable=True)
    message_id: Mapped[str] = mapped_column(String(300), unique=True)
    recipient: Mapped[str] = mapped_column(String(300))  # an email's To, a chat room, a phone...
    title: Mapped[str] = mapped_column(String(400))  # an email's Subject; a chat message's title
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # After a failure, not before this (capped exponential backoff across flushes).
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # Times a crash left it handed to a transport that cannot say whether it arrived (SMTP, the
    # RFC 1047 window), so it was sent again with its original Message-ID: `status` counts them.
    unknown_outcomes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class ConnectorCursor(Base):
    __tablename__ = "connector_cursors"

    connector: Mapped[str] = mapped_column(String(100), primary_key=True)
    cursor: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ConnectorRun(Base):
    __tablename__ = "connector_runs"
    __table_args__ = (Index("ix_connector_runs_connector", "connector", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    connector: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="running")
    fetched: Mapped[int] = mapped_column(Integer, default=0)
    stored: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")


class CrisisSignalRow(Base):
    """A thread surging against its platform's baseline (monitor/scoring/crisis.py), one per thread."""

    __tablename__ = "crisis_signals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    thread_key: Mapped[str] = mapped_column(String(300), unique=True)
    window_start: Mapped[datetime] = mapped_column(UtcDateTime)
    window_end: Mapped[datetime] = mapped_column(UtcDateTime)
    mentions: Mapped[int] = mapped_column(Integer)
    expected: Mapped[float] = mapped_column(Float)
    p_value: Mapped[float] = mapped_column(Float)
    negative: Mapped[int] = mapped_column(Integer)
    expected_negative: Mapped[float] = mapped_column(Float)
    p_value_negative: Mapped[float] = mapped_column(Float)
    score: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list[str]] = mapped_column(JsonDoc)
    detected_at: Mapped[datetime] = mapped_column(UtcDateTime)
    routed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class Silence(Base):
    """A comms officer's "not now", like an Alertmanager silence: flags matching every one of
    `matchers` (thread, author, term, category, platform) raise no alert until `until`, unless
    it is lifted first. The safeguarding lane is never muted (monitor/services/silences.py)."""

    __tablename__ = "silences"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # the first matcher's name, for older readers
    value: Mapped[str] = mapped_column(String(300))
    matchers: Mapped[dict[str, str]] = mapped_column(JsonDoc, default=dict)
    until: Mapped[datetime] = mapped_column(UtcDateTime)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    lifted_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    lifted_by: Mapped[str] = mapped_column(String(200), default="")

    @property
    def ends_at(self) -> datetime:
        """When it stops muting: its end, or when it was lifted if that came first."""
        return min(self.until, self.lifted_at) if self.lifted_at else self.until


class JobState(Base):
    """What the running scheduler last knew of each job, for `status` (another process) to read."""

    __tablename__ = "job_state"

    job: Mapped[str] = mapped_column(String(100), primary_key=True)
    next_run_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    waiting_until: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)  # a platform said wait
    failures: Mapped[int] = mapped_column(Integer, default=0)  # consecutive failed runs
    operator_told: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Heartbeat(Base):
    """The last ping of each kind (start, success, fail) to the outside monitor, for `status`."""

    __tablename__ = "heartbeats"

    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    ok: Mapped[bool] = mapped_column(Boolean)  # the ping URL answered 2xx
    detail: Mapped[str] = mapped_column(Text, default="")


class WebhookEvent(Base):
    """An object a Meta webhook named, waiting for its connector's next run to fetch it by id.

    Unique per (platform, kind, object_id): a delivery Meta repeats queues nothing new.
    """

    __tablename__ = "webhook_events"
    __table_args__ = (UniqueConstraint("platform", "kind", "object_id", name="uq_webhook_events_object"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))  # media | comment | post
    object_id: Mapped[str] = mapped_column(String(200))
    account_id: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    fetched_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class ActionLog(Base):
    """Who did what, when, and from where (a page, an email link, the CLI): the trustees' record."""

    __tablename__ = "action_log"
    __table_args__ = (Index("ix_action_log_incident", "incident_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(300))  # an email address from contacts.toml
    action: Mapped[str] = mapped_column(String(40))  # acknowledge | assign | note | resolve | silence | ...
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), nullable=True)
    silence_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    detail: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(300), default="")  # "page /incidents/24", "email link", ...


class WebSession(Base):
    """A signed-in browser. The cookie holds a random key; only its hash is stored."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    via: Mapped[str] = mapped_column(String(40), default="")  # sign-in link | email action link


class UsedLink(Base):
    """A signed link (sign-in or email action) that has been used: each works once."""

    __tablename__ = "used_links"

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(20))
    email: Mapped[str] = mapped_column(String(300))
    used_at: Mapped[datetime] = mapped_column(UtcDateTime)
