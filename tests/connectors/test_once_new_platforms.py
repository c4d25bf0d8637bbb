"""`run_monitor.py once` with Bluesky, Mastodon and web feeds enabled, against recorded responses:
their posts are stored, scored and alerted on like every other platform's."""

from __future__ import annotations

import json
import mailbox
import re
from pathlib import Path

import httpx
import pytest
import responses
from sqlalchemy import create_engine, text

from monitor.cli import main

respx = pytest.importorskip("respx")
pytest.importorskip("atproto")
pytest.importorskip("mastodon")
pytest.importorskip("feedparser")

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ALERT = "https://www.google.com/alerts/feeds/00000000000000000000/1111111111111111111"
TOKENS = {
    "IOM3_BLUESKY_HANDLE": "iom3.bsky.social",
    "IOM3_BLUESKY_APP_PASSWORD": "fake-bsky-app-password",
    "IOM3_MASTODON_TOKEN": "fake-mastodon-token-abcd",
}


def fx(path: str):
    return json.loads((FIXTURES / path).read_text())


def _only_new_platforms(config_dir: Path, tmp_path: Path) -> None:
    toml = config_dir / "monitor.toml"
    content = re.sub(r"(\[connectors\.\w+\]\n)enabled = true", r"\1enabled = false", toml.read_text())
    content = content.replace('maildir = "var/mail"', f'maildir = "{tmp_path / "mail"}"')
    content += (
        "\n[connectors.bluesky]\n"
        "\n[connectors.mastodon]\nhashtag_instances = []\n"
        f'\n[connectors.web]\nfeeds = ["{ALERT}"]\n'
    )
    toml.write_text(content)
    # Complaints emailed at once, so one run shows the alert, whatever the hour: working hours
    # would hold a medium alert until 09:00 (tests/alerts/test_chain.py tests that hold).
    routing = config_dir / "routing.toml"
    routing.write_text(
        routing.read_text()
        .replace('urgency = "same_day"\ngroup_wait = 5', 'urgency = "same_day"')
        .replace('hold = ["medium"]', "hold = []")
    )


def test_once_stores_scores_and_alerts_from_the_new_platforms(config_dir, tmp_path, monkeypatch, capsys):
    for name, value in TOKENS.items():
        monkeypatch.setenv(name, value)
    database = tmp_path / "m.db"
    monkeypatch.setenv("MONITOR_DATABASE_URL", f"sqlite:///{database}")
    _only_new_platforms(config_dir, tmp_path)
    with (
        respx.mock(assert_all_called=False) as bsky,
        responses.RequestsMock(assert_all_requests_are_fired=False) as mock,
    ):
        xrpc = "https://bsky.social/xrpc"
        bsky.post(f"{xrpc}/com.atproto.server.createSession").respond(json=fx("bluesky/create_session.json"))
        bsky.get(f"{xrpc}/app.bsky.feed.searchPosts").mock(
            side_effect=lambda r: httpx.Response(
                200,
                json=fx(
                    "bluesky/search_page1.json"
                    if r.url.params["q"] == "IOM3"
                    else "bluesky/search_empty.json"
                ),
            )
        )
        bsky.get(f"{xrpc}/app.bsky.actor.getProfiles").respond(json=fx("bluesky/profiles.json"))
        home = "https://mastodon.social"
        mock.get(f"{home}/api/v1/instance/", json=fx("mastodon/instance_v1.json"))
        mock.get(f"{home}/api/v2/instance/", json=fx("mastodon/instance_v2.json"))
        mock.get(f"{home}/api/v2/search", json=fx("mastodon/search_empty.json"))
        mock.get(re.compile(rf"{home}/api/v1/timelines/tag/.*"), json=fx("mastodon/tag_iom3.json"))
        mock.get(
            ALERT, body=(FIXTURES / "web/google_alert.xml").read_bytes(), content_type="application/atom+xml"
        )
        code = main(["--config", str(config_dir), "once"])
    out = " ".join(capsys.readouterr().out.split())
    assert code == 0, out
    for name in ("bluesky", "mastodon", "web"):
        assert re.search(rf"│ {name} │ ok │", out), (name, out)

    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as db:
        stored = dict(db.execute(text("SELECT platform, count(*) FROM mentions GROUP BY platform")).all())
        unscored = db.execute(
            text(
                "SELECT count(*) FROM mentions m "
                "WHERE NOT EXISTS (SELECT 1 FROM assessments a WHERE a.mention_id = m.id)"
            )
        ).scalar()
    assert stored == {"bluesky": 2, "mastodon": 2, "web": 2}
    assert unscored == 0
    emails = [m for m in mailbox.Maildir(tmp_path / "mail", create=False)]
    bodies = " ".join(m.as_string() for m in emails)
    assert emails and "Bluesky" in bodies  # the label comes from the platform table
    for value in TOKENS.values():
        assert value not in out and value not in bodies
