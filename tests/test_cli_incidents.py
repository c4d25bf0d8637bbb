"""`run_monitor.py incidents ...`: what a comms officer does with an alert."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import create_engine, text

from monitor.cli import main

pytestmark = pytest.mark.usefixtures("wide_terminal")


def _crisis_id(url: str) -> int:
    with create_engine(url).connect() as conn:
        return conn.execute(text("select id from incidents where category = 'crisis'")).scalar_one()


def test_list_show_ack_resolve(demo_db, cli):
    crisis = _crisis_id(demo_db)
    code, out, _ = cli("--database", demo_db, "incidents", "list")
    assert code == 0 and re.search(rf"│ {crisis} +│ crisis +│ immediate HIGH +│ open", out)
    code, out, _ = cli("--database", demo_db, "incidents", "show", str(crisis))
    assert code == 0 and f"Incident #{crisis}: crisis" in out and "emailed (opening)" in out
    assert "crisis signal: 26 mentions in the window where 2.0 are usual" in out
    code, out, _ = cli("--database", demo_db, "incidents", "ack", str(crisis), "--by", "Kovida")
    assert code == 0 and f"Incident #{crisis} acknowledged by Kovida" in out
    code, out, _ = cli("--database", demo_db, "incidents", "resolve", str(crisis), "--by", "Kovida")
    assert code == 0
    code, out, _ = cli("--database", demo_db, "incidents", "list")
    assert not re.search(rf"│ {crisis} +│ crisis", out)
    code, out, _ = cli("--database", demo_db, "incidents", "list", "--all")
    assert re.search(rf"│ {crisis} +│ crisis +│ immediate HIGH +│ resolved", out)
    code, _, err = cli("--database", demo_db, "incidents", "resolve", str(crisis))
    assert code == 2 and f"incident #{crisis} is already resolved" in err


def test_silence_and_its_mistakes(demo_db, cli, capsys):
    code, out, _ = cli(
        "--database",
        demo_db,
        "incidents",
        "silence",
        "--term",
        "raffle",
        "--hours",
        "6",
        "--reason",
        "branch dispute, handled by phone",
    )
    assert code == 0 and "Silenced term 'raffle' until" in out
    with create_engine(demo_db).connect() as conn:
        assert conn.execute(text("select kind, value, reason from silences")).all() == [
            ("term", "raffle", "branch dispute, handled by phone")
        ]
    code, _, err = cli(
        "--database", demo_db, "incidents", "silence", "--author", "x", "--until", "2020-01-01 09:00"
    )
    assert code == 2 and "before it starts" in err
    with pytest.raises(SystemExit):
        main(["--database", demo_db, "incidents", "silence", "--author", "x", "--until", "next week"])
    assert "'next week' is not a time" in capsys.readouterr().err


def test_an_unknown_incident_says_how_to_find_them(demo_db, cli):
    code, _, err = cli("--database", demo_db, "incidents", "show", "9999")
    assert code == 2 and "no incident #9999; `run_monitor.py incidents list` shows them" in err


def test_help_names_every_action(capsys):
    with pytest.raises(SystemExit):
        main(["incidents", "--help"])
    out = capsys.readouterr().out
    assert all(action in out for action in ("list", "show", "ack", "resolve", "silence"))
