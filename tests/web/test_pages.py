"""The other pages: the archive serves saved reports (and nothing else), mentions search, and
`web` / `run` refuse an unsafe start."""

from __future__ import annotations

from sqlalchemy import select
from webapp import HTTPS, seed_incident, sign_in

from monitor.schema import AssessmentRow, Incident


def test_the_archive_lists_days_and_serves_their_files_only(client, sessions, web_config):
    day = web_config.path(web_config.monitor.digest.folder) / "2026-11-22"
    day.mkdir(parents=True)
    (day / "digest.html").write_text("<p style='color:red'>the digest</p>")
    (day / "flagged.csv").write_text("id,text\n1,'=cmd\n")
    (web_config.config_dir / "secret.txt").write_text("not for the web")
    sign_in(client, sessions)
    listing = client.get("/archive", **HTTPS).get_data(as_text=True)
    assert "2026-11-22" in listing and "/archive/digest/2026-11-22/flagged.csv" in listing
    html = client.get("/archive/digest/2026-11-22/digest.html", **HTTPS)
    assert html.status_code == 200 and b"the digest" in html.data
    assert "sandbox" in html.headers["Content-Security-Policy"]
    csv = client.get("/archive/digest/2026-11-22/flagged.csv", **HTTPS)
    assert csv.headers["Content-Disposition"].startswith("attachment")
    for path in (
        "/archive/digest/..%2F..%2Fconfig/secret.txt",
        "/archive/digest/2026-11-22/..%2F..%2Fsecret.txt",
        "/archive/other/2026-11-22/digest.html",
        "/archive/digest/2026-11-22/digest.py",
    ):
        assert client.get(path, **HTTPS).status_code == 404, path


def test_mentions_search_by_words_and_by_thread(client, sessions):
    seed_incident(sessions, text="my complaint about the awards", author="alpha", platform_id="111")
    seed_incident(sessions, text="lovely lecture", author="beta", platform_id="222")
    sign_in(client, sessions)
    found = client.get("/mentions?q=awards", **HTTPS).get_data(as_text=True)
    assert "@alpha" in found and "@beta" not in found
    thread = client.get("/mentions?thread=x:222", **HTTPS).get_data(as_text=True)
    assert "@beta" in thread and "@alpha" not in thread


def test_web_without_its_secret_or_on_an_open_address_does_not_start(cli, config_dir, monkeypatch, tmp_path):
    monkeypatch.delenv("IOM3_WEB_SECRET", raising=False)
    db = f"sqlite:///{tmp_path / 'm.db'}"
    code, _, err = cli("--config", str(config_dir), "--database", db, "web", "--port", "0")
    assert code == 2 and "IOM3_WEB_SECRET" in err
    monkeypatch.setenv("IOM3_WEB_SECRET", "z" * 40)
    code, _, err = cli("--config", str(config_dir), "--database", db, "web", "--host", "0.0.0.0")
    assert code == 2 and "refusing to serve on 0.0.0.0" in err and "behind_proxy" in err


def test_run_with_the_web_app_enabled_refuses_an_open_address(cli, config_dir, monkeypatch, tmp_path):
    toml = config_dir / "monitor.toml"
    text = toml.read_text().replace("enabled = false                # true", "enabled = true  # true")
    toml.write_text(text.replace('host = "127.0.0.1"             #', 'host = "0.0.0.0" #'))
    monkeypatch.setenv("IOM3_WEB_SECRET", "z" * 40)
    code, _, err = cli("--config", str(config_dir), "--database", f"sqlite:///{tmp_path / 'm.db'}", "run")
    assert code == 2 and "[web] enabled" in err and "refusing to serve on 0.0.0.0" in err


def test_mentions_marks_a_flag_under_its_alert_point_as_for_review(client, sessions, web_config):
    alert_at = web_config.lexicons.category("complaint").alert_at()
    seed_incident(sessions, text="still no reply, this is a disgrace", author="clear")
    mild = seed_incident(sessions, text="a bit slow to reply", author="mild")
    _rescore(sessions, mild, score=(web_config.lexicons.category("complaint").threshold + alert_at) / 2)
    sign_in(client, sessions)
    page = client.get("/mentions?flagged=1", **HTTPS).get_data(as_text=True)
    posts = {
        item.split("</strong>")[0].rpartition("@")[2]: item for item in page.split('<li class="post">')[1:]
    }
    assert set(posts) == {"clear", "mild"}
    assert "(for review)" in posts["mild"] and "(for review)" not in posts["clear"]


def _rescore(sessions, incident_id: int, *, score: float) -> None:
    """Give the incident's first post a complaint flag at `score` (under the alert point)."""
    with sessions.begin() as session:
        incident = session.get(Incident, incident_id)
        row = session.scalars(
            select(AssessmentRow).where(AssessmentRow.mention_id == incident.first_mention_id)
        ).one()
        row.flags = [{**row.flags[0], "score": score}]
        row.scores = {"complaint": score}
