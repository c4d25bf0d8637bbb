"""Migration 0009 (web triage) down and up again on a database that holds an incident."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect
from webapp import seed_incident

from monitor.schema import Incident
from monitor.store import alembic_config


def test_0009_downgrades_and_upgrades_keeping_incidents(engine, sessions):
    incident_id = seed_incident(sessions)
    command.downgrade(alembic_config(engine), "0005")
    tables = set(inspect(engine).get_table_names())
    assert not {"action_log", "web_sessions", "used_links"} & tables
    assert "assigned_to" not in {c["name"] for c in inspect(engine).get_columns("incidents")}
    command.upgrade(alembic_config(engine), "head")
    with sessions() as session:
        incident = session.get(Incident, incident_id)
        assert (incident.status, incident.assigned_to, incident.outcome) == ("open", "", "")
