"""The web app through Flask's test client: sign-in, inbox, incident actions, each in the database."""

from __future__ import annotations

import re

from webapp import HTTPS, KOVIDA, csrf, seed_incident, sign_in

from monitor.schema import ActionLog, Incident


def test_sign_in_then_acknowledge_is_recorded(client, sessions):
    incident_id = seed_incident(sessions)
    sign_in(client, sessions)
    page = client.get("/incidents", **HTTPS).get_data(as_text=True)
    assert f"#{incident_id}" in page
    path = f"/incidents/{incident_id}"
    response = client.post(f"{path}/acknowledge", data={"csrf_token": csrf(client, path)}, **HTTPS)
    assert response.status_code == 303
    with sessions() as session:
        incident = session.get(Incident, incident_id)
        assert incident.status == "acknowledged"
        (log,) = session.query(ActionLog).all()
        assert (log.actor, log.action, log.source) == (KOVIDA, "acknowledge", f"page {path}")


def test_assign_note_resolve_and_the_timeline_keep_who_what_and_where(client, sessions):
    incident_id = seed_incident(sessions)
    sign_in(client, sessions)
    path = f"/incidents/{incident_id}"
    steps = [
        ("assign", {"assignee": "FABIOLA.franco@iom3.org"}),
        ("note", {"note": "Called the member; reply drafted"}),
        ("resolve", {"outcome": "Official reply posted; member thanked us"}),
    ]
    for action, form in steps:
        response = client.post(f"{path}/{action}", data={**form, "csrf_token": csrf(client, path)}, **HTTPS)
        assert response.status_code == 303, action
    with sessions() as session:
        incident = session.get(Incident, incident_id)
        assert (incident.status, incident.assigned_to) == ("resolved", "fabiola.franco@iom3.org")
        assert incident.outcome == "Official reply posted; member thanked us"
        assert [e["what"] for e in incident.history[-4:]] == [
            "assigned to Fabiola Franco by Kovida Mehra",
            "note by Kovida Mehra: Called the member; reply drafted",
            "resolved by Kovida Mehra",
            "outcome: Official reply posted; member thanked us",
        ]
        log = session.query(ActionLog).order_by(ActionLog.id).all()
        assert [(a.action, a.actor, a.source) for a in log] == [
            ("assign", KOVIDA, f"page {path}"),
            ("note", KOVIDA, f"page {path}"),
            ("resolve", KOVIDA, f"page {path}"),
        ]
    timeline = client.get(f"{path}/timeline", **HTTPS).get_data(as_text=True)
    for words in ("assign", "Official reply posted", "Kovida Mehra", f"page {path}"):
        assert words in timeline


def test_a_refused_action_says_why_and_changes_nothing(client, sessions):
    incident_id = seed_incident(sessions)
    sign_in(client, sessions)
    path = f"/incidents/{incident_id}"
    for action, form in [("resolve", {"outcome": "  "}), ("assign", {"assignee": "stranger@example.org"})]:
        response = client.post(f"{path}/{action}", data={**form, "csrf_token": csrf(client, path)}, **HTTPS)
        assert response.status_code == 303
        page = client.get(path, **HTTPS).get_data(as_text=True)
        assert ("say how it was resolved" if action == "resolve" else "someone in contacts.toml") in page
    with sessions() as session:
        assert session.get(Incident, incident_id).status == "open"
        assert session.query(ActionLog).count() == 0


def test_the_inbox_puts_the_most_severe_first_filters_and_paginates(client, sessions, app):
    from datetime import UTC, datetime, timedelta

    start = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    ids = {}
    ids["old_same_day"] = seed_incident(sessions, author="a", opened_at=start)
    ids["new_same_day"] = seed_incident(sessions, author="b", opened_at=start + timedelta(hours=5))
    ids["immediate"] = seed_incident(
        sessions, author="c", severity="immediate", category="crisis", opened_at=start
    )
    ids["high"] = seed_incident(sessions, author="d", level="high", opened_at=start)
    sign_in(client, sessions)
    page = client.get("/incidents", **HTTPS).get_data(as_text=True)
    order = [int(n) for n in re.findall(r'href="/incidents/(\d+)"', page)]
    # The emails' scale: an act-now crisis is HIGH; same-day complaints are MEDIUM, whatever
    # their score, the stronger one first among them, then the newest.
    assert order == [ids["immediate"], ids["high"], ids["new_same_day"], ids["old_same_day"]]
    labels = re.findall(r'<span class="badge sev-(\w+)">(\w+)</span> #(\d+)', page)
    assert labels[:2] == [("high", "HIGH", str(ids["immediate"])), ("medium", "MEDIUM", str(ids["high"]))]
    crisis = client.get("/incidents?category=crisis", **HTTPS).get_data(as_text=True)
    assert re.findall(r'href="/incidents/(\d+)"', crisis) == [str(ids["immediate"])]
    medium = client.get("/incidents?severity=medium", **HTTPS).get_data(as_text=True)
    assert sorted(int(n) for n in re.findall(r'href="/incidents/(\d+)"', medium)) == sorted(
        [ids["high"], ids["new_same_day"], ids["old_same_day"]]
    )
    for n in range(30):
        seed_incident(sessions, author=f"more{n}", opened_at=start - timedelta(hours=n + 1))
    first = client.get("/incidents", **HTTPS).get_data(as_text=True)
    second = client.get("/incidents?page=2", **HTTPS).get_data(as_text=True)
    size = app.extensions["iom3"]["config"].monitor.web.page_size
    assert len(re.findall(r'href="/incidents/(\d+)"', first)) == size
    assert len(re.findall(r'href="/incidents/(\d+)"', second)) == 34 - size
    assert "Page 2 of 2" in second


def test_the_inbox_ranks_as_the_emails_do(sessions, app):
    """The inbox's SQL rank and alerts.severity.severity_of agree on every kind of incident."""
    from itertools import product

    from sqlalchemy import select

    from alerts.severity import severity_of
    from monitor.schema import Incident
    from monitor.web.incidents import severity_rank

    lane = app.extensions["iom3"]["config"].routing.lane.categories
    kinds = list(product(("immediate", "same_day", "digest"), ("high", "normal"), ("complaint", lane[0])))
    ids = {
        seed_incident(sessions, author=f"k{n}", severity=u, level=lv, category=c): (u, lv, c)
        for n, (u, lv, c) in enumerate(kinds)
    }
    with sessions() as session:
        ranks = dict(session.execute(select(Incident.id, severity_rank(lane))).all())
    assert {i: ranks[i] for i in ids} == {
        i: severity_of(u, lv, c, lane=lane).rank for i, (u, lv, c) in ids.items()
    }
    assert len(set(ranks.values())) == 4  # every level of the scale was tried
