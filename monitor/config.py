"""Load and validate the TOML files in `config/` that the Communications team edits.

Every file is validated strictly (unknown keys are errors, so a typo never silently disables a
rule) and every problem in every file is reported at once, one line each:
`config/monitor.toml: database.url: <what is wrong>`.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy.engine import make_url

from monitor.secrets import mask_url_passwords
from monitor.settings.accounts_file import AccountsFile, RegisteredAccount
from monitor.settings.channels_file import ChannelsFile, OfficialChannel, SearchSection
from monitor.settings.contacts_file import Contact, ContactsFile, Deputy
from monitor.settings.fields import EmailAddress, EnvName, Handle, Platform, Score, Strict
from monitor.settings.lexicons_file import Category, CueGroup, LexiconsFile
from monitor.settings.monitor_file import (
    DATABASE_URL_ENV,
    AuditSection,
    CrisisWindowSection,
    DatabaseSection,
    DigestSection,
    HeartbeatSection,
    MailSection,
    MediaSection,
    MonitorFile,
    MonitorSection,
    RegulatedPeriod,
    ReportCardsSection,
    RetentionSection,
    ScheduleSection,
    ScoringSection,
    SlaSection,
    SmtpSection,
    WebSection,
)
from monitor.settings.routing_file import (
    SEVERITIES,
    WEEKDAYS,
    ClockTime,
    Escalation,
    Inhibit,
    Lane,
    Minutes,
    QuietHours,
    Route,
    RoutingFile,
    SilencePolicy,
    Timing,
)
from monitor.validation import describe_error, format_loc
from monitor.vocabulary import CATEGORIES
from monitor.watch import WatchedAccount, WatchList

# The models of each file live in monitor/settings/; every name this module held before that
# split is still importable from here, so callers need not know where a model is defined.
__all__ = [
    "CATEGORIES",
    "CONFIG_FILES",
    "DATABASE_URL_ENV",
    "DEFAULT_CONFIG_DIR",
    "HOME_ENV",
    "PROJECT_ROOT",
    "SEVERITIES",
    "WEEKDAYS",
    "AccountsFile",
    "AuditSection",
    "Category",
    "ChannelsFile",
    "ClockTime",
    "Config",
    "ConfigError",
    "Contact",
    "ContactsFile",
    "CrisisWindowSection",
    "CueGroup",
    "DatabaseSection",
    "Deputy",
    "DigestSection",
    "EmailAddress",
    "EnvName",
    "Escalation",
    "Handle",
    "HeartbeatSection",
    "Inhibit",
    "Lane",
    "LexiconsFile",
    "MailSection",
    "MediaSection",
    "Minutes",
    "MonitorFile",
    "MonitorSection",
    "OfficialChannel",
    "Platform",
    "QuietHours",
    "RegisteredAccount",
    "RegulatedPeriod",
    "ReportCardsSection",
    "RetentionSection",
    "Route",
    "RoutingFile",
    "ScheduleSection",
    "Score",
    "ScoringSection",
    "SearchSection",
    "SilencePolicy",
    "SlaSection",
    "SmtpSection",
    "Strict",
    "Timing",
    "WebSection",
    "format_loc",
    "load_config",
]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_DIR = PROJECT_ROOT / "config"
# Relative paths in the config files (the SQLite file, var/mail, var/digests, a replay file)
# resolve against this folder: the project's, whichever config folder is read (--config,
# MONITOR_CONFIG_DIR), unless MONITOR_HOME names another. Before #12 they resolved against the
# config folder's parent, so `--config /etc/iom3-monitor` put the database in /etc/var.
HOME_ENV = "MONITOR_HOME"

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
