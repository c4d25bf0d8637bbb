"""End to end in a real browser (Playwright driving Debian's chromium) at phone and desktop sizes.

The app is `run_monitor.py web` in a subprocess on 127.0.0.1 and a free port, on a copy of the
demo's database; a fixture always stops it. Each step is checked in the database and in the
incident's history on the page. Screenshots of every page go to a temporary folder, or with
MONITOR_SCREENSHOTS=1 to docs/screenshots/web-<page>-<size>.png (the committed ones).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker
from webapp import KOVIDA, SECRET, seed_incident

from alerts.incidents import notify_due
from monitor.config import DEFAULT_CONFIG_DIR, PROJECT_ROOT, load_config
from monitor.schema import ActionLog, Incident, OutboxMessage, Silence, WebSession
from monitor.store import make_engine

sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = Path("/usr/bin/chromium")
SHOTS = PROJECT_ROOT / "docs" / "screenshots"
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def demo_copy_source(tmp_path_factory) -> Path:
    """The demo's database and a digest saved for the archive, built once for the module."""
    from monitor.cli import main

    target = tmp_path_factory.mktemp("demo")
    assert main(["demo", "--dir", str(target / "demo")]) == 0
    return target / "demo" / "monitor.db"


@pytest.fixture
def server(tmp_path, demo_copy_source, monkeypatch):
    """`run_monitor.py web` on a copy of the demo database; yields (base URL, sessions, config)."""
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: apt-get install -y chromium (.ci/run does)")
    db = tmp_path / "monitor.db"
    for suffix in ("", "-wal", "-shm"):  # WAL mode: the newest pages may still be in the -wal file
        source = demo_copy_source.with_name(demo_copy_source.name + suffix)
        if source.exists():
            shutil.copy(source, db.with_name(db.name + suffix))
    config_dir = tmp_path / "config"
    shutil.copytree(DEFAULT_CONFIG_DIR, config_dir)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    toml = config_dir / "monitor.toml"
    toml.write_text(
        toml.read_text().replace('base_url = ""', f'base_url = "{base}"'),
        encoding="utf-8",
    )
    monkeypatch.setenv("IOM3_WEB_SECRET", SECRET)  # the alert emails this test queues sign links
    env = {**os.environ, "IOM3_WEB_SECRET": SECRET}
    process = subprocess.Popen(
        [sys.executable, str(PROJECT_ROOT / "run_monitor.py"), "--config", str(config_dir)]
        + ["--database", f"sqlite:///{db}", "web", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        line = process.stdout.readline()  # blocks until the server says it is listening
        assert "Web app on" in line, line + process.stdout.read()
        engine = make_engine(f"sqlite:///{db}")
        yield base, sessionmaker(engine, expire_on_commit=False), load_config(config_dir)
        engine.dispose()
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def browser():
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            yield launched
        finally:
            launched.close()


def newest_link(sessions, email: str, pattern: str, incident_id: int | None = None) -> str:
    with sessions() as session:
        query = select(OutboxMessage).where(OutboxMessage.recipient.contains(email))
        if incident_id is not None:
            query = query.where(OutboxMessage.incident_id == incident_id)
        row = session.scalars(query.order_by(OutboxMessage.id.desc())).first()
    from email import message_from_string, policy

    body = message_from_string(row.payload, policy=policy.default).get_body(("plain",)).get_content()
    return re.findall(pattern, body)[0]


@pytest.fixture
def shots(tmp_path) -> Path:
    return SHOTS if os.environ.get("MONITOR_SCREENSHOTS") == "1" else tmp_path / "screenshots"


def shoot(page, folder: Path, name: str, size: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"web-{name}-{size}.png"), full_page=True)
    assert (folder / f"web-{name}-{size}.png").stat().st_size > 5000  # a page, not a blank


@pytest.mark.parametrize("size", list(SIZES))
def test_triage_in_a_browser(server, browser, shots, size):
    base, sessions, config = server
    context = browser.new_context(viewport=SIZES[size], base_url=base)
    page = context.new_page()
    expect = sync_api.expect

    # Sign in by emailed link.
    page.goto("/incidents")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    shoot(page, shots, "sign-in", size)
    page.get_by_label("Your work email address").fill(KOVIDA)
    page.get_by_role("button", name="Email me a sign-in link").click()
    expect(page.get_by_role("status")).to_contain_text("a sign-in link is on its way")
    page.goto(newest_link(sessions, KOVIDA, r"http://127\.0\.0\.1:\d+(/sign-in/\S+)"))
    shoot(page, shots, "sign-in-confirm", size)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Incidents")).to_be_visible()
    with sessions() as session:
        assert session.scalars(select(WebSession.email)).all() == [KOVIDA]

    # The inbox.
    expect(page.locator(".card").first).to_be_visible()
    shoot(page, shots, "inbox", size)

    # An alert arrives; acknowledge it from the email's link.
    incident_id = seed_incident(sessions, author="angry_member", opened_at=datetime.now(UTC))
    assert notify_due(sessions, config, clock=lambda: datetime.now(UTC)) >= 1
    ack = newest_link(sessions, KOVIDA, r"Acknowledge: (http\S+)", incident_id)
    page.goto(ack)
    expect(page.get_by_role("heading", name=f"Acknowledge incident #{incident_id}?")).to_be_visible()
    shoot(page, shots, "email-link", size)
    with sessions() as session:
        assert session.get(Incident, incident_id).status == "open"  # opening the link changed nothing
    page.get_by_role("button", name="Acknowledge").click()
    history = page.locator("ol.timeline")
    expect(history).to_contain_text("acknowledged by Kovida Mehra")
    with sessions() as session:
        assert session.get(Incident, incident_id).status == "acknowledged"
        assert session.scalars(select(ActionLog.source)).all() == ["email link (Acknowledge)"]

    # Assign.
    page.get_by_label("Assign to").select_option("fabiola.franco@iom3.org")
    page.get_by_role("button", name="Assign").click()
    expect(history).to_contain_text("assigned to Fabiola Franco by Kovida Mehra")
    with sessions() as session:
        assert session.get(Incident, incident_id).assigned_to == "fabiola.franco@iom3.org"
    shoot(page, shots, "incident", size)

    # Silence the author, then lift it.
    page.locator("summary", has_text="Silence").click()
    page.get_by_label("Silence", exact=True).select_option("author")
    page.get_by_label("Author or term").fill("angry_member")
    page.get_by_label("Reason").fill("repeating the same complaint")
    page.get_by_role("button", name="Silence", exact=True).click()
    expect(history).to_contain_text("silenced by Kovida Mehra: author angry_member")
    with sessions() as session:
        (silence,) = session.scalars(select(Silence).where(Silence.value == "angry_member")).all()
        assert silence.until > datetime.now(UTC)
    page.get_by_role("link", name="Silences").click()
    expect(page.get_by_text("angry_member")).to_be_visible()
    shoot(page, shots, "silences", size)
    page.get_by_role("button", name="Lift").first.click()
    expect(page.get_by_text("No silence in force.")).to_be_visible()
    with sessions() as session:
        assert session.get(Silence, silence.id).until <= datetime.now(UTC)
        assert "lift silence" in session.scalars(select(ActionLog.action)).all()
        assert "silence lifted by Kovida Mehra: author angry_member" in str(
            session.get(Incident, incident_id).history
        )

    # Resolve with an outcome.
    page.goto(f"/incidents/{incident_id}")
    expect(history).to_contain_text("silence lifted by Kovida Mehra")
    page.get_by_label("Outcome").fill("Replied officially; member satisfied")
    page.get_by_role("button", name="Resolve").click()
    expect(history).to_contain_text("outcome: Replied officially; member satisfied")
    with sessions() as session:
        incident = session.get(Incident, incident_id)
        assert (incident.status, incident.outcome) == ("resolved", "Replied officially; member satisfied")
        actions = session.scalars(select(ActionLog.action).order_by(ActionLog.id)).all()
        assert actions == ["acknowledge", "assign", "silence", "lift silence", "resolve"]

    # The demo's Friday pile-on: the crisis chart.
    with sessions() as session:
        crisis = session.scalar(
            select(Incident.id).where(Incident.category == "crisis").order_by(Incident.id)
        )
    page.goto(f"/incidents/{crisis}")
    expect(page.locator("svg.chart rect").first).to_be_attached()
    shoot(page, shots, "crisis", size)

    # The other pages.
    page.get_by_role("link", name="Timeline for a report").click()
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    shoot(page, shots, "timeline", size)
    for name, path, heading in [
        ("mentions", "/mentions?q=complaint", "Mentions"),
        ("status", "/status", "Status"),
        ("archive", "/archive", "Digests and audits"),
        ("accounts", "/accounts", "ASV account registry"),
    ]:
        page.goto(path)
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        shoot(page, shots, name, size)
    # Sign out.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Signed out")).to_be_visible()
    context.close()
