"""`run_monitor.py run`: the long-running service, on APScheduler 3 in Europe/London time.

Jobs, each never running twice at once (max_instances=1) and with missed runs folded into one
(coalesce):
- `poll:<connector>` every [schedule] poll_minutes (or the connector's own), with jitter; a platform
  that says wait is next polled when it said; one with an open crisis every crisis_poll_minutes;
- `process` every minute: score, look for crises, route, queue the emails that are due;
- `media` every minute: fetch and analyse posts' images (monitor/services/media.py); a logo flag
  it stores has `process` run at once to route it;
- `flush` every minute: send the outbox;
- `digest` daily at digest_time, `audit` weekly on audit_day at audit_time (cron triggers in
  London time: a clock change neither skips nor doubles them);
- `profiles` daily at profiles_time: the registered accounts' profiles, for the audit;
- `report_cards` last month's report cards, from report_card_time on the month's first working
  day (tried at that time on each of the month's first days and once at start, so a monitor that
  was down catches up; a claim row per account and month makes each card go once; none for a
  month the monitor was not polling from its first day)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import exists, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from alerts.compose import make_message
from alerts.incidents import notify_due, route_pending
from alerts.outbox import enqueue, flush
from alerts.transports import Transport, chat_transport
from connectors.base import Connector
from monitor.channels import ChannelDirectory
from monitor.config import Config
from monitor.crisis_watch import detect_crises
from monitor.heartbeat import ping
from monitor.housekeeping import close_stale_runs
from monitor.pipeline import IngestResult, ingest, score_pending
from monitor.reports.months import CATCH_UP_DAYS, WEEKDAYS, card_month_due, month_bounds
from monitor.retention import purge
from monitor.schema import Incident, JobState, utcnow
from monitor.scoring import Scorer
from monitor.services.media import analyse_media
from monitor.services.profiles import official_keys, refresh_profiles
from monitor.services.report_cards import queue_report_cards, watched_since
from monitor.services.reports import produce_audit, produce_digest, queue_audit, queue_digest

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
# Never two runs of one job at once; runs missed while busy or asleep fold into one.
JOB_DEFAULTS = {"max_instances": 1, "coalesce": True, "misfire_grace_time": 15 * 60, "replace_existing": True}


def next_poll(
    now: datetime,
    *,
    normal_minutes: float,
    crisis_minutes: float,
    crisis_open: bool,
    waiting_until: datetime | None,
) -> datetime:
    """When a connector should next poll. Pure: the platform's word first, then a crisis, then normal."""
    if waiting_until is not None and waiting_until > now:
        return waiting_until + timedelta(seconds=5)  # a little after the reset, not on it
    minutes = min(crisis_minutes, normal_minutes) if crisis_open else normal_minutes
    return now + timedelta(minutes=minutes)


def daily_trigger(config: Config, at: str | None = None) -> CronTrigger:
    """Every day at `at` (HH:MM; default the digest time), London time."""
    hour, minute = (at or config.monitor.schedule.digest_time).split(":")
    return CronTrigger(hour=int(hour), minute=int(minute), timezone=config.timezone)


def weekly_trigger(config: Config) -> CronTrigger:
    hour, minute = config.monitor.schedule.audit_time.split(":")
    return CronTrigger(
        day_of_week=config.monitor.schedule.audit_day,
        hour=int(hour),
        minute=int(minute),
        timezone=config.timezone,
    )


def monthly_trigger(config: Config) -> CronTrigger:
    """At report_card_time on each of the days a month's first working day and the catch-up after
    it can fall on; the job itself decides whether cards are due (monitor/reports/months.py)."""
    hour, minute = config.monitor.schedule.report_card_time.split(":")
    return CronTrigger(
        day=f"1-{7 + CATCH_UP_DAYS}", hour=int(hour), minute=int(minute), timezone=config.timezone
    )


class Monitor:
    """The jobs and what they share. The scheduler is injected so tests can drive the jobs."""

    def __init__(
        self,
        config: Config,
        sessions: sessionmaker[Session],
        connectors: list[Connector],
        transport: Transport,
        *,
        scheduler: BaseScheduler | None = None,
        clock: Clock = utcnow,
    ) -> None:
        self.config, self.sessions, self.connectors, self.transport = config, sessions, connectors, transport
        self.clock = clock
        self.stopping = threading.Event()
        self._crashed: list[str] = []  # jobs that crashed since the last heartbeat
        # APScheduler's shutdown holds its job-store lock while it waits for running jobs, so a job
        # that calls into the scheduler then would wait forever. Jobs touch the scheduler only under
        # this lock and only while not stopping; shutdown sets `stopping` under it.
        self._control = threading.Lock()
        self.scheduler = scheduler or BackgroundScheduler(timezone=config.timezone)
        self.directory = ChannelDirectory(config)
        self.scorer = Scorer(config.lexicons, config.monitor.scoring)

    # --- wiring -----------------------------------------------------------------------------
    def add_jobs(self) -> None:
        schedule = self.config.monitor.schedule
        now = self.clock()
        for connector in self.connectors:
            minutes = self.poll_minutes(connector)
            self.scheduler.add_job(
                self.poll,
                IntervalTrigger(minutes=minutes, jitter=schedule.jitter_seconds),
                args=[connector],
                id=f"poll:{connector.name}",
                next_run_time=now,
                **JOB_DEFAULTS,
            )
        self.scheduler.add_job(
            self.process,
            IntervalTrigger(minutes=1),
            id="process",
            next_run_time=now + timedelta(seconds=3),
            **JOB_DEFAULTS,
        )
        self.scheduler.add_job(
            self.media,
            IntervalTrigger(minutes=1),
            id="media",
            next_run_time=now + timedelta(seconds=9),
            **JOB_DEFAULTS,
        )
        self.scheduler.add_job(
            self.flush,
            IntervalTrigger(minutes=1),
            id="flush",
            next_run_time=now + timedelta(seconds=6),
            **JOB_DEFAULTS,
        )
        self.scheduler.add_job(self.digest, daily_trigger(self.config), id="digest", **JOB_DEFAULTS)
        self.scheduler.add_job(self.audit, weekly_trigger(self.config), id="audit", **JOB_DEFAULTS)
        profiles_at = daily_trigger(self.config, schedule.profiles_time)
        self.scheduler.add_job(self.profiles, profiles_at, id="profiles", **JOB_DEFAULTS)
        self.scheduler.add_job(
            self.report_cards,
            monthly_trigger(self.config),
            id="report_cards",
            next_run_time=now + timedelta(seconds=9),  # and once at start: catch up after downtime
            **JOB_DEFAULTS,
        )
        hour, minute = self.config.monitor.retention.purge_time.split(":")
        self.scheduler.add_job(
            self.purge,
            CronTrigger(hour=int(hour), minute=int(minute), timezone=self.config.timezone),
            id="retention",
            **JOB_DEFAULTS,
        )
        self.scheduler.add_listener(self._record, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)

    def poll_minutes(self, connector: Connector) -> float:
        return connector.settings.poll_minutes or self.config.monitor.schedule.poll_minutes

    def start(self) -> None:
        """Start the jobs. The caller holds the monitor lock, so no run of another is live."""
        closed = close_stale_runs(self.sessions, self.clock())
        if closed:
            log.info("event=closed_stale_runs count=%d", closed)
        self.add_jobs()
        self.scheduler.start()
        ping(self.sessions, self.config.monitor.heartbeat, "start", self.clock())

    def shutdown(self) -> None:
        """Let the running jobs finish their batch and commit, then stop."""
        with self._control:
            self.stopping.set()
        self.scheduler.shutdown(wait=True)
        self.transport_close()

    def transport_close(self) -> None:
        close = getattr(self.transport, "close", None)
        if close is not None:
            close()

    # --- jobs -------------------------------------------------------------------------------
    def poll(self, connector: Connector) -> IngestResult:
        result = ingest(self.sessions, connector, self.directory, clock=self.clock, stop=self.stopping.is_set)
        now = self.clock()
        waiting = result.resume_at
        with self.sessions.begin() as session:
            state = _state(session, f"poll:{connector.name}")
            state.waiting_until = waiting
            failed = result.status in ("failed", "skipped")
            state.failures = state.failures + 1 if failed else 0
            if (
                failed
                and state.failures >= self.config.monitor.schedule.failures_before_telling
                and not state.operator_told
            ):
                told = {"connector": connector.name, "recovered": False, "failures": state.failures}
                self._tell_operator(session, told | {"error": result.error}, now)
                state.operator_told = True
            elif not failed and result.status != "rate_limited" and state.operator_told:
                self._tell_operator(session, {"connector": connector.name, "recovered": True}, now)
                state.operator_told = False
            crisis = session.scalar(
                select(
                    exists().where(
                        Incident.category == "crisis",
                        Incident.status.in_(("open", "acknowledged")),
                        Incident.thread_key.startswith(f"{_platform_of(connector)}:"),
                    )
                )
            )
        schedule = self.config.monitor.schedule
        when = next_poll(
            now,
            normal_minutes=self.poll_minutes(connector),
            crisis_minutes=schedule.crisis_poll_minutes,
            crisis_open=bool(crisis),
            waiting_until=waiting,
        )
        if result.stored:
            self._reschedule("process", now)  # new mentions are scored and routed now, not within the minute
        self._reschedule(f"poll:{connector.name}", when)
        log.info(
            "job=poll connector=%s status=%s stored=%d next=%s",
            connector.name,
            result.status,
            result.stored,
            when.isoformat(timespec="seconds"),
        )
        return result

    def process(self) -> None:
        """One cycle; then the heartbeat: success, or fail naming the jobs that crashed since."""
        started = self.clock() - timedelta(minutes=10)  # threads touched recently, with some overlap
        try:
            score_pending(self.sessions, self.config, self.scorer, clock=self.clock)
            detect_crises(self.sessions, self.config, touched_since=started, now=self.clock())
            route_pending(self.sessions, self.config, clock=self.clock)
            if notify_due(self.sessions, self.config, clock=self.clock):
                self._reschedule("flush", self.clock())
        except Exception as exc:
            self._crashed.append(f"process ({type(exc).__name__})")
            raise
        finally:
            crashed, self._crashed = self._crashed, []
            detail = "jobs that crashed: " + ", ".join(crashed) if crashed else ""
            ping(
                self.sessions,
                self.config.monitor.heartbeat,
                "fail" if crashed else "success",
                self.clock(),
                detail=detail,
            )

    def media(self) -> None:
        """The image pass; it stops between images on shutdown and at its deadline ([media])."""
        result = analyse_media(self.sessions, self.config, clock=self.clock, stop=self.stopping.is_set)
        if result.flagged:
            self._reschedule("process", self.clock())  # route the logo flags now, not within the minute
        if result.outcomes or result.left:
            log.info(
                "job=media analysed=%d skipped=%d findings=%d left=%d",
                result.analysed,
                len(result.skipped),
                len(result.flagged),
                result.left,
            )

    def purge(self) -> None:
        """The nightly retention purge (monitor/retention.py)."""
        official = official_keys(self.config)
        result = purge(self.sessions, self.config.monitor.retention, self.clock(), official=official)
        log.info("job=retention %s", result.summary())

    def profiles(self) -> None:
        """The registered accounts' and official channels' profiles (at most once a day each)."""
        result = refresh_profiles(self.sessions, self.config, self.connectors, clock=self.clock)
        log.info("job=profiles %s", result.summary())
        for why in result.stopped.values():  # once per stopped platform, not per account
            log.warning("job=profiles waiting=%s", why)

    def flush(self) -> None:
        # Within the minute before the next flush, and heard between emails by a shutdown.
        result = flush(
            self.sessions, self.transport, now=self.clock(), budget_seconds=50, stop=self.stopping.is_set
        )
        if result.sent or result.failed or result.left_for_next_pass:
            log.info(
                "job=flush sent=%d failed=%d left_for_next_pass=%d resent_unknown=%d",
                result.sent,
                result.failed,
                result.left_for_next_pass,
                result.resent_unknown,
            )
        if (chat := chat_transport(self.config)) is not None:
            # Chat messages (Apprise) get the rest of the minute; a shutdown is heard here too.
            chats = flush(self.sessions, chat, now=self.clock(), budget_seconds=10, stop=self.stopping.is_set)
            if chats.sent or chats.failed or chats.left_for_next_pass:
                log.info(
                    "job=flush kind=chat sent=%d failed=%d left_for_next_pass=%d",
                    chats.sent,
                    chats.failed,
                    chats.left_for_next_pass,
                )

    def digest(self, day: date | None = None) -> None:
        day = day or (self.clock().astimezone(self.config.timezone).date() - timedelta(days=1))
        queue_digest(
            self.sessions, self.config, produce_digest(self.sessions, self.config, day), now=self.clock()
        )
        log.info("job=digest day=%s", day.isoformat())

    def audit(self) -> None:
        until = self.clock()
        since = until - timedelta(days=self.config.monitor.audit.period_days)
        audit = produce_audit(self.sessions, self.config, since=since, until=until)
        queue_audit(self.sessions, self.config, audit, now=until)
        log.info("job=audit findings=%d", len(audit.report.findings))

    def report_cards(self) -> None:
        """Queue last month's report cards if they are due now and not already queued."""
        now = self.clock()
        hour, minute = self.config.monitor.schedule.report_card_time.split(":")
        quiet = self.config.routing.quiet_hours
        month = card_month_due(
            now.astimezone(self.config.timezone),
            at=time(int(hour), int(minute)),
            working_days=quiet.working_days if quiet else WEEKDAYS[:5],
            holidays=quiet.bank_holidays if quiet else (),
        )
        if month is None:
            return
        began = month_bounds(month, self.config.timezone)[0]
        since = watched_since(self.sessions)
        if since is None or since > began:
            # A monitor first started during or after the month saw only part of it: its cards would
            # tell committees they were quiet when the monitor was not looking. The next month's go.
            log.info(
                "job=report_cards month=%s skipped=monitor_started_after_the_month_began", f"{month:%Y-%m}"
            )
            return
        result = queue_report_cards(self.sessions, self.config, month, now)
        if result.queued:
            self._reschedule("flush", now)
        log.info(
            "job=report_cards month=%s queued=%d already=%d",
            f"{month:%Y-%m}",
            len(result.queued),
            len(result.already),
        )

    # --- bookkeeping ------------------------------------------------------------------------
    def _reschedule(self, job_id: str, when: datetime) -> None:
        with self._control:
            if self.stopping.is_set():
                return
            job = self.scheduler.get_job(job_id)
            if job is not None:
                job.modify(next_run_time=when)

    def _tell_operator(self, session: Session, ctx: dict, now: datetime) -> None:
        contact = self.config.contact(self.config.monitor.schedule.operator_role)
        to = f"{contact.name} <{contact.email}>"
        enqueue(session, make_message(self.config, "operator", to, ctx, now=now), incident_id=None, now=now)

    def _record(self, event: JobExecutionEvent) -> None:
        """After each job: write every job's next run where `status` (another process) can read it."""
        if event.exception is not None:
            log.error("job=%s event=crashed error=%s", event.job_id, event.exception)
            if event.job_id != "process":  # process reports its own crash
                self._crashed.append(event.job_id)
        with self._control:
            if self.stopping.is_set():
                return
            jobs = [(job.id, job.next_run_time) for job in self.scheduler.get_jobs()]
        with self.sessions.begin() as session:
            for job_id, next_run_at in jobs:
                state = _state(session, job_id)
                state.next_run_at = next_run_at
                state.updated_at = self.clock()


def _state(session: Session, job: str) -> JobState:
    """The job's row, created if missing with INSERT ... ON CONFLICT DO NOTHING.

    Two threads (a poll job and the scheduler's listener) can both find no row on a fresh
    database; a get-then-add made the second fail with "UNIQUE constraint failed: job_state.job"
    (issue #12, point 7). The upsert lets the database settle it.
    """
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(
        insert(JobState)
        .values(job=job, failures=0, operator_told=False, updated_at=utcnow())
        .on_conflict_do_nothing(index_elements=["job"])
    )
    return session.get_one(JobState, job)


def _platform_of(connector: Connector) -> str:
    return connector.name  # the platform connectors are named after their platform
