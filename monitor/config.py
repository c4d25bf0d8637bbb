"""Load and validate the TOML files in `config/` that the Communications team edits.

Every file is validated strictly (unknown keys are errors, so a typo never silently disables a
rule) and every problem in every file is reported at once, one line each:
`config/monitor.toml: database.url: <what is wrong>`.
"""

from __future__ import annotations

import os
import re
import tomllib
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from sqlalchemy.engine import make_url

from monitor.models import PLATFORMS
from monitor.secrets import mask_url_passwords
from monitor.validation import describe_error, format_loc
from monitor.vocabulary import CATEGORIES, ROLES, URGENCIES, ChannelKind
from monitor.watch import WatchedAccount, WatchList

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_DIR = PROJECT_ROOT / "config"
# Relative paths in the config files (the SQLite file, var/mail, var/digests, a replay file)
# resolve against this folder: the project's, whichever config folder is read (--config,
# MONITOR_CONFIG_DIR), unless MONITOR_HOME names another. Before #12 they resolved against the
# config folder's parent, so `--config /etc/iom3-monitor` put the database in /etc/var.
HOME_ENV = "MONITOR_HOME"
DATABASE_URL_ENV = "MONITOR_DATABASE_URL"

CONFIG_FILES = (
    "monitor.toml",
    "channels.toml",
    "accounts.toml",
    "contacts.toml",
    "lexicons.toml",
    "routing.toml",
)


class ConfigError(Exception):
    """The configuration is invalid; `problems` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _known_platform(value: str) -> str:
    if value not in PLATFORMS:
        raise ValueError(f"unknown platform {value!r}; use one of {', '.join(PLATFORMS)}")
    return value


def _env_name(value: str) -> str:
    if not re.fullmatch(r"[A-Z][A-Z0-9_]*", value):
        raise ValueError(
            f"{value!r} is not an environment variable name (use CAPITALS_AND_UNDERSCORES); "
            "write the variable's name here and put the secret itself in the environment"
        )
    return value


def _email_address(value: str) -> str:
    from pydantic import networks
    from pydantic_core import PydanticCustomError

    try:
        return networks.validate_email(value)[1]
    except PydanticCustomError as exc:
        reason = str(exc).removeprefix("value is not a valid email address: ")
        raise ValueError(
            f"{value!r} is not an email address ({reason}); write it as name@example.org"
        ) from None


Platform = Annotated[str, AfterValidator(_known_platform)]
EmailAddress = Annotated[str, AfterValidator(_email_address)]
EnvName = Annotated[str, AfterValidator(_env_name)]
Handle = Annotated[str, Field(min_length=1, pattern=r"^[^\s@]+$")]
Score = Annotated[float, Field(ge=0.0, le=1.0)]


# --- monitor.toml ---------------------------------------------------------------------------
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


# --- channels.toml --------------------------------------------------------------------------
class OfficialChannel(Strict):
    platform: Platform
    handle: Handle
    name: str = ""
    url: str = ""


class SearchSection(Strict):
    terms: list[Annotated[str, Field(min_length=2)]] = Field(min_length=1)
    hashtags: list[Annotated[str, Field(pattern=r"^#\w+$")]] = Field(default_factory=list)


class ChannelsFile(Strict):
    official: list[OfficialChannel] = Field(min_length=1)
    search: SearchSection


# --- accounts.toml --------------------------------------------------------------------------
class RegisteredAccount(Strict):
    platform: Platform
    handle: Handle
    kind: Literal[ChannelKind.ASV_COMMITTEE, ChannelKind.ASV_PERSONAL] = ChannelKind.ASV_COMMITTEE
    committee: str = ""
    admins: list[str] = Field(default_factory=list)
    comms_access: bool = False
    registered_on: date | None = None
    logo_approved: bool = False
    # The monthly report card (what went well, what to look at) to the account's admins, with a
    # copy to [report_cards] copy_role. Opt-in per committee: it goes to people outside IOM3 staff.
    report_card: bool = False
    admin_emails: list[EmailAddress] = Field(default_factory=list)

    @model_validator(mode="after")
    def _report_card_needs_addresses(self) -> RegisteredAccount:
        who = f"{self.committee or 'the account'} ({self.platform} @{self.handle})"
        if self.report_card and self.kind != ChannelKind.ASV_COMMITTEE:
            raise ValueError(
                f"report_card = true for {who}, a personal account: report cards are for committee "
                "accounts; remove report_card"
            )
        if self.report_card and not self.admin_emails:
            raise ValueError(
                f"report_card = true for {who} but no admin_emails: add the admins' addresses, e.g. "
                'admin_emails = ["name@example.org"], or set report_card = false'
            )
        return self


class AccountsFile(Strict):
    account: list[RegisteredAccount] = Field(default_factory=list)


# --- contacts.toml --------------------------------------------------------------------------
class Deputy(Strict):
    """Who stands in for a role: told with it in the safeguarding lane, and instead of it on leave."""

    name: str = Field(min_length=1)
    email: EmailStr
    title: str = ""
    # The NAME of a variable holding Apprise URL(s) (Teams, Slack, SMS ...), as for the role.
    chat_env: EnvName | None = None


class Contact(Strict):
    name: str = Field(min_length=1)
    email: EmailStr
    title: str = ""
    # The NAME of the environment variable holding this role's Apprise URL(s), space separated
    # (e.g. a Teams or Slack webhook, an SMS gateway): the URL holds a token, so never the file.
    # Used for the top severity and the safeguarding lane, beside the email.
    chat_env: EnvName | None = None
    deputy: Deputy | None = None
    # On leave: the deputy is told instead (and the role's own inbox still gets a copy).
    away: bool = False

    @model_validator(mode="after")
    def _away_needs_a_deputy(self) -> Contact:
        if self.away and self.deputy is None:
            raise ValueError("away = true needs a [roles.<role>.deputy] to stand in")
        return self


class ContactsFile(Strict):
    roles: dict[Literal[ROLES], Contact]  # type: ignore[valid-type]

    @field_validator("roles")
    @classmethod
    def _every_role(cls, value: dict[str, Contact]) -> dict[str, Contact]:
        missing = [role for role in ROLES if role not in value]
        if missing:
            raise ValueError(
                f"no contact for role(s) {', '.join(missing)}; add a [roles.<role>] table for each"
            )
        return value


# --- lexicons.toml --------------------------------------------------------------------------
class CueGroup(Strict):
    weight: Score
    terms: list[Annotated[str, Field(min_length=2)]] = Field(min_length=1)
    negatable: bool = False
    reportable: bool = False
    exact_case: bool = False
    modifier: bool = False  # only adjusts a score another group of the category has started


class Category(Strict):
    clause: str = Field(min_length=1)
    # What the policy asks the reader of an alert to do; quoted in the email.
    advice: str = Field(min_length=1)
    threshold: Score = 0.5
    stricter_threshold: Score | None = None  # in a regulated (election) period
    # A flag at or above `threshold` is shown for review (digest, explain, mentions); it is emailed
    # only at or above this stricter point (None: the threshold itself).
    alert_threshold: Score | None = None

    def alert_at(self) -> float:
        return self.threshold if self.alert_threshold is None else max(self.alert_threshold, self.threshold)

    cues: dict[str, CueGroup] = Field(min_length=1)


class LexiconsFile(Strict):
    complaint: Category
    crisis: Category
    defamation: Category
    press: Category
    harassment: Category
    discrimination: Category
    safeguarding: Category
    disclosure: Category
    confidentiality: Category
    political: Category
    brand_name: Category
    disclaimer: Category
    logo: Category
    copyright: Category

    def category(self, name: str) -> Category:
        return getattr(self, name)


# --- routing.toml --------------------------------------------------------------------------
Minutes = Annotated[int, Field(ge=0, le=7 * 24 * 60)]


class Timing(Strict):
    """Like Alertmanager's: wait before the first email, between updates, before a repeat."""

    group_wait: Minutes = 0
    group_interval: Minutes = 30
    repeat_interval: Minutes = 240
    # Posts outside any thread join an open incident of their category whose posts share one of
    # their flagged words, if posted within this many minutes of its first: one topic, one thread.
    topic_window: Minutes = 120


class Route(Strict):
    """Flags matching every given field go to `role` with this urgency. First match wins."""

    name: str = Field(min_length=1)
    categories: list[Literal[CATEGORIES]] = Field(min_length=1)  # type: ignore[valid-type]
    channel_kinds: list[Literal["official", "asv_committee", "asv_personal", "public"]] | None = None
    platforms: list[Platform] | None = None
    levels: list[Literal["high", "normal"]] | None = None
    # What the flag was raised on: a post's words ("text") or the logo seen in its image
    # ("image", monitor/media/). Unset: either.
    evidence: list[Literal["text", "image"]] | None = None
    role: Literal[ROLES]  # type: ignore[valid-type]
    urgency: Literal[URGENCIES]  # type: ignore[valid-type]
    group_wait: Minutes | None = None
    group_interval: Minutes | None = None
    repeat_interval: Minutes | None = None

    def timing(self, defaults: Timing) -> Timing:
        return Timing(
            group_wait=defaults.group_wait if self.group_wait is None else self.group_wait,
            group_interval=defaults.group_interval if self.group_interval is None else self.group_interval,
            repeat_interval=defaults.repeat_interval
            if self.repeat_interval is None
            else self.repeat_interval,
            topic_window=defaults.topic_window,
        )


class Inhibit(Strict):
    """While an incident of category `when` is open on a thread, flags of `fold` there join it."""

    when: Literal[CATEGORIES]  # type: ignore[valid-type]
    fold: list[Literal[CATEGORIES]] = Field(min_length=1)  # type: ignore[valid-type]


# One severity scale (alerts/severity.py): what the subject, colour band and headers show.
SEVERITIES = ("critical", "high", "medium", "low")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ClockTime = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]


class Lane(Strict):
    """The safeguarding lane: always sent at once, to the role and its deputy; nothing mutes it."""

    categories: list[Literal[CATEGORIES]] = Field(  # type: ignore[valid-type]
        default_factory=lambda: ["safeguarding", "disclosure"], min_length=1
    )


class Escalation(Strict):
    """Who is told next when nobody acknowledges: each role in `chain` after the incident's own,
    once the incident has gone `ack_timeout[severity]` minutes unacknowledged since the last step."""

    chain: list[Literal[ROLES]] = Field(min_length=2)  # type: ignore[valid-type]
    ack_timeout: dict[Literal[SEVERITIES], Annotated[int, Field(ge=5, le=7 * 24 * 60)]] = Field(  # type: ignore[valid-type]
        min_length=1
    )

    @field_validator("chain")
    @classmethod
    def _each_once(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("a role appears twice in the chain; list each once, lowest first")
        return value


class QuietHours(Strict):
    """Outside working hours, emails of the `hold` severities wait for the next working morning."""

    working_days: list[Literal[WEEKDAYS]] = Field(  # type: ignore[valid-type]
        default_factory=lambda: ["mon", "tue", "wed", "thu", "fri"], min_length=1
    )
    start: ClockTime = "09:00"
    end: ClockTime = "17:30"
    bank_holidays: list[date] = Field(default_factory=list)
    hold: list[Literal[SEVERITIES]] = Field(default_factory=lambda: ["medium"])  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _sane(self) -> QuietHours:
        if self.end <= self.start:
            raise ValueError(f"end ({self.end}) must be after start ({self.start})")
        if "critical" in self.hold:
            raise ValueError(
                "critical alerts (a person at risk, the safeguarding lane) are never held; remove "
                '"critical" from hold'
            )
        return self


class SilencePolicy(Strict):
    # A silence longer than this is refused: a forgotten one would mute alerts for months.
    max_hours: float = Field(default=168, gt=0, le=24 * 90)


class RoutingFile(Strict):
    timing: Timing = Timing()
    # A flag scores "high" at or above this, or when its author has at least high_reach_followers.
    high_score: Score = 0.8
    route: list[Route] = Field(min_length=1)
    inhibit: list[Inhibit] = Field(default_factory=list)
    lane: Lane = Lane()
    # What the reader should do now, by category and then by role (contacts.toml): the advice
    # for the person reading the email, not the volunteers' policy (that is quoted as the clause).
    advice: dict[Literal[CATEGORIES], dict[Literal[ROLES], Annotated[str, Field(min_length=1)]]] = Field(  # type: ignore[valid-type]
        default_factory=dict
    )
    escalation: Escalation | None = None
    quiet_hours: QuietHours | None = None
    silences: SilencePolicy = SilencePolicy()

    @model_validator(mode="after")
    def _nothing_mutes_the_lane(self) -> RoutingFile:
        lane = set(self.lane.categories)
        problems = []
        for index, route in enumerate(self.route):
            inside = lane & set(route.categories)
            if inside and (route.urgency != "immediate" or (route.group_wait or 0) > 0):
                problems.append(
                    f"route[{index}] ({route.name}): {', '.join(sorted(inside))} is in the "
                    'safeguarding lane, so its route must be urgency = "immediate" with no group_wait'
                )
        for index, rule in enumerate(self.inhibit):
            if inside := lane & set(rule.fold):
                problems.append(
                    f"inhibit[{index}]: {', '.join(sorted(inside))} is in the safeguarding lane and "
                    "cannot be folded into another incident"
                )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @model_validator(mode="after")
    def _advice_for_every_reader(self) -> RoutingFile:
        missing = sorted(
            f"[advice.{category}] {role}"
            for category, role in self.readers()
            if role not in self.advice.get(category, {})
        )
        if missing:
            raise ValueError(
                "no advice for the reader: "
                + ", ".join(missing)
                + ". Say what that role should do now when it receives that category"
            )
        return self

    def readers(self) -> set[tuple[str, str]]:
        """Every (category, role) an email can go to: the routes, then the escalation chain above."""
        pairs = set()
        climbing = {"immediate"} if self.escalation else set()
        if self.escalation and set(self.escalation.ack_timeout) & {"medium"}:
            climbing.add("same_day")
        for route in self.route:
            if route.urgency == "digest":
                continue
            for category in route.categories:
                pairs.add((category, route.role))
                if self.escalation and route.urgency in climbing and route.role in self.escalation.chain:
                    above = self.escalation.chain[self.escalation.chain.index(route.role) + 1 :]
                    pairs.update((category, role) for role in above)
        return pairs

    def advice_for(self, category: str, role: str) -> str:
        return self.advice.get(category, {}).get(role, "")

    @model_validator(mode="after")
    def _every_category_has_a_route(self) -> RoutingFile:
        catch_all = {
            c
            for r in self.route
            if not (r.channel_kinds or r.platforms or r.levels or r.evidence)
            for c in r.categories
        }
        missing = [c for c in CATEGORIES if c not in catch_all]
        if missing:
            raise ValueError(
                f"no route takes every {', '.join(missing)} flag: add a [[route]] for them with no "
                "channel_kinds, platforms, levels or evidence, so none is ever dropped"
            )
        return self


# --- the whole configuration ----------------------------------------------------------------
class Config(Strict):
    """Everything the monitor reads at start, validated. Paths are resolved against `root`."""

    root: Path
    config_dir: Path
    monitor: MonitorFile
    channels: ChannelsFile
    accounts: AccountsFile
    contacts: ContactsFile
    lexicons: LexiconsFile
    routing: RoutingFile

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.monitor.monitor.timezone)

    def path(self, configured: str) -> Path:
        path = Path(configured)
        return path if path.is_absolute() else self.root / path

    def database_url(self) -> str:
        """The environment's URL (which may hold a password) wins over the file's."""
        url = os.environ.get(DATABASE_URL_ENV) or self.monitor.database.url
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            db_path = self.path(parsed.database)
            db_path.parent.mkdir(parents=True, exist_ok=True)
            url = parsed.set(database=str(db_path)).render_as_string(hide_password=False)
        return url

    def watch_list(self) -> WatchList:
        """What the connectors need from the configuration, and nothing else."""
        return WatchList(
            official=tuple(WatchedAccount(c.platform, c.handle, "official") for c in self.channels.official),
            accounts=tuple(WatchedAccount(a.platform, a.handle, str(a.kind)) for a in self.accounts.account),
            terms=tuple(self.channels.search.terms),
            hashtags=tuple(self.channels.search.hashtags),
            root=self.root,
        )

    def display(self, name: str) -> str:
        """How problems name a file of this configuration (`config/monitor.toml`)."""
        return _display(self.config_dir / name)

    def contact(self, role: str) -> Contact:
        return self.contacts.roles[role]

    def with_overrides(self, **monitor_sections: Any) -> Config:
        """A copy with some monitor.toml sections replaced (used by `demo` and tests)."""
        monitor = self.monitor.model_copy(update=monitor_sections)
        return self.model_copy(update={"monitor": monitor})


_FILE_MODELS: dict[str, type[Strict]] = {
    "monitor.toml": MonitorFile,
    "channels.toml": ChannelsFile,
    "accounts.toml": AccountsFile,
    "contacts.toml": ContactsFile,
    "lexicons.toml": LexiconsFile,
    "routing.toml": RoutingFile,
}


def load_config(config_dir: Path | str | None = None) -> Config:
    """Read and validate every file in `config_dir`; raise ConfigError listing every problem."""
    config_dir = Path(config_dir or os.environ.get("MONITOR_CONFIG_DIR") or DEFAULT_CONFIG_DIR).resolve()
    problems: list[str] = []
    parsed: dict[str, Any] = {}
    for name, model in _FILE_MODELS.items():
        path = config_dir / name
        shown = _display(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            problems.append(f"{shown}: file is missing (copy it from the project's config/ folder)")
            continue
        except UnicodeDecodeError as exc:
            problems.append(
                f"{shown}: not UTF-8 (byte 0x{exc.object[exc.start]:02x} at byte {exc.start + 1}); "
                "save it as UTF-8"
            )
            continue
        except tomllib.TOMLDecodeError as exc:
            problems.append(f"{shown}: not valid TOML: {mask_url_passwords(str(exc))}")
            continue
        try:
            parsed[name] = model.model_validate(data)
        except ValidationError as exc:
            problems.extend(
                f"{shown}: {format_loc(err['loc'])}: {mask_url_passwords(describe_error(err))}"
                for err in exc.errors()
            )
    if not problems:
        problems.extend(_cross_checks(parsed, config_dir))
    if problems:
        raise ConfigError(problems)
    return Config(
        root=Path(os.environ.get(HOME_ENV) or PROJECT_ROOT).resolve(),
        config_dir=config_dir,
        monitor=parsed["monitor.toml"],
        channels=parsed["channels.toml"],
        accounts=parsed["accounts.toml"],
        contacts=parsed["contacts.toml"],
        lexicons=parsed["lexicons.toml"],
        routing=parsed["routing.toml"],
    )


def _cross_checks(parsed: dict[str, Any], config_dir: Path) -> list[str]:
    """Checks that span files. (Each connector checks its own table: connectors.settings_problems.)"""
    problems: list[str] = []
    monitor_shown = _display(config_dir / "monitor.toml")
    # The bundled sample week is made up; mailed by SMTP its alerts reach the real people in
    # contacts.toml (issue #12, point 8). `demo` replays it into its own database and Maildir.
    replay = parsed["monitor.toml"].connectors.get("replay") or {}
    sample = PROJECT_ROOT / "monitor" / "sample_data" / "mentions.jsonl"
    replay_path = Path(str(replay.get("path", sample)))
    home = Path(os.environ.get(HOME_ENV) or PROJECT_ROOT)
    replays_sample = (replay_path if replay_path.is_absolute() else home / replay_path).resolve() == sample
    if replay.get("enabled", True) and replays_sample and parsed["monitor.toml"].mail.transport == "smtp":
        problems.append(
            f"{monitor_shown}: connectors.replay: replays the bundled sample week with [mail] "
            'transport = "smtp", which would email made-up alerts to the real people in '
            "contacts.toml; set enabled = false there (use `run_monitor.py demo` to see the sample)"
        )

    accounts_shown = _display(config_dir / "accounts.toml")
    seen: set[tuple[str, str]] = set()
    official = {(c.platform, c.handle.lower()) for c in parsed["channels.toml"].official}
    for index, account in enumerate(parsed["accounts.toml"].account):
        key = (account.platform, account.handle.lower())
        if key in seen:
            problems.append(
                f"{accounts_shown}: account[{index}]: {account.platform} @{account.handle} "
                "is registered twice"
            )
        if key in official:
            problems.append(
                f"{accounts_shown}: account[{index}]: {account.platform} @{account.handle} is an "
                "official channel (channels.toml); list it in one file only"
            )
        seen.add(key)
    return problems


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
