"""`run_monitor.py incidents ...`: what a comms officer does with an alert."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import create_engine, text

from monitor.cli import main

pytestmark = pytest.mark.usefixtures("wide_terminal")


def _rows(url: str, sql: str, **params: object) -> list[tuple]:
    """What `sql` selects from the demo database (its engine disposed afterwards)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(sql), params)]
    finally:
        engine.dispose()


def _crisis_id(url: str) -> int:
    ((found,),) = _rows(url, "select id from incidents where category = 'crisis'")
    return found


def test_list_show_ack_resolve(demo_db, cli):
    crisis = _crisis_id(demo_db)
    code, out, _ = cli("--database", demo_db, "incidents", "list")
    assert code == 0 and re.search(rf"│ {crisis} +│ crisis +│ immediate HIGH +│ open", out)
    code, out, _ = cli("--database", demo_db, "incidents", "show", str(crisis))
    assert code == 0 and f"Incident #{crisis}: crisis" in out and "emailed (opening)" in out
    # 2.1 usual since #16 added two X posts with pictures to the sample's baseline week (2.0 before).
    assert "crisis signal: 26 mentions in the window where 2.1 are usual" in out
    code, out, _ = cli("--database", demo_db, "incidents", "ack", str(crisis), "--by", "Kovida")
    assert code == 0 and f"Incident #{crisis} acknowledged by Kovida" in out
    outcome = "statement posted; Kestrel thread answered"
    code, out, _ = cli(
        "--database", demo_db, "incidents", "resolve", str(crisis), "--by", "Kovida", "--outcome", outcome
    )
    assert code == 0 and f"Incident #{crisis} resolved: {outcome}" in out
    # The trustees' record holds what was done from the command line, as it does the web app's.
    logged = _rows(
        demo_db,
        "select actor, action, source, detail from action_log where incident_id = :i order by id",
        i=crisis,
    )
    assert _rows(demo_db, "select outcome from incidents where id = :i", i=crisis) == [(outcome,)]
    assert logged == [("Kovida", "acknowledge", "cli", ""), ("Kovida", "resolve", "cli", outcome)]
    code, out, _ = cli("--database", demo_db, "incidents", "list")
    assert not re.search(rf"│ {crisis} +│ crisis", out)
    code, out, _ = cli("--database", demo_db, "incidents", "list", "--all")
    assert re.search(rf"│ {crisis} +│ crisis +│ immediate HIGH +│ resolved", out)
    code, _, err = cli("--database", demo_db, "incidents", "resolve", str(crisis), "--outcome", "again")
    assert code == 2 and f"incident #{crisis} is already resolved" in err


def test_a_contacts_address_acts_as_that_person(demo_db, cli, config):
    """`--by` an address in contacts.toml: the record names the person, by address."""
    head = next(c for c in config.contacts.roles.values() if c.email)
    ((incident,),) = _rows(demo_db, "select min(id) from incidents where status = 'open'")
    code, out, _ = cli(
        "--database", demo_db, "incidents", "ack", str(incident), "--by", str(head.email).upper()
    )
    assert code == 0 and f"acknowledged by {head.name}" in out
    actor = _rows(
        demo_db, "select actor from action_log where incident_id = :i and action = 'acknowledge'", i=incident
    )
    assert actor == [(str(head.email).lower(),)]


def test_resolve_asks_for_the_outcome(demo_db, cli, capsys):
    with pytest.raises(SystemExit):
        cli("--database", demo_db, "incidents", "resolve", "1")
    assert "--outcome" in capsys.readouterr().err


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
    assert code == 0 and "Silence #1: term 'raffle' until" in out
    assert "Safeguarding, disclosure alerts still come through" in out
    assert _rows(demo_db, "select kind, value, reason from silences") == [
        ("term", "raffle", "branch dispute, handled by phone")
    ]
    assert _rows(demo_db, "select action, source from action_log where silence_id = 1") == [
        ("silence", "cli")
    ]
    code, _, err = cli(
        "--database",
        demo_db,
        "incidents",
        "silence",
        "--author",
        "x",
        "--until",
        "2020-01-01 09:00",
        "--reason",
        "r",
    )
    assert code == 2 and "before it starts" in err
    # The example: ten thousand hours, and a silence on safeguarding, are both refused.
    code, _, err = cli(
        "--database", demo_db, "incidents", "silence", "--term", "iom", "--hours", "10000", "--reason", "r"
    )
    assert code == 2 and "10,000 hours is longer than the 168 allowed" in err and "max_hours" in err
    code, _, err = cli(
        "--database",
        demo_db,
        "incidents",
        "silence",
        "--category",
        "safeguarding",
        "--hours",
        "1",
        "--reason",
        "r",
    )
    assert code == 2 and "safeguarding is in the safeguarding lane and can never be silenced" in err
    with pytest.raises(SystemExit):
        main(
            [
                "--database",
                demo_db,
                "incidents",
                "silence",
                "--author",
                "x",
                "--until",
                "next week",
                "--reason",
                "r",
            ]
        )
    assert "'next week' is not a time" in capsys.readouterr().err


def test_silences_are_listed_with_year_and_can_be_lifted(demo_db, cli):
    code, out, _ = cli(
        "--database",
        demo_db,
        "incidents",
        "silence",
        "--author",
        "SomeTroll",
        "--hours",
        "24",
        "--reason",
        "known troll",
    )
    assert code == 0
    silence_id = re.search(r"Silence #(\d+)", out).group(1)
    code, out, _ = cli("--database", demo_db, "incidents", "silences")
    assert code == 0 and "author=SomeTroll" in out and "known troll" in out and re.search(r"20\d\d", out)
    assert "in force" in out
    code, out, _ = cli("--database", demo_db, "incidents", "unsilence", silence_id)
    assert code == 0 and f"Silence #{silence_id} lifted" in out
    code, out, _ = cli("--database", demo_db, "incidents", "silences")
    assert "SomeTroll" not in out
    code, out, _ = cli("--database", demo_db, "incidents", "silences", "--all")
    assert "SomeTroll" in out and "lifted by" in out
    code, _, err = cli("--database", demo_db, "incidents", "unsilence", silence_id)
    assert code == 2 and "already ended" in err
    code, _, err = cli("--database", demo_db, "incidents", "unsilence", "99")
    assert code == 2 and "no silence #99" in err


def test_an_unknown_incident_says_how_to_find_them(demo_db, cli):
    code, _, err = cli("--database", demo_db, "incidents", "show", "9999")
    assert code == 2 and "no incident #9999; `run_monitor.py incidents list` shows them" in err


def test_help_names_every_action(capsys):
    with pytest.raises(SystemExit):
        main(["incidents", "--help"])
    out = capsys.readouterr().out
    assert all(
        action in out for action in ("list", "show", "ack", "resolve", "silence", "silences", "unsilence")
    )
