"""The service: job timing (fake clock), rate limits, crises, the operator, DST, and a real process."""

from __future__ import annotations

import json
import mailbox
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import create_engine, func, select

from alerts.transports.maildir import MaildirTransport
from connectors.base import Batch, Connector, Cursor, FatalError, RateLimited
from monitor.daemon.scheduler import JOB_DEFAULTS, Monitor, daily_trigger, next_poll
from monitor.schema import Incident, JobState, MentionRow, OutboxMessage

ROOT = Path(__file__).resolve().parent.parent
LONDON = ZoneInfo("Europe/London")
T0 = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # where conftest's `clock` starts


def test_next_poll_follows_the_platform_then_a_crisis_then_the_normal_interval():
    assert next_poll(
        T0, normal_minutes=15, crisis_minutes=3, crisis_open=False, waiting_until=None
    ) == T0 + timedelta(minutes=15)
    assert next_poll(
        T0, normal_minutes=15, crisis_minutes=3, crisis_open=True, waiting_until=None
    ) == T0 + timedelta(minutes=3)
    reset = T0 + timedelta(minutes=40)
    assert next_poll(
        T0, normal_minutes=15, crisis_minutes=3, crisis_open=True, waiting_until=reset
    ) == reset + timedelta(seconds=5)
    assert next_poll(
        T0, normal_minutes=15, crisis_minutes=3, crisis_open=False, waiting_until=T0 - timedelta(minutes=1)
    ) == T0 + timedelta(minutes=15)


@pytest.mark.parametrize("start", [datetime(2026, 10, 20, tzinfo=UTC), datetime(2027, 3, 22, tzinfo=UTC)])
def test_the_digest_fires_once_a_day_at_seven_london_time_across_a_clock_change(config, start):
    trigger = daily_trigger(config)
    fires, previous, now = [], None, start
    while len(fires) < 12:
        fire = trigger.get_next_fire_time(previous, now)
        fires.append(fire)
        previous, now = fire, fire + timedelta(seconds=1)
    local = [f.astimezone(LONDON) for f in fires]
    assert all((t.hour, t.minute) == (7, 0) for t in local)
    days = [t.date() for t in local]
    assert len(days) == len(set(days)) == 12 and (days[-1] - days[0]).days == 11  # one a day, none skipped
    offsets = {t.utcoffset() for t in local}
    assert offsets == {timedelta(0), timedelta(hours=1)}  # the change really was inside the window


def test_every_job_is_one_at_a_time_with_missed_runs_folded(sessions, config):
    scheduler = BackgroundScheduler(timezone=config.timezone)
    monitor = Monitor(
        config,
        sessions,
        [Scripted(config, [])],
        MaildirTransport(Path("/tmp/unused")),
        scheduler=scheduler,
        clock=lambda: T0,
    )
    monitor.add_jobs()
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {
        "poll:scripted",
        "process",
        "media",
        "flush",
        "digest",
        "audit",
        "profiles",
        "report_cards",
        "retention",
    }
    for job in jobs.values():
        assert (job.max_instances, job.coalesce) == (1, True)
    assert jobs["poll:scripted"].trigger.interval == timedelta(minutes=config.monitor.schedule.poll_minutes)
    assert jobs["poll:scripted"].trigger.jitter == config.monitor.schedule.jitter_seconds
    assert str(jobs["audit"].trigger).startswith("cron[day_of_week='mon', hour='8', minute='0'")
    assert str(jobs["report_cards"].trigger).startswith("cron[day='1-14', hour='8', minute='0'")
    # And once at start, so a monitor that was down on the first working day catches up.
    assert jobs["report_cards"].next_run_time == T0 + timedelta(seconds=9)


def test_a_slow_job_never_overlaps_itself():
    running, most, finished = [0], [0], [0]
    lock = threading.Lock()
    third_finished = threading.Event()

    def slow() -> None:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.5)  # the job's own work: five intervals long, so overlap is tried every run
        with lock:
            running[0] -= 1
            finished[0] += 1
            if finished[0] >= 3:
                third_finished.set()

    scheduler = BackgroundScheduler()
    scheduler.add_job(slow, "interval", seconds=0.1, id="slow", **JOB_DEFAULTS)
    scheduler.start()
    try:
        # Wait for three runs to finish (an event, not a guess at how long a busy machine takes).
        assert third_finished.wait(timeout=120), "the job did not run three times"
    finally:
        scheduler.shutdown(wait=True)
    assert most[0] == 1


class Scripted(Connector):
    """A connector that does what each test tells it to, one script entry per run."""

    name = "scripted"

    def __init__(self, config, script: list) -> None:  # noqa: ANN001
        super().__init__(Connector.Settings(), config.watch_list())
        self.script = script

    def fetch(self, cursor: Cursor | None) -> Iterator[Batch]:
        step = self.script.pop(0)
        if isinstance(step, Exception):
            raise step
        yield Batch(step, {"n": len(step)})


@pytest.fixture
def paused(config):
    scheduler = BackgroundScheduler(timezone=config.timezone)
    yield scheduler
    if scheduler.running:
        scheduler.shutdown(wait=False)


def _monitor(config, sessions, scheduler, connector, clock, tmp_path) -> Monitor:  # noqa: ANN001
    monitor = Monitor(
        config, sessions, [connector], MaildirTransport(tmp_path / "mail"), scheduler=scheduler, clock=clock
    )
    monitor.add_jobs()
    scheduler.start(paused=True)  # the jobs exist and can be driven by hand; nothing fires by itself
    return monitor


def test_a_rate_limit_moves_the_next_poll_to_the_reset(clock, config, sessions, paused, tmp_path):
    reset = T0 + timedelta(minutes=37)
    connector = Scripted(config, [RateLimited("X rate limit reached (429)", resume_at=reset)])
    monitor = _monitor(config, sessions, paused, connector, clock, tmp_path)
    result = monitor.poll(connector)
    assert result.status == "rate_limited"
    assert paused.get_job("poll:scripted").next_run_time == reset + timedelta(seconds=5)
    with sessions() as session:
        assert session.get(JobState, "poll:scripted").waiting_until == reset


def test_an_open_crisis_on_the_platform_polls_faster(clock, config, sessions, paused, tmp_path):
    connector = Scripted(config, [[], []])
    connector.name = "x"
    monitor = _monitor(config, sessions, paused, connector, clock, tmp_path)
    monitor.poll(connector)
    assert paused.get_job("poll:x").next_run_time == T0 + timedelta(
        minutes=config.monitor.schedule.poll_minutes
    )
    with sessions.begin() as session:
        session.add(
            MentionRow(
                platform="x",
                platform_id="1",
                source="t",
                author_handle="a",
                channel_kind="public",
                text="t",
                created_at=T0,
                raw={},
            )
        )
        session.flush()
        session.add(
            Incident(
                category="crisis",
                severity="immediate",
                role="communications_executive",
                clause="c",
                thread_key="x:1",
                status="open",
                opened_at=T0,
                updated_at=T0,
                mention_count=1,
                first_mention_id=session.scalar(select(MentionRow.id)),
            )
        )
    monitor.poll(connector)
    assert paused.get_job("poll:x").next_run_time == T0 + timedelta(
        minutes=config.monitor.schedule.crisis_poll_minutes
    )


def test_the_operator_is_told_once_when_a_connector_keeps_failing_and_once_when_it_recovers(
    clock, config, sessions, paused, tmp_path
):
    broken = FatalError("X refused the bearer token (401 Unauthorized)", fix="renew the X bearer token")
    connector = Scripted(config, [broken] * 5 + [[]])
    monitor = _monitor(config, sessions, paused, connector, clock, tmp_path)
    for _ in range(6):
        monitor.poll(connector)
        clock.now += timedelta(minutes=15)
    with sessions() as session:
        subjects = list(session.scalars(select(OutboxMessage.title).order_by(OutboxMessage.id)))
    assert subjects == ["[IOM3 monitor] scripted is failing", "[IOM3 monitor] scripted works again"]
    with sessions() as session:
        body = session.scalars(select(OutboxMessage.payload)).first()
    assert "renew the X bearer token" in body and "failed 3 runs in a row" in body


# --- a real process ---------------------------------------------------------------------------
# The sample week, 4 times over with fresh ids (1,220 mentions, a commit each): SIGTERM is sent
# as soon as the first is stored, and the stop is heard after the next commit, so this is
# long enough to stop part-way, and short enough to keep the suite quick.
COPIES = 4


def _config_for(tmp_path: Path) -> tuple[Path, int]:
    import shutil

    folder = tmp_path / "config"
    shutil.copytree(ROOT / "config", folder)
    replay = tmp_path / "mentions.jsonl"
    lines = (ROOT / "monitor/sample_data/mentions.jsonl").read_text().splitlines()
    with replay.open("w") as out:
        for copy in range(COPIES):
            for line in lines:
                record = json.loads(line)
                record["platform_id"] = f"{record['platform_id']}-{copy}"
                out.write(json.dumps(record) + "\n")
    toml = folder / "monitor.toml"
    text_ = toml.read_text().replace('maildir = "var/mail"', f'maildir = "{tmp_path / "mail"}"')
    text_ = text_.replace('path = "monitor/sample_data/mentions.jsonl"', f'path = "{replay}"')
    text_ = text_.replace("[connectors.replay]\nenabled = false", "[connectors.replay]\nenabled = true")
    text_ = text_.replace("batch_size = 500", "batch_size = 1")  # a commit per mention: slow enough
    for platform in ("x", "facebook", "instagram", "linkedin"):
        text_ = text_.replace(
            f"[connectors.{platform}]\nenabled = true", f"[connectors.{platform}]\nenabled = false"
        )
    toml.write_text(text_)
    return folder, len(lines) * COPIES


class Run:
    """`run_monitor.py run` in a child process, its output in a file (a pipe could fill and block it).

    Every Run is listed in `Run.started`; the `no_run_left_behind` fixture kills what a failed
    test left running, so a failure never leaves a monitor polling on the machine.
    """

    started: list[Run] = []

    def __init__(self, config: Path, url: str, log: Path) -> None:
        self.log = log
        Run.started.append(self)
        with log.open("w") as out:
            self.process = subprocess.Popen(
                [sys.executable, str(ROOT / "run_monitor.py"), "--config", str(config), "run"],
                cwd=ROOT,
                env={**os.environ, "MONITOR_DATABASE_URL": url},
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.wait()

    def wait(self) -> int:
        try:
            return self.process.wait(timeout=PATIENCE)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise AssertionError(f"the monitor did not stop; its log:\n{self.output()}") from None

    def output(self) -> str:
        return self.log.read_text()


# Waits are for something in the database, and end early when the monitor dies; this bound
# only stops a wedged test from hanging CI, so it is far beyond any busy machine's slowness.
PATIENCE = 600


@pytest.fixture
def no_run_left_behind() -> Iterator[None]:
    Run.started.clear()
    yield
    for run in Run.started:
        if run.process.poll() is None:
            run.process.kill()
            run.process.wait()
    Run.started.clear()


def _wait(predicate, *watching: Run) -> None:  # noqa: ANN001
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        if predicate():
            return
        for run in watching:
            if run.process.poll() is not None:
                raise AssertionError(f"the monitor exited ({run.process.returncode}):\n{run.output()}")
        time.sleep(0.1)
    raise AssertionError("timed out waiting for the monitor")


@pytest.mark.usefixtures("no_run_left_behind")
def test_sigterm_mid_run_then_restart_stores_each_mention_and_sends_each_email_once(tmp_path, database_url):
    config, total = _config_for(tmp_path)
    engine = create_engine(database_url)

    def stored() -> int:
        try:
            with engine.connect() as conn:
                return conn.scalar(select(func.count()).select_from(MentionRow)) or 0
        except Exception:  # noqa: BLE001 - the schema may not exist yet
            return 0

    first = Run(config, database_url, tmp_path / "first.log")
    _wait(lambda: stored() > 0, first)
    assert first.stop() == 0, first.output()
    at_stop = stored()
    assert 0 < at_stop < total  # it really was stopped part-way through the replay

    again = Run(config, database_url, tmp_path / "again.log")
    _wait(lambda: stored() == total, again)
    second = Run(config, database_url, tmp_path / "second.log")
    assert second.wait() == 4
    assert "another monitor is already running" in second.output()

    def all_sent() -> bool:
        with engine.connect() as conn:
            pending = conn.scalar(
                select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status != "sent")
            )
            total_ = conn.scalar(select(func.count()).select_from(OutboxMessage))
        return total_ > 0 and pending == 0

    _wait(all_sent, again)
    assert again.stop() == 0, again.output()
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(MentionRow)) == total
        assert conn.scalar(select(func.count(func.distinct(MentionRow.platform_id)))) == total
        sent = set(conn.scalars(select(OutboxMessage.message_id)))
    delivered = [m["Message-ID"] for m in mailbox.Maildir(tmp_path / "mail", create=False)]
    assert len(delivered) == len(set(delivered)) == len(sent) and set(delivered) == sent
    engine.dispose()
    # The log is one structured line per event, and no post's text is in it at INFO.
    log = first.output() + again.output()
    posts = [json.loads(line)["text"] for line in (ROOT / "monitor/sample_data/mentions.jsonl").open()]
    assert "job=poll connector=replay status=ok" in log
    assert not [post for post in posts if post in log]


def test_status_shows_the_rate_limit_the_failures_and_the_fix(clock, config, sessions, paused, tmp_path):
    from rich.console import Console

    from monitor.daemon.status import status_tables

    broken = FatalError("X refused the bearer token (401 Unauthorized)", fix="renew the X bearer token")
    connector = Scripted(config, [broken, broken])
    monitor = _monitor(config, sessions, paused, connector, clock, tmp_path)
    for _ in range(2):
        monitor.poll(connector)
        clock.now += timedelta(minutes=15)
    console = Console(record=True, width=250)
    with sessions() as session:
        console.print(status_tables(session, config))
    row = next(line for line in console.export_text().splitlines() if "scripted" in line)
    assert "failed" in row and "X refused the bearer token" in row and "renew the X bearer token" in row
    assert "│ 2 " in row  # two failures in a row


def test_json_logs_are_one_object_a_line_with_tokens_removed():
    import io
    import logging

    from monitor.redact import configure_logging

    stream = io.StringIO()
    handler = configure_logging("INFO", stream=stream, fmt="json")
    try:
        logging.getLogger("monitor.test").info(
            "job=poll url=%s", "https://graph.facebook.com/v21.0/me?access_token=fake-token-1234"
        )
        logging.getLogger("apscheduler.scheduler").info("Running job poll:x")  # chatter, not logged
    finally:
        logging.getLogger().removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["level"] == "INFO" and entry["logger"] == "monitor.test"
    assert entry["message"].startswith("job=poll url=") and "fake-token-1234" not in entry["message"]


@pytest.mark.parametrize(("coalesce", "expected"), [(True, 1), (False, 10)])
def test_runs_missed_while_asleep_fold_into_one(coalesce, expected):
    runs = []
    scheduler = BackgroundScheduler(timezone=UTC)
    now = datetime.now(UTC)
    settings = {**JOB_DEFAULTS, "coalesce": coalesce, "max_instances": 20}
    # Ten one-minute runs were due while the machine slept; the first was 9.5 minutes ago.
    scheduler.add_job(
        lambda: runs.append(1),
        "interval",
        minutes=1,
        id="poll",
        next_run_time=now - timedelta(minutes=9, seconds=30),
        **settings,
    )
    scheduler.start()
    try:
        # Wait until the scheduler has dealt with the missed runs (the job's next run is then in
        # the future); shutdown(wait=True) then waits for every run it handed to the executor.
        deadline = time.monotonic() + 120
        while scheduler.get_job("poll").next_run_time <= now and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        scheduler.shutdown(wait=True)
    assert len(runs) == expected  # our JOB_DEFAULTS (coalesce=True) gives one


def test_a_poll_that_stored_mentions_brings_processing_forward(clock, config, sessions, paused, tmp_path):
    from monitor.models import Mention

    post = Mention(platform="x", platform_id="77", author_handle="a", text="IOM3 news", created_at=T0)
    connector = Scripted(config, [[], [post]])
    monitor = _monitor(config, sessions, paused, connector, clock, tmp_path)
    clock.advance(minutes=5)
    monitor.poll(connector)  # nothing new: the minute's tick stays where it was
    assert paused.get_job("process").next_run_time == T0 + timedelta(seconds=3)
    monitor.poll(connector)  # something new: scored and routed now, not at the next tick
    assert paused.get_job("process").next_run_time == clock()
