"""The models of config/monitor.toml: the database, mail, scoring, schedule, retention, web and
media sections, and the connectors' tables (each connector validates its own)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import EmailStr, Field, field_validator, model_validator
from sqlalchemy.engine import make_url

from monitor.secrets import mask_url_passwords
from monitor.settings.fields import EnvName, Strict
from monitor.vocabulary import ROLES

DATABASE_URL_ENV = "MONITOR_DATABASE_URL"


class MonitorSection(Strict):
    timezone: str = "Europe/London"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["keyvalue", "json"] = "keyvalue"

    @field_validator("timezone")
    @classmethod
    def _real_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {value!r}; use an IANA name such as Europe/London") from None
        return value


class DatabaseSection(Strict):
    url: str = "sqlite:///var/monitor.db"

    @field_validator("url")
    @classmethod
    def _no_password(cls, value: str) -> str:
        try:
            url = make_url(value)
        except Exception:
            raise ValueError(
                f"{mask_url_passwords(value)!r} is not a database URL; "
                "use sqlite:///var/monitor.db or postgresql+psycopg://user@host/db"
            ) from None
        if url.password:
            raise ValueError(
                "the URL holds a password; remove it from the file and set the full URL in "
                f"the environment variable {DATABASE_URL_ENV} instead"
            )
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise ValueError(f"backend {url.get_backend_name()!r} is not supported; use sqlite or postgresql")
        return value


class SmtpSection(Strict):
    host: str = Field(default="localhost", min_length=1)
    port: int = Field(default=587, ge=1, le=65535)
    # starttls: upgrade a plain connection (port 587); ssl: TLS from the start (465); none: local relay only
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username_env: EnvName | None = None  # the NAMES of the variables holding the login
    password_env: EnvName | None = None
    timeout_seconds: float = Field(default=20, gt=0, le=300)
    # password: AUTH LOGIN/PLAIN with password_env. xoauth2: Microsoft 365 / Google without a
    # password: an OAuth2 access token from token_env, or printed by token_command (run at each
    # connection, so it can refresh the token; e.g. ["az", "account", "get-access-token", ...]).
    auth: Literal["password", "xoauth2"] = "password"
    token_env: EnvName | None = None
    token_command: list[str] | None = None

    @model_validator(mode="after")
    def _xoauth2_needs_a_token(self) -> SmtpSection:
        if self.auth == "xoauth2":
            if not self.username_env:
                raise ValueError('auth = "xoauth2" needs username_env (the mailbox the token is for)')
            if bool(self.token_env) == bool(self.token_command):
                raise ValueError(
                    'auth = "xoauth2" needs exactly one of token_env (a variable holding the access '
                    "token) or token_command (a command that prints it)"
                )
        return self


class MailSection(Strict):
    transport: Literal["maildir", "console", "smtp"] = "maildir"
    smtp: SmtpSection = SmtpSection()
    maildir: str = "var/mail"
    from_address: EmailStr = "iom3-monitor@iom3.org"
    # Lets a mail client filter the monitor's emails into a folder of their own.
    subject_prefix: str = Field(default="[IOM3 monitor]", max_length=40)
    # Replies to an alert go to this role's address (contacts.toml), not to the monitor.
    reply_to_role: Literal[ROLES] | None = "marketing_and_communications"  # type: ignore[valid-type]


class RegulatedPeriod(Strict):
    """A national election's regulated period (Lobbying Act): political content is judged stricter."""

    name: str = Field(min_length=1)
    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> RegulatedPeriod:
        if self.end < self.start:
            raise ValueError(f"ends ({self.end}) before it starts ({self.start})")
        return self


class CrisisWindowSection(Strict):
    """The surge test over time (monitor/scoring/crisis.py)."""

    window_minutes: int = Field(default=120, ge=10, le=24 * 60)
    baseline_days: int = Field(default=7, ge=1, le=90)
    # A surge is a count so unlikely under the baseline rate (Poisson) that p < this.
    p_value: float = Field(default=0.001, gt=0, lt=0.5)
    min_mentions: int = Field(default=8, ge=2)
    high_reach_followers: int = Field(default=10_000, ge=100)


class ScoringSection(Strict):
    # VADER compound at or below this counts as negative (VADER's authors use -0.05).
    negative_sentiment: float = Field(default=-0.05, ge=-1.0, le=1.0)
    # Authors with at least this many followers make a post more urgent.
    high_reach_followers: int = Field(default=10_000, ge=100)
    regulated_period: list[RegulatedPeriod] = Field(default_factory=list)
    crisis_window: CrisisWindowSection = CrisisWindowSection()


class SlaSection(Strict):
    complaint_reply_hours: float = Field(default=4.0, gt=0, le=24 * 14)


class DigestSection(Strict):
    # Who reads the daily digest, by role in contacts.toml.
    recipients: list[Literal[ROLES]] = Field(  # type: ignore[valid-type]
        default_factory=lambda: [
            "communications_executive",
            "head_of_marketing",
            "marketing_and_communications",
        ],
        min_length=1,
    )
    folder: str = "var/digests"


class ReportCardsSection(Strict):
    """The monthly report card to each opted-in committee account's admins (accounts.toml)."""

    # Who gets a copy of every card, by role in contacts.toml.
    copy_role: Literal[ROLES] = "head_of_marketing"  # type: ignore[valid-type]
    # `report-card` (the command) saves each card's HTML here to look at before sending.
    folder: str = "var/report-cards"


class AuditSection(Strict):
    # A committee account with no post seen for longer than this is dormant (policy: close it and
    # signpost followers to the official account).
    dormant_days: int = Field(default=90, ge=7, le=3650)
    period_days: int = Field(default=30, ge=1, le=366)
    recipient: Literal[ROLES] = "head_of_marketing"  # type: ignore[valid-type]
    folder: str = "var/audits"


class ScheduleSection(Strict):
    """What `run_monitor.py run` does when, in the [monitor] timezone."""

    poll_minutes: float = Field(default=15, gt=0, le=24 * 60)  # each connector, unless it says otherwise
    # While a crisis incident is open, its platform is polled this often instead.
    crisis_poll_minutes: float = Field(default=3, gt=0, le=24 * 60)
    jitter_seconds: int = Field(default=30, ge=0, le=3600)  # spread polls so they do not all fire at once
    digest_time: str = Field(default="07:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    audit_day: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "mon"
    audit_time: str = Field(default="08:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    # When the registered accounts' profiles are read (each at most once a day), before the digest.
    profiles_time: str = Field(default="06:30", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    # Report cards for last month go out at this time on the month's first working day (the
    # working days and bank holidays of routing.toml [quiet_hours]; Monday to Friday without).
    report_card_time: str = Field(default="08:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    # Who is told (once) when a connector keeps failing, and when it recovers.
    operator_role: Literal[ROLES] = "communications_executive"  # type: ignore[valid-type]
    failures_before_telling: int = Field(default=3, ge=1, le=100)


class HeartbeatSection(Strict):
    """A healthchecks.io-style ping URL, so an outside monitor says when this one has stopped."""

    # The URL is a credential (anyone holding it can fake "all well"): named here, read from the
    # environment. Unset: no pings.
    url_env: EnvName = "IOM3_HEARTBEAT_URL"
    timeout_seconds: float = Field(default=10, gt=0, le=60)


class RetentionSection(Strict):
    """How long each kind of data is kept (UK GDPR data minimisation; README, "What is collected")."""

    # The digest reads a day and the week before it, hence at least 8 days of everything.
    raw_payload_days: int = Field(default=30, ge=8, le=3650)  # the platform's own JSON
    mention_text_days: int = Field(default=365, ge=8, le=3650)  # text, author name and link
    # Posts flagged safeguarding often concern children or people at risk: minimised first.
    safeguarding_days: int = Field(default=30, ge=8, le=3650)
    resolved_incident_days: int = Field(default=365, ge=8, le=3650)  # counted from resolution
    sent_email_days: int = Field(default=90, ge=8, le=3650)  # emails quote posts
    purge_time: str = Field(default="03:30", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")


class WebSection(Strict):
    """The triage web app (`run_monitor.py web`, or inside `run` when enabled)."""

    enabled: bool = False  # also serve it from `run`
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    # The address people reach it at (https://monitor.example.org): links in emails start with
    # it. Empty: alert emails carry no links.
    base_url: str = Field(default="", pattern=r"^(https?://[^\s/?#]+(/[^\s?#]*)?)?$")
    # The NAME of the variable holding the signing secret (at least 32 characters).
    secret_env: EnvName = "IOM3_WEB_SECRET"
    # TLS is done by a reverse proxy in front (deploy/): trust its X-Forwarded-* headers.
    behind_proxy: bool = False
    tls_cert: str = ""  # or serve TLS itself: a certificate and key file
    tls_key: str = ""
    sign_in_minutes: int = Field(default=15, ge=1, le=60)
    action_link_hours: int = Field(default=24, ge=1, le=24 * 7)
    session_hours: int = Field(default=12, ge=1, le=24 * 30)
    # Who may resolve and who may silence, by role in contacts.toml; anyone signed in may
    # acknowledge, assign and add notes. A person holds every role whose address is theirs.
    resolve_roles: list[Literal[ROLES]] = Field(  # type: ignore[valid-type]
        default_factory=lambda: [
            "communications_executive",
            "head_of_marketing",
            "director_of_business_support",
        ]
    )
    silence_roles: list[Literal[ROLES]] = Field(  # type: ignore[valid-type]
        default_factory=lambda: ["communications_executive", "head_of_marketing"]
    )
    page_size: int = Field(default=25, ge=5, le=200)


class MediaSection(Strict):
    """The image analysis pass (issue #16): which limits a post's image is fetched under."""

    enabled: bool = True  # false: images stay pending, nothing is fetched
    # A social media picture is a few hundred kB; a phone's original a few MB.
    max_bytes: int = Field(default=10 * 1024 * 1024, ge=10_000, le=100 * 1024 * 1024)
    timeout_seconds: float = Field(default=10, gt=0, le=120)  # connect and per read, per try
    per_pass: int = Field(default=50, ge=1, le=10_000)  # images fetched in one pass at most
    # A pass stops between images after this long; the rest wait for the next pass.
    pass_seconds: int = Field(default=50, ge=5, le=3600)


class MonitorFile(Strict):
    monitor: MonitorSection = MonitorSection()
    database: DatabaseSection = DatabaseSection()
    mail: MailSection = MailSection()
    scoring: ScoringSection = ScoringSection()
    sla: SlaSection = SlaSection()
    digest: DigestSection = DigestSection()
    audit: AuditSection = AuditSection()
    report_cards: ReportCardsSection = ReportCardsSection()
    schedule: ScheduleSection = ScheduleSection()
    heartbeat: HeartbeatSection = HeartbeatSection()
    retention: RetentionSection = RetentionSection()
    web: WebSection = WebSection()
    media: MediaSection = MediaSection()
    # Each connector validates its own table (see connectors/<name>.py, `Settings`).
    connectors: dict[str, dict[str, Any]] = Field(default_factory=dict)
