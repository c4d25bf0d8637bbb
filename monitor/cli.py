"""`run_monitor.py`: the command line the Communications team and operators use."""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import signal
import sys
import threading
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import selectinload

from alerts.incidents import IncidentError, acknowledge, add_silence, notify_due, resolve
from alerts.outbox import enqueue, flush
from alerts.transports import MaildirTransport, transport_from_config
from connectors import check_settings, enabled_connectors
from connectors.replay import SAMPLE_PATH, ReplayConnector
from connectors.replay import Settings as ReplaySettings
from monitor import registry
from monitor.audit import audit_email, build_audit
from monitor.audit import render_html as render_audit_html
from monitor.config import CATEGORIES, Config, ConfigError, DatabaseSection, RegisteredAccount, load_config
from monitor.digest import build_digest, digest_email
from monitor.digest import render as render_digest
from monitor.digest import save as save_digest
from monitor.explain import explanation_json, explanation_table
from monitor.lock import AlreadyRunning, monitor_lock
from monitor.models import PLATFORMS, ChannelKind
from monitor.pipeline import context_for, in_official_thread, logo_approvals, rescore, run_pass
from monitor.redact import configure_logging
from monitor.scheduler import Monitor
from monitor.schema import AssessmentRow, MentionRow
from monitor.score_file import ScoreFileError, score_csv
from monitor.scoring import Context, Scorer
from monitor.secrets import mask
from monitor.status import status_tables
from monitor.store import open_store
from monitor.summary import incident_detail, incidents_table, mentions_table, pass_tables, print_tables

EXIT_CONFIG = 2
EXIT_DATABASE = 3

DESCRIPTION = """\
IOM3 social listening and escalation monitor.

Reads mentions of IOM3 from the official channels and registered ASV accounts, scores each
for policy risk, and emails the right person. Start with `demo` to see it work on the bundled
sample week; `check-config` after editing anything in config/.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="run_monitor.py", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--config",
        metavar="DIR",
        help="folder with the TOML files (default: config/ in the project, or $MONITOR_CONFIG_DIR)",
    )
    parser.add_argument(
        "--database",
        metavar="URL",
        help="use this database instead of the configured one "
        "(e.g. sqlite:///var/demo/monitor.db to look at the demo's)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log each step (level DEBUG)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser(
        "demo",
        help="replay the bundled sample week into a fresh database and show what the monitor does",
        description="Start from nothing under var/demo/: replay the bundled week of sample mentions, "
        "score them, open incidents and write the alert emails to a Maildir you can open in any mail "
        "client. Safe to run again: it starts afresh each time. Your config/ files are used for "
        "channels, accounts, contacts and word lists; the database and mail settings are the demo's.",
    )
    demo.add_argument(
        "--dir", default="var/demo", help="where the demo database and Maildir go (default var/demo)"
    )
    demo.set_defaults(func=cmd_demo)

    once = sub.add_parser(
        "once",
        help="poll every enabled connector once, then score, alert and send",
        description="One full pass: fetch new mentions from every connector enabled in "
        "config/monitor.toml, store them, score them, open incidents and send the emails. Each "
        "connector resumes where its last run stopped.",
    )
    once.set_defaults(func=cmd_once)

    check = sub.add_parser(
        "check-config",
        help="validate the files in config/ and report every problem, one per line",
        description="Validate config/*.toml without running anything. Prints one line per problem: "
        "the file, the key, what is wrong. Exit status 0 when all is well, 2 otherwise.",
    )
    check.set_defaults(func=cmd_check_config)

    mentions = sub.add_parser(
        "mentions",
        help="list stored mentions, newest first, with filters",
        description="List stored mentions with their flags, newest first.",
    )
    mentions.add_argument("--platform", choices=PLATFORMS)
    mentions.add_argument("--kind", choices=[k.value for k in ChannelKind], help="who posted")
    mentions.add_argument("--flagged", action="store_true", help="only mentions the scorer flagged")
    mentions.add_argument(
        "--thread", metavar="KEY", help="one thread, as shown in alert emails (e.g. x:1858...)"
    )
    mentions.add_argument("--author", metavar="HANDLE", help="one author (without @)")
    mentions.add_argument("--search", metavar="TEXT", help="text contains this (ignores case)")
    mentions.add_argument("--since", metavar="YYYY-MM-DD", type=_date, help="posted on or after this day")
    mentions.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")
    mentions.set_defaults(func=cmd_mentions)

    explain = sub.add_parser(
        "explain",
        help="show why a post scores what it does: every category, its evidence and policy clause",
        description="Score one post and show, for every category, the score, the threshold it is "
        "flagged at, the words and figures behind it and the policy clause. Give the text, or "
        "--mention ID for a stored mention (the # column of `mentions`).",
    )
    explain.add_argument("text", nargs="?", help="the post's text (quote it)")
    explain.add_argument("--mention", type=int, metavar="ID", help="a stored mention instead of a text")
    explain.add_argument(
        "--kind", choices=[k.value for k in ChannelKind], help="who posted it (default: unknown)"
    )
    explain.add_argument("--platform", choices=PLATFORMS)
    explain.add_argument("--reach", type=int, metavar="FOLLOWERS", help="the author's followers")
    explain.add_argument("--json", action="store_true", help="print JSON instead of a table")
    explain.set_defaults(func=cmd_explain)

    rescore = sub.add_parser(
        "rescore",
        help="re-score stored mentions after config/lexicons.toml changed (sends no emails)",
        description="Score again every stored mention last scored with other words or thresholds. "
        "The new scores replace the old; no email is sent for old posts.",
    )
    rescore.set_defaults(func=cmd_rescore)

    score_file = sub.add_parser(
        "score-file",
        help="score a CSV of posts and write it back with a score and flag column per category",
        description="Score every row of a CSV (an export from another tool, a spreadsheet) and write "
        "it back with, for every category, <category>_score (0..1) and <category>_flag "
        "(True/False), the sentiment, and a `flags` column. Streams: any size of file.",
    )
    score_file.add_argument("csv", type=Path, help="the CSV file to score")
    score_file.add_argument(
        "--text-column", required=True, metavar="NAME", help="the column holding the post text"
    )
    score_file.add_argument(
        "--out", type=Path, help="where to write (default: NAME.scored.csv beside the input)"
    )
    score_file.add_argument(
        "--kind-column",
        metavar="NAME",
        help="optional column saying who posted (official, asv_committee, asv_personal, public)",
    )
    score_file.add_argument("--reach-column", metavar="NAME", help="optional column of follower counts")
    score_file.add_argument("--encoding", default="utf-8", help="the file's text encoding (default utf-8)")
    score_file.set_defaults(func=cmd_score_file)

    incidents = sub.add_parser(
        "incidents",
        help="list, show, acknowledge, resolve and silence incidents",
        description="Incidents are the flagged mentions of one thread, emailed as one thread. "
        "Acknowledge one to stop its repeat emails; resolve it when it is dealt with; silence a "
        "thread, an author or a term to raise no alerts for it until a time.",
    )
    isub = incidents.add_subparsers(dest="action", required=True, metavar="ACTION")
    ilist = isub.add_parser("list", help="open and acknowledged incidents (--all for every one)")
    ilist.add_argument("--all", action="store_true", help="resolved and folded ones too")
    ishow = isub.add_parser("show", help="one incident: its mentions, emails and history")
    ishow.add_argument("id", type=int)
    for name, text in (
        ("ack", "someone is on it: no more repeat emails"),
        ("resolve", "dealt with: no more emails"),
    ):
        action = isub.add_parser(name, help=text)
        action.add_argument("id", type=int)
        action.add_argument(
            "--by", default=os.environ.get("USER", "someone"), help="who (default: your login)"
        )
    silence = isub.add_parser("silence", help="no alerts for a thread, an author or a term until a time")
    target = silence.add_mutually_exclusive_group(required=True)
    target.add_argument("--thread", metavar="KEY", help="a thread key, as in the alert email (x:1858...)")
    target.add_argument("--author", metavar="HANDLE", help="an author's handle")
    target.add_argument("--term", metavar="TEXT", help="posts containing this text (ignores case)")
    until = silence.add_mutually_exclusive_group(required=True)
    until.add_argument("--until", type=_moment, metavar="'YYYY-MM-DD HH:MM'", help="London time")
    until.add_argument("--hours", type=float, help="for this many hours from now")
    silence.add_argument("--reason", default="", help="why, for whoever reads the list later")
    silence.add_argument("--by", default=os.environ.get("USER", "someone"))
    incidents.set_defaults(func=cmd_incidents)

    digest = sub.add_parser(
        "digest",
        help="the daily digest: a day in figures, charts, incidents and the posts that matter",
        description="Build the daily digest for one London day (default: yesterday). It is saved as "
        "HTML (with its charts), text and a CSV of the day's flagged mentions under [digest] folder; "
        "--send also emails it to the [digest] recipients.",
    )
    digest.add_argument("--date", type=_day, metavar="YYYY-MM-DD", help="the day (default: yesterday)")
    digest.add_argument("--send", action="store_true", help="email it too")
    digest.set_defaults(func=cmd_digest)

    audit = sub.add_parser(
        "audit",
        help="audit every registered ASV account against the policy (access, dormancy, content)",
        description="Check every account in config/accounts.toml: does the Comms team have access, is "
        "it dormant, what were its posts flagged for; and list accounts carrying IOM3's name that are "
        "not registered. Saved as HTML and CSV under [audit] folder; --send emails the Head of Marketing.",
    )
    audit.add_argument(
        "--since", type=_day, metavar="YYYY-MM-DD", help="start (default: [audit] period_days ago)"
    )
    audit.add_argument("--until", type=_day, metavar="YYYY-MM-DD", help="end, exclusive (default: today)")
    audit.add_argument("--send", action="store_true", help="email it too")
    audit.set_defaults(func=cmd_audit)

    accounts = sub.add_parser(
        "accounts",
        help="the ASV account registry: list, add, import a CSV, remove",
        description="Edit config/accounts.toml, the registry of ASV accounts, and exchange it as CSV.",
    )
    asub = accounts.add_subparsers(dest="action", required=True, metavar="ACTION")
    alist = asub.add_parser("list", help="every registered account")
    alist.add_argument("--csv", type=Path, metavar="FILE", help="write the registry to this CSV file")
    aadd = asub.add_parser("add", help="register (or update) one account")
    aadd.add_argument("--platform", choices=PLATFORMS, required=True)
    aadd.add_argument("--handle", required=True)
    aadd.add_argument("--kind", choices=["asv_committee", "asv_personal"], default="asv_committee")
    aadd.add_argument("--committee", default="")
    aadd.add_argument("--admins", default="", help="names separated by semicolons")
    aadd.add_argument("--comms-access", action="store_true", help="the Comms team can log in to it")
    aadd.add_argument("--logo-approved", action="store_true", help="approved to use the IOM3 logo")
    aadd.add_argument("--registered-on", type=_day, metavar="YYYY-MM-DD")
    aimport = asub.add_parser("import", help="add or update every account in a CSV (columns as `list --csv`)")
    aimport.add_argument("csv", type=Path)
    aremove = asub.add_parser("remove", help="take one account off the registry")
    aremove.add_argument("platform", choices=PLATFORMS)
    aremove.add_argument("handle")
    accounts.set_defaults(func=cmd_accounts)

    run = sub.add_parser(
        "run",
        help="run as a service: poll, score, alert, send, and build the digest and audit on schedule",
        description="Run until stopped (Ctrl-C or SIGTERM), on the [schedule] in config/monitor.toml. "
        "A running job finishes its batch and commits before the monitor stops; a restart resumes. "
        "Only one monitor can run against a database: a second one refuses to start.",
    )
    run.set_defaults(func=cmd_run)

    status = sub.add_parser(
        "status",
        help="each connector's last run and next one, rate limits, errors and fixes; outbox; incidents",
        description="What the monitor is doing, read from the database (works while `run` is running).",
    )
    status.set_defaults(func=cmd_status)
    return parser


def _date(value: str) -> datetime:
    try:
        return datetime.combine(datetime.fromisoformat(value).date(), time(0), tzinfo=UTC)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date; write it as YYYY-MM-DD") from None


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date; write it as YYYY-MM-DD") from None


def _moment(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a time; write it as 'YYYY-MM-DD HH:MM'") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("Europe/London"))


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    console = Console()
    try:
        config = load_config(args.config)
        check_settings(config)  # each connector validates its own [connectors.<name>] table
    except ConfigError as exc:
        print("The configuration has problems; nothing was run:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_CONFIG
    level = "DEBUG" if args.verbose else config.monitor.monitor.log_level
    configure_logging(level, fmt=config.monitor.monitor.log_format)
    if not args.verbose:
        logging.getLogger("alembic").setLevel(logging.WARNING)  # "Running upgrade" is noise here
    try:
        return int(args.func(args, config, console) or 0)
    except OperationalError as exc:
        print(
            f"Cannot use the database: {str(exc.orig).strip().splitlines()[0]}\n"
            "Check [database] url in config/monitor.toml (or $MONITOR_DATABASE_URL, or --database) "
            "and that the database server is running.",
            file=sys.stderr,
        )
        return EXIT_DATABASE


def cmd_check_config(args: argparse.Namespace, config: Config, console: Console) -> int:
    url = args.database or config.database_url()
    console.print(f"[green]OK[/green] configuration in {config.config_dir}")
    console.print(f"  database: {_shown_url(url)}")
    mail = config.monitor.mail
    console.print(
        f"  mail: {mail.transport}"
        + (f" to {config.path(mail.maildir)}" if mail.transport == "maildir" else "")
    )
    console.print(
        f"  official channels: {len(config.channels.official)}; "
        f"registered ASV accounts: {len(config.accounts.account)}"
    )
    for connector in enabled_connectors(config):
        missing = [env for env in connector.token_envs() if not os.environ.get(env)]
        found = [f"{env} ({mask(os.environ[env])})" for env in connector.token_envs() if env not in missing]
        if missing:
            console.print(
                f"  connector {connector.name}: enabled, [yellow]{', '.join(missing)} "
                f"{'is' if len(missing) == 1 else 'are'} not set[/yellow]: it will be skipped until "
                + ("it is" if len(missing) == 1 else "they are")
            )
        elif found:
            console.print(f"  connector {connector.name}: enabled, token in {', '.join(found)}")
        else:
            console.print(f"  connector {connector.name}: enabled")
    return 0


def cmd_demo(args: argparse.Namespace, config: Config, console: Console) -> int:
    demo_dir = config.path(args.dir)
    if demo_dir.exists():
        shutil.rmtree(demo_dir)
    demo_dir.mkdir(parents=True)
    config = config.with_overrides(
        database=DatabaseSection(url=f"sqlite:///{demo_dir / 'monitor.db'}"),
        mail=config.monitor.mail.model_copy(
            update={"transport": "maildir", "maildir": str(demo_dir / "mail")}
        ),
    )
    sessions = open_store(config, config.monitor.database.url)
    replay = ReplayConnector(ReplaySettings(path=str(SAMPLE_PATH)), config.watch_list())
    transport = MaildirTransport(demo_dir / "mail")
    console.print(f"Replaying the sample week ({SAMPLE_PATH.name}) into {demo_dir / 'monitor.db'} ...")
    result = run_pass(sessions, config, [replay], transport)
    # Let the routes' group waits (a few minutes) pass, as a running monitor would.
    later = datetime.now(UTC) + timedelta(minutes=max_group_wait(config) + 1)
    result.routed.emails_queued += notify_due(sessions, config, clock=lambda: later)
    late = flush(sessions, transport, now=later)
    result.flushed.sent += late.sent
    result.flushed.failed += late.failed
    zone = config.timezone
    with sessions() as session:
        print_tables(console, [*pass_tables(session, result, config.routing), incidents_table(session, zone)])
    mail_dir = _shown_path(demo_dir / "mail")
    console.print(
        f"\n{result.flushed.sent} emails written to the Maildir [bold]{mail_dir}[/bold] "
        f"(one file each in {mail_dir}/new; open the folder with any mail client, e.g. "
        f"`mutt -f {mail_dir}`).\nList what was flagged:\n  python run_monitor.py "
        f"--database sqlite:///{_shown_path(demo_dir / 'monitor.db')} mentions --flagged"
    )
    return 0 if result.flushed.failed == 0 else 1


def cmd_once(args: argparse.Namespace, config: Config, console: Console) -> int:
    sessions = open_store(config, args.database)
    connectors = enabled_connectors(config)
    if not connectors:
        console.print("No connector is enabled in config/monitor.toml; nothing to poll.")
        return 1
    result = run_pass(sessions, config, connectors, transport_from_config(config))
    with sessions() as session:
        print_tables(console, pass_tables(session, result, config.routing))
    problems = [r for r in result.ingested if r.status != "ok"]
    for r in problems:
        console.print(f"[yellow]{r.connector}[/yellow]: {r.status}. {r.error}")
        for line in r.skipped[:10]:
            console.print(f"  skipped {line}")
    for error in result.flushed.errors:
        console.print(f"[red]email not sent[/red]: {error}")
    return 1 if any(r.status == "failed" for r in result.ingested) or result.flushed.failed else 0


def cmd_mentions(args: argparse.Namespace, config: Config, console: Console) -> int:
    sessions = open_store(config, args.database)
    query = select(MentionRow).options(selectinload(MentionRow.assessments))
    if args.platform:
        query = query.where(MentionRow.platform == args.platform)
    if args.kind:
        query = query.where(MentionRow.channel_kind == args.kind)
    if args.author:
        query = query.where(MentionRow.author_handle.ilike(args.author.lstrip("@")))
    if args.search:
        query = query.where(MentionRow.text.ilike(f"%{args.search}%"))
    if args.since:
        query = query.where(MentionRow.created_at >= args.since)
    if args.thread:
        platform, _, thread = args.thread.partition(":")
        query = query.where(
            MentionRow.platform == platform,
            (MentionRow.thread_id == thread) | (MentionRow.platform_id == thread),
        )
    if args.flagged:
        query = query.where(MentionRow.assessments.any(AssessmentRow.flagged.is_(True)))
    query = query.order_by(MentionRow.created_at.desc(), MentionRow.id.desc()).limit(args.limit)
    with sessions() as session:
        console.print(mentions_table(session, query, config.timezone))
    return 0


def max_group_wait(config: Config) -> int:
    return max([config.routing.timing.group_wait, *(r.group_wait or 0 for r in config.routing.route)])


def _shown_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return parsed.set(password=mask(parsed.password)).render_as_string() if parsed.password else url


def _shown_path(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def cmd_explain(args: argparse.Namespace, config: Config, console: Console) -> int:
    scorer = Scorer(config.lexicons, config.monitor.scoring)
    if args.mention is not None:
        sessions = open_store(config, args.database)
        with sessions() as session:
            mention = session.get(MentionRow, args.mention)
            if mention is None:
                print(
                    f"No stored mention #{args.mention}; `run_monitor.py mentions` lists them.",
                    file=sys.stderr,
                )
                return 2
            text = mention.text
            context = context_for(
                mention,
                config,
                in_iom3_thread=in_official_thread(session, mention),
                logo_approved=logo_approvals(config),
            )
    elif args.text:
        text = args.text
        context = Context(
            platform=args.platform,
            channel_kind=args.kind,
            author_reach=args.reach,
            high_reach_followers=config.monitor.scoring.high_reach_followers,
        )
    else:
        print("Give the post's text in quotes, or --mention ID.", file=sys.stderr)
        return 2
    assessment = scorer.assess(text, context)
    if args.json:
        print(
            json.dumps(
                explanation_json(text, context, assessment, config.lexicons), indent=2, ensure_ascii=False
            )
        )
    else:
        console.print(explanation_table(text, assessment, config.lexicons))
    return 0


def cmd_rescore(args: argparse.Namespace, config: Config, console: Console) -> int:
    sessions = open_store(config, args.database)
    scorer = Scorer(config.lexicons, config.monitor.scoring)
    before = _flag_counts(sessions)
    count = rescore(sessions, config, scorer)
    after = _flag_counts(sessions)
    console.print(f"Re-scored {count} mention(s) with scorer {scorer.version}.")
    if count:
        table = Table(title="Flags before and after", title_justify="left")
        for column in ("category", "before", "after"):
            table.add_column(column, justify="left" if column == "category" else "right")
        for category in CATEGORIES:
            if before.get(category) or after.get(category):
                table.add_row(category, str(before.get(category, 0)), str(after.get(category, 0)))
        console.print(table)
    return 0


def _flag_counts(sessions) -> dict[str, int]:  # noqa: ANN001
    counts: dict[str, int] = {}
    with sessions() as session:
        for flags in session.scalars(select(AssessmentRow.flags).where(AssessmentRow.flagged.is_(True))):
            for flag in flags:
                counts[flag["category"]] = counts.get(flag["category"], 0) + 1
    return counts


def cmd_score_file(args: argparse.Namespace, config: Config, console: Console) -> int:
    source: Path = args.csv
    if not source.is_file():
        print(f"No such file: {source}", file=sys.stderr)
        return 2
    out = args.out or source.with_name(source.stem + ".scored.csv")
    scorer = Scorer(config.lexicons, config.monitor.scoring)
    with Progress(
        TextColumn("scoring {task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(source.name, total=source.stat().st_size or 1)
        try:
            result = score_csv(
                source,
                out,
                scorer,
                text_column=args.text_column,
                kind_column=args.kind_column,
                reach_column=args.reach_column,
                encoding=args.encoding,
                progress=lambda done, total: bar.update(task, completed=done),
            )
        except ScoreFileError as exc:
            print(str(exc), file=sys.stderr)
            return 2
    flagged = ", ".join(f"{c} {n}" for c, n in result.flagged.items() if n) or "none"
    console.print(f"Scored {result.rows} rows into {result.out}. Flagged: {flagged}.")
    return 0


def cmd_incidents(args: argparse.Namespace, config: Config, console: Console) -> int:
    sessions = open_store(config, args.database)
    now = datetime.now(UTC)
    zone = config.timezone
    try:
        with sessions.begin() as session:
            if args.action == "list":
                console.print(incidents_table(session, zone, everything=args.all))
            elif args.action == "show":
                console.print(incident_detail(session, args.id, zone))
            elif args.action == "ack":
                incident = acknowledge(session, args.id, by=args.by, now=now)
                console.print(f"Incident #{incident.id} acknowledged by {args.by}: no more repeat emails.")
            elif args.action == "resolve":
                incident = resolve(session, args.id, by=args.by, now=now)
                console.print(f"Incident #{incident.id} resolved.")
            else:
                kind, value = next((k, v) for k in ("thread", "author", "term") if (v := getattr(args, k)))
                until = args.until or now + timedelta(hours=args.hours)
                add_silence(
                    session, kind=kind, value=value, until=until, by=args.by, reason=args.reason, now=now
                )
                console.print(f"Silenced {kind} {value!r} until {until.astimezone(zone):%a %d %b %H:%M %Z}.")
    except (IncidentError, ValueError) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    return 0


def cmd_digest(args: argparse.Namespace, config: Config, console: Console) -> int:
    sessions = open_store(config, args.database)
    zone = config.timezone
    day = args.date or (datetime.now(zone).date() - timedelta(days=1))
    with sessions() as session:
        built = build_digest(session, config, day)
    rendered = render_digest(built, config)
    path = save_digest(rendered, config.path(config.monitor.digest.folder) / day.isoformat())
    console.print(rendered.text)
    console.print(f"Saved: {_shown_path(path)} (with its charts and flagged.csv beside it)")
    if args.send:
        recipients = [config.contact(role) for role in config.monitor.digest.recipients]
        by_address: dict[str, str] = {}
        for contact in recipients:  # one copy per address: two roles can share an inbox (contacts.toml)
            by_address.setdefault(contact.email, f"{contact.name} <{contact.email}>")
        to = list(by_address.values())
        now = datetime.now(UTC)
        with sessions.begin() as session:
            enqueue(
                session, digest_email(config, rendered, to=to, now=now, day=day), incident_id=None, now=now
            )
        return _send_queued(sessions, config, console)
    return 0


def cmd_audit(args: argparse.Namespace, config: Config, console: Console) -> int:
    sessions = open_store(config, args.database)
    zone = config.timezone
    until_day = args.until or datetime.now(zone).date()
    since_day = args.since or until_day - timedelta(days=config.monitor.audit.period_days)
    since, until = (datetime.combine(d, time(0), tzinfo=zone) for d in (since_day, until_day))
    with sessions() as session:
        report = build_audit(session, config, since=since, until=until)
    folder = config.path(config.monitor.audit.folder) / until_day.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    html = render_audit_html(report, config)
    (folder / "audit.html").write_text(html, encoding="utf-8")
    report.findings_frame().to_csv(folder / "findings.csv", index=False)
    table = Table(
        title=f"ASV account audit, {since_day} to {until_day}: {len(report.findings)} findings",
        title_justify="left",
    )
    for column in ("account", "finding", "policy clause"):
        table.add_column(column, overflow="fold")
    for finding in report.findings:
        table.add_row(finding.account, finding.finding, finding.clause)
    console.print(table)
    console.print(f"Saved: {_shown_path(folder / 'audit.html')} and findings.csv")
    if args.send:
        contact = config.contact(config.monitor.audit.recipient)
        now = datetime.now(UTC)
        with sessions.begin() as session:
            enqueue(
                session,
                audit_email(config, report, html, to=f"{contact.name} <{contact.email}>", now=now),
                incident_id=None,
                now=now,
            )
        return _send_queued(sessions, config, console)
    return 0


def _send_queued(sessions, config: Config, console: Console) -> int:  # noqa: ANN001
    result = flush(sessions, transport_from_config(config), now=datetime.now(UTC))
    console.print(
        f"Sent {result.sent} email(s)." + (f" Not sent: {'; '.join(result.errors)}" if result.errors else "")
    )
    return 0 if not result.failed else 1


def cmd_accounts(args: argparse.Namespace, config: Config, console: Console) -> int:
    path = config.config_dir / "accounts.toml"
    accounts = list(config.accounts.account)
    try:
        if args.action == "list":
            frame = registry.to_frame(accounts)
            if args.csv:
                frame.to_csv(args.csv, index=False)
                console.print(f"Wrote {len(frame)} account(s) to {args.csv}")
                return 0
            table = Table(title=f"Registered ASV accounts ({len(frame)})", title_justify="left")
            for column in frame.columns:
                table.add_column(column.replace("_", " "), overflow="fold")
            for row in frame.itertuples(index=False):
                table.add_row(*(str(v) for v in row))
            console.print(table)
            return 0
        if args.action == "add":
            account = RegisteredAccount(
                platform=args.platform,
                handle=args.handle.lstrip("@"),
                kind=args.kind,
                committee=args.committee,
                admins=[a.strip() for a in args.admins.split(";") if a.strip()],
                comms_access=args.comms_access,
                logo_approved=args.logo_approved,
                registered_on=args.registered_on,
            )
            updated, added, _ = registry.upsert(accounts, [account])
            registry.write(path, updated)
            console.print(f"{'Registered' if added else 'Updated'} {account.platform} @{account.handle}.")
        elif args.action == "import":
            new = registry.from_csv(args.csv)
            updated, added, replaced = registry.upsert(accounts, new)
            registry.write(path, updated)
            console.print(f"Imported {len(new)} account(s) from {args.csv}: {added} new, {replaced} updated.")
        else:
            registry.write(path, registry.remove(accounts, args.platform, args.handle))
            console.print(f"Removed {args.platform} @{args.handle.lstrip('@')} from the registry.")
    except (registry.RegistryError, ValidationError) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    return 0


EXIT_ALREADY_RUNNING = 4


def cmd_run(args: argparse.Namespace, config: Config, console: Console) -> int:
    sessions = open_store(config, args.database)
    engine = sessions.kw["bind"]
    connectors = enabled_connectors(config)
    try:
        with monitor_lock(engine):
            monitor = Monitor(config, sessions, connectors, transport_from_config(config))
            stop = threading.Event()

            def on_signal(signum: int, _frame: object) -> None:
                logging.getLogger(__name__).info("event=stopping signal=%s", signal.Signals(signum).name)
                monitor.stopping.set()
                stop.set()

            signal.signal(signal.SIGTERM, on_signal)
            signal.signal(signal.SIGINT, on_signal)
            monitor.start()
            names = ", ".join(c.name for c in connectors) or "none"
            console.print(f"Monitor running (connectors: {names}); Ctrl-C or SIGTERM stops it.")
            stop.wait()
            monitor.shutdown()
            console.print("Monitor stopped; the next `run` resumes where this one stopped.")
    except AlreadyRunning as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_ALREADY_RUNNING
    return 0


def cmd_status(args: argparse.Namespace, config: Config, console: Console) -> int:
    sessions = open_store(config, args.database)
    with sessions() as session:
        console.print(status_tables(session, config))
    return 0
