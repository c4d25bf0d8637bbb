"""Issue #12: a first start that cannot trip, and messages that never quote a password."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from email.message import EmailMessage

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import select

from alerts.transports.maildir import MaildirTransport
from monitor.config import ConfigError, load_config
from monitor.daemon.scheduler import Monitor, _state
from monitor.schema import ConnectorRun, JobState
from monitor.secrets import mask_url_passwords

T0 = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


# --- point 5: passwords masked in every message --------------------------------------------
def test_a_database_url_that_fails_to_parse_is_shown_without_its_password(config_dir, cli) -> None:
    toml = config_dir / "monitor.toml"
    toml.write_text(
        toml.read_text().replace(
            'url = "sqlite:///var/monitor.db"',
            'url = "postgresql+psycopg://iom3:s3cretpassword@db:54x32/monitor"',
        )
    )
    code, out, err = cli("--config", str(config_dir), "check-config")
    assert code == 2
    assert "s3cretpassword" not in out + err
    assert "postgresql+psycopg://iom3:...word@db:54x32/monitor" in err  # still recognisable


def test_mask_url_passwords_masks_every_url_in_a_text() -> None:
    text = "tried postgresql://a:hunter2hunter2@h/db then 'mysql://b:pa55w0rd-long@h2:1/x' (no luck)"
    assert (
        mask_url_passwords(text)
        == "tried postgresql://a:...ter2@h/db then 'mysql://b:...long@h2:1/x' (no luck)"
    )
    assert mask_url_passwords("sqlite:///var/monitor.db") == "sqlite:///var/monitor.db"


# --- point 6: a bad byte in a config file names the file ---------------------------------
def test_a_config_file_that_is_not_utf8_is_named(config_dir) -> None:
    path = config_dir / "contacts.toml"
    path.write_bytes(path.read_bytes().replace(b"#", b"\xff#", 1))
    with pytest.raises(ConfigError) as caught:
        load_config(config_dir)
    (problem,) = caught.value.problems
    assert problem.startswith(f"{path}: not UTF-8 (byte 0xff at byte ") and problem.endswith(
        "save it as UTF-8"
    )


# --- point 6: the Maildir transport makes its folder, parents and all -------------------
def test_the_maildir_transport_makes_missing_parent_folders(tmp_path) -> None:
    target = tmp_path / "fresh-checkout" / "var" / "mail"
    message = EmailMessage()
    message["Message-ID"] = "<m1@iom3.org>"
    message.set_content("hello")
    MaildirTransport(target).send(message)
    assert MaildirTransport(target).already_delivered("<m1@iom3.org>")


# --- point 6: runs a kill left "running" are closed when the monitor starts --------------
def test_starting_closes_the_runs_a_kill_left_running(sessions, config, tmp_path) -> None:
    with sessions.begin() as session:
        session.add(ConnectorRun(connector="x", started_at=T0, status="running"))
        session.add(ConnectorRun(connector="x", started_at=T0, finished_at=T0, status="ok"))
    scheduler = BackgroundScheduler(timezone=config.timezone)
    monitor = Monitor(
        config, sessions, [], MaildirTransport(tmp_path / "mail"), scheduler=scheduler, clock=lambda: T0
    )
    monitor.start()
    scheduler.pause()
    monitor.shutdown()
    with sessions() as session:
        runs = session.execute(
            select(ConnectorRun.status, ConnectorRun.finished_at).order_by(ConnectorRun.id)
        ).all()
        error = session.scalars(select(ConnectorRun.error).where(ConnectorRun.status == "interrupted")).one()
    assert runs == [("interrupted", T0), ("ok", T0)]
    assert "next run resumed" in error


# --- point 7: two threads creating the same job_state row on a fresh database ------------
def test_job_state_rows_are_created_once_however_many_threads_race(sessions) -> None:
    for attempt in range(5):
        job = f"poll:race{attempt}"
        barrier = threading.Barrier(6)
        errors: list[BaseException] = []

        def touch(job: str = job, barrier: threading.Barrier = barrier, errors: list = errors) -> None:
            try:
                barrier.wait()
                with sessions.begin() as session:
                    _state(session, job).failures += 1
            except BaseException as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)

        threads = [threading.Thread(target=touch) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        with sessions() as session:
            assert session.get_one(JobState, job).failures >= 1
