"""digest, audit and accounts as a comms officer runs them; the digest through a real SMTP server."""

from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime

import pandas as pd
import pytest
from aiosmtpd.controller import Controller

from alerts.outbox import enqueue, flush
from alerts.transports.smtp import SmtpTransport
from monitor.config import SmtpSection, load_config
from monitor.reports.digest import build_digest, digest_email, render

pytestmark = pytest.mark.usefixtures("wide_terminal")


def test_digest_command_saves_the_day(demo_db, config_dir, tmp_path, cli):
    toml = config_dir / "monitor.toml"
    toml.write_text(toml.read_text().replace('folder = "var/digests"', f'folder = "{tmp_path / "digests"}"'))
    code, out, _ = cli("--config", str(config_dir), "--database", demo_db, "digest", "--date", "2026-11-20")
    # 70 since #16 added the Women in Materials breakfast post (with its picture) on the 20th.
    assert code == 0 and "70 mentions that day." in out
    folder = tmp_path / "digests" / "2026-11-20"
    assert {p.name for p in folder.iterdir()} == {
        "digest.html",
        "digest.txt",
        "flagged.csv",
        "volume.png",
        "sentiment.png",
    }
    assert len(pd.read_csv(folder / "flagged.csv")) > 5


def test_audit_command_prints_and_saves_findings(demo_db, config_dir, tmp_path, cli):
    toml = config_dir / "monitor.toml"
    toml.write_text(toml.read_text().replace('folder = "var/audits"', f'folder = "{tmp_path / "audits"}"'))
    code, out, _ = cli(
        "--config",
        str(config_dir),
        "--database",
        demo_db,
        "audit",
        "--since",
        "2026-11-01",
        "--until",
        "2026-11-23",
    )
    assert code == 0 and "x @SWales_IOM3" in out and "dormant" in out and "possibly unofficial" in out
    findings = pd.read_csv(tmp_path / "audits" / "2026-11-23" / "findings.csv")
    assert {"x @SWales_IOM3", "x @IOM3_Scotland_Official"} <= set(findings["account"])
    # The demo's profile pictures were looked at: the unapproved committee's is the logo.
    pictures = findings[findings["finding"].str.startswith("profile picture", na=False)]
    assert list(pictures["account"]) == ["x @SWales_IOM3"]
    assert "not approved to use it" in pictures["finding"].iloc[0]


def test_accounts_csv_round_trip_add_and_remove(config_dir, tmp_path, cli):
    before = load_config(config_dir).accounts.account
    exported = tmp_path / "registry.csv"
    code, out, _ = cli("--config", str(config_dir), "accounts", "list", "--csv", str(exported))
    assert code == 0 and f"Wrote {len(before)} account(s)" in out
    frame = pd.read_csv(exported, keep_default_na=False)
    assert list(frame["handle"]) == [a.handle for a in before]
    (config_dir / "accounts.toml").write_text("")  # start from an empty registry
    code, out, _ = cli("--config", str(config_dir), "accounts", "import", str(exported))
    assert code == 0 and f"{len(before)} new, 0 updated" in out
    assert load_config(config_dir).accounts.account == before  # the CSV round trip loses nothing

    code, out, _ = cli(
        "--config",
        str(config_dir),
        "accounts",
        "add",
        "--platform",
        "instagram",
        "--handle",
        "@iom3students",
        "--committee",
        "Student chapter",
        "--admins",
        "Ann; Bo",
        "--comms-access",
        "--report-card",
        "--admin-emails",
        "ann@example.org; bo@example.org",
    )
    assert code == 0 and "Registered instagram @iom3students" in out
    added = load_config(config_dir).accounts.account[-1]
    assert (added.handle, added.admins, added.comms_access, added.logo_approved) == (
        "iom3students",
        ["Ann", "Bo"],
        True,
        False,
    )
    assert (added.report_card, added.admin_emails) == (True, ["ann@example.org", "bo@example.org"])
    code, out, _ = cli("--config", str(config_dir), "accounts", "remove", "x", "@SWales_IOM3")
    assert code == 0 and all(a.handle != "SWales_IOM3" for a in load_config(config_dir).accounts.account)
    tomllib.loads((config_dir / "accounts.toml").read_text())  # still valid TOML, comments and all
    assert (config_dir / "accounts.toml").read_text().startswith("# Registry of ASV accounts")


def test_accounts_import_names_every_bad_row(config_dir, tmp_path, cli):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "platform,handle,comms_access,registered_on\nmyspace,a,yes,2024-01-01\nx,b,perhaps,2024-01-01\n"
        "x,c,no,last week\n"
    )
    code, _, err = cli("--config", str(config_dir), "accounts", "import", str(bad))
    assert code == 2
    assert "bad.csv row 2: platform: Value error, unknown platform 'myspace'" in err
    assert "bad.csv row 3: comms_access is 'perhaps'; write yes or no" in err
    assert "bad.csv row 4: registered_on 'last week' is not YYYY-MM-DD" in err
    code, _, err = cli("--config", str(config_dir), "accounts", "remove", "x", "nobody")
    assert code == 2 and "no x @nobody in the registry" in err


class _Sink:
    def __init__(self) -> None:
        self.raw: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.raw.append(envelope.original_content or envelope.content)
        return "250 OK"


def test_the_emailed_digest_arrives_with_its_charts_and_attachment(sessions, config):
    import socket
    from email import message_from_bytes, policy

    from connectors.replay import SAMPLE_PATH, ReplayConnector, Settings
    from monitor.channels import ChannelDirectory
    from monitor.pipeline import ingest, score_pending
    from monitor.scoring import Scorer

    ingest(
        sessions,
        ReplayConnector(Settings(path=str(SAMPLE_PATH)), config.watch_list()),
        ChannelDirectory(config),
    )
    score_pending(sessions, config, Scorer(config.lexicons, config.monitor.scoring))
    with sessions() as session:
        rendered = render(build_digest(session, config, date(2026, 11, 20)), config)
    now = datetime(2026, 11, 21, 7, tzinfo=UTC)
    message = digest_email(
        config, rendered, to=["Kovida Mehra <kovida.mehra@iom3.org>"], now=now, day=date(2026, 11, 20)
    )
    with sessions.begin() as session:
        enqueue(session, message, incident_id=None, now=now)

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = _Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        result = flush(
            sessions, SmtpTransport(SmtpSection(host="127.0.0.1", port=port, security="none")), now=now
        )
    finally:
        controller.stop()
    assert result.sent == 1
    (raw,) = sink.raw
    received = message_from_bytes(raw, policy=policy.default)
    assert received["Subject"].startswith("[IOM3 monitor] Daily digest, Friday 20 November 2026: 70 mentions")
    html = received.get_body(("html",))
    images = [p for p in received.walk() if p.get_content_type() == "image/png"]
    assert len(images) == 2
    for image in images:
        cid = image["Content-ID"].strip("<>")
        assert f"cid:{cid}" in html.get_content()
        assert image.get_content()[:8] == b"\x89PNG\r\n\x1a\n"
    (attachment,) = [p for p in received.iter_attachments() if p.get_content_type() == "text/csv"]
    assert attachment.get_filename() == "flagged-2026-11-20.csv"
    assert "mention,posted,platform" in attachment.get_content()
    assert "70 mentions that day." in received.get_body(("plain",)).get_content()


def test_send_puts_the_digest_and_the_audit_through_the_configured_transport(
    demo_db, config_dir, tmp_path, cli
):
    toml = config_dir / "monitor.toml"
    toml.write_text(
        toml.read_text()
        .replace('transport = "maildir"', 'transport = "console"')
        .replace('folder = "var/digests"', f'folder = "{tmp_path / "d"}"')
        .replace('folder = "var/audits"', f'folder = "{tmp_path / "a"}"')
    )
    code, out, _ = cli(
        "--config", str(config_dir), "--database", demo_db, "digest", "--date", "2026-11-20", "--send"
    )
    assert code == 0 and "Sent 1 email(s)." in out
    # Two roles share Fabiola's inbox: one copy.
    assert "To: Kovida Mehra <kovida.mehra@iom3.org>, Fabiola Franco <fabiola.franco@iom3.org> " in out
    code, out, _ = cli(
        "--config",
        str(config_dir),
        "--database",
        demo_db,
        "audit",
        "--since",
        "2026-11-01",
        "--until",
        "2026-11-23",
        "--send",
    )
    assert code == 0 and "Sent 1 email(s)." in out and "To: Fabiola Franco <fabiola.franco@iom3.org>" in out
    assert 'filename="audit-findings.csv"' in out


def test_report_card_command_previews_any_committee_and_saves_it(demo_db, config_dir, tmp_path, cli):
    toml = config_dir / "monitor.toml"
    toml.write_text(
        toml.read_text().replace('folder = "var/report-cards"', f'folder = "{tmp_path / "cards"}"')
    )
    args = ("--config", str(config_dir), "--database", demo_db, "report-card", "--month", "2026-11")
    code, out, _ = cli(*args, "--account", "x:IOM3Packaging")  # not opted in: a preview is fine
    assert code == 0 and "Packaging Society on X (@IOM3Packaging): your November 2026 report card" in out
    assert out.index("WHAT WENT WELL") < out.index("Political neutrality") < out.index("One step:")
    assert (tmp_path / "cards" / "2026-11" / "x-IOM3Packaging.html").exists()
    code, out, _ = cli(*args)  # every committee that opted in
    assert code == 0 and "(@IOM3_YMC)" in out and "(@iom3_wim)" in out and "Packaging" not in out


def test_report_card_send_goes_once_and_refuses_what_it_cannot_do(demo_db, config_dir, tmp_path, cli, capsys):
    toml = config_dir / "monitor.toml"
    toml.write_text(
        toml.read_text()
        .replace('transport = "maildir"', 'transport = "console"')
        .replace('folder = "var/report-cards"', f'folder = "{tmp_path / "cards"}"')
    )
    args = ("--config", str(config_dir), "--database", demo_db, "report-card")
    # The demo queued November's cards already: --send does not send them again.
    code, out, _ = cli(*args, "--month", "2026-11", "--account", "x:IOM3_YMC", "--send")
    assert code == 0 and "x @IOM3_YMC: the November 2026 card was already queued on" in out
    assert "not sent again" in out and "Sent 0 email(s)." in out
    code, out, _ = cli(*args, "--month", "2026-10", "--account", "x:IOM3_YMC", "--send")
    assert code == 0 and "Sent 1 email(s)." in out
    assert "To: priya.shah@example.org, tom.okafor@example.org" in out
    assert "Cc: Fabiola Franco <fabiola.franco@iom3.org>" in out
    code, out, _ = cli(*args, "--month", "2026-10", "--account", "x:IOM3_YMC", "--send")
    assert code == 0 and "already queued" in out and "Sent 0 email(s)." in out

    code, _, err = cli(*args, "--month", "2026-10", "--account", "x:IOM3Packaging", "--send")
    assert code == 2 and "x @IOM3Packaging has not opted in: set report_card = true and admin_emails" in err
    this_month = datetime.now(UTC).strftime("%Y-%m")
    code, _, err = cli(*args, "--month", this_month, "--account", "x:IOM3_YMC", "--send")
    assert code == 2 and "is not over yet: a report card covers a whole month" in err
    code, _, err = cli(*args, "--account", "x:nobody")
    assert code == 2 and "no x @nobody in config/accounts.toml" in err
    code, _, err = cli(*args, "--account", "x:DrHelenCarter")
    assert code == 2 and "x @DrHelenCarter is a personal account" in err
    with pytest.raises(SystemExit) as exited:
        cli(*args, "--month", "2026-13")
    assert exited.value.code == 2
    assert "'2026-13' is not a month; write it as YYYY-MM, e.g. 2026-11" in capsys.readouterr().err
