"""The web app through Flask's test client: sign-in, inbox, incident actions, each in the database."""

from __future__ import annotations

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
