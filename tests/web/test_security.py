"""The web app's security promises, each shown by a request that tries to break it."""

from __future__ import annotations

import re
from datetime import timedelta
from email import message_from_string, policy

import pytest
from sqlalchemy import func, select, text
from webapp import COLLETTE, HTTPS, KOVIDA, SECRET, csrf, last_link, seed_incident, sign_in

from alerts.incidents import notify_due
from monitor.links import make_token, safe_next
from monitor.schema import ActionLog, Incident, OutboxMessage, Silence, UsedLink, WebSession
from monitor.web.serve import UnsafeAddress, check_address

TABLES = ("incidents", "action_log", "silences", "used_links", "web_sessions", "outbox")


def snapshot(sessions) -> dict[str, list]:
    """Every row of the tables an action could change."""
    with sessions() as session:
        return {t: [tuple(r) for r in session.execute(text(f"SELECT * FROM {t} ORDER BY 1"))] for t in TABLES}


def alert_links(sessions, config, clock) -> dict[str, str]:
    """Queue the incident's alert email (as the service would) and read its links."""
    assert notify_due(sessions, config, clock=clock) == 1
    with sessions() as session:
        (row,) = session.scalars(select(OutboxMessage).where(OutboxMessage.incident_id.is_not(None))).all()
    body = message_from_string(row.payload, policy=policy.default).get_body(("plain",)).get_content()
    found = dict(re.findall(r"^(Acknowledge|Open the incident): https://monitor\.test(/l/\S+)$", body, re.M))
    return {"acknowledge": found["Acknowledge"], "open": found["Open the incident"]}


# --- CSRF -------------------------------------------------------------------------------------
@pytest.mark.parametrize("token", [None, "wrong"])
def test_a_post_without_the_right_csrf_token_is_refused_and_changes_nothing(client, sessions, token):
    incident_id = seed_incident(sessions)
    sign_in(client, sessions)
    before = snapshot(sessions)
    for action, form in [
        ("acknowledge", {}),
        ("assign", {"assignee": KOVIDA}),
        ("note", {"note": "hello"}),
        ("resolve", {"outcome": "done"}),
        ("silence", {"kind": "thread", "reason": "r", "until": "2026-11-24T09:00"}),
    ]:
        if token:
            form["csrf_token"] = token
        response = client.post(f"/incidents/{incident_id}/{action}", data=form, **HTTPS)
        assert response.status_code == 403, action
        assert "Nothing was changed" in response.get_data(as_text=True)
    assert snapshot(sessions) == before


def test_a_csrf_token_from_another_browser_is_refused(app, client, sessions):
    incident_id = seed_incident(sessions)
    sign_in(client, sessions)
    other = app.test_client()
    foreign = csrf(other, "/sign-in")
    before = snapshot(sessions)
    response = client.post(f"/incidents/{incident_id}/acknowledge", data={"csrf_token": foreign}, **HTTPS)
    assert response.status_code == 403
    assert snapshot(sessions) == before


# --- links ------------------------------------------------------------------------------------
def test_an_email_link_acknowledges_only_after_the_confirmation_tap(client, sessions, web_config, clock):
    incident_id = seed_incident(sessions)
    links = alert_links(sessions, web_config, clock)
    before = snapshot(sessions)
    page = client.get(links["acknowledge"], **HTTPS)  # what a link preview or a mail scanner does
    assert page.status_code == 200
    assert f"Acknowledge incident #{incident_id} as Kovida Mehra?" in page.get_data(as_text=True)
    assert snapshot(sessions) == before
    response = client.post(
        links["acknowledge"], data={"csrf_token": csrf(client, links["acknowledge"])}, **HTTPS
    )
    assert response.status_code == 303
    with sessions() as session:
        incident = session.get(Incident, incident_id)
        assert incident.status == "acknowledged"
        (log,) = session.scalars(select(ActionLog)).all()
        assert (log.actor, log.action, log.source) == (KOVIDA, "acknowledge", "email link (Acknowledge)")
        assert "acknowledged by Kovida Mehra" in incident.history[-1]["what"]
    # ... and the tap signed Kovida in on this browser.
    assert "Sign out" in client.get(f"/incidents/{incident_id}", **HTTPS).get_data(as_text=True)


def test_a_used_link_is_refused_and_offers_sign_in(client, sessions, web_config, clock):
    seed_incident(sessions)
    links = alert_links(sessions, web_config, clock)
    token = csrf(client, links["open"])
    assert client.post(links["open"], data={"csrf_token": token}, **HTTPS).status_code == 303
    before = snapshot(sessions)
    token = csrf(client, "/sign-in")  # signing in started a fresh session, with a fresh token
    again = client.post(links["open"], data={"csrf_token": token}, **HTTPS)
    assert again.status_code == 410
    body = again.get_data(as_text=True)
    assert "already been used" in body and 'href="/sign-in"' in body
    assert client.get(links["open"], **HTTPS).status_code == 410
    assert snapshot(sessions) == before


def test_an_expired_link_is_refused_and_changes_nothing(client, sessions, web_config, clock):
    incident_id = seed_incident(sessions)
    links = alert_links(sessions, web_config, clock)
    token = csrf(client, links["acknowledge"])
    clock.advance(hours=web_config.monitor.web.action_link_hours, seconds=1)
    before = snapshot(sessions)
    response = client.post(links["acknowledge"], data={"csrf_token": token}, **HTTPS)
    assert response.status_code == 410
    assert "expired" in response.get_data(as_text=True)
    assert snapshot(sessions) == before
    with sessions() as session:
        assert session.get(Incident, incident_id).status == "open"


def test_a_tampered_link_is_refused(client, sessions, web_config, clock):
    incident_id = seed_incident(sessions)
    links = alert_links(sessions, web_config, clock)
    token = links["acknowledge"].removeprefix("/l/")
    payload, _, signature = token.rpartition(".")
    forged = f"/l/{payload}.{signature[:-2]}{'AA' if not signature.endswith('AA') else 'BB'}"
    # A token signed with another secret, for an incident of the forger's choosing:
    other = make_token(
        "x" * 40,
        purpose="acknowledge",
        email=KOVIDA,
        expires=clock() + timedelta(hours=1),
        incident_id=incident_id,
    )
    csrf_token = csrf(client, "/sign-in")
    before = snapshot(sessions)
    for path in (forged, f"/l/{other}"):
        assert client.get(path, **HTTPS).status_code == 410
        response = client.post(path, data={"csrf_token": csrf_token}, **HTTPS)
        assert response.status_code == 410
        assert "not valid" in response.get_data(as_text=True)
    assert snapshot(sessions) == before


def test_a_sign_in_link_works_once_and_expires(client, app, sessions, clock):
    token = csrf(client, "/sign-in")
    client.post("/sign-in", data={"email": KOVIDA, "csrf_token": token}, **HTTPS)
    link = last_link(sessions, KOVIDA)
    page_token = csrf(client, link)
    assert client.post(link, data={"csrf_token": page_token}, **HTTPS).status_code == 302
    again = client.post(link, data={"csrf_token": csrf(client, "/sign-in")}, **HTTPS)
    assert again.status_code == 410
    # A fresh link, left too long:
    stranger = app.test_client()
    client_token = csrf(stranger, "/sign-in")
    stranger.post("/sign-in", data={"email": KOVIDA, "csrf_token": client_token}, **HTTPS)
    late = last_link(sessions, KOVIDA)
    clock.advance(minutes=15, seconds=1)
    response = stranger.post(late, data={"csrf_token": client_token}, **HTTPS)
    assert response.status_code == 410 and "expired" in response.get_data(as_text=True)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(WebSession)) == 1


# --- hostile posts ----------------------------------------------------------------------------
def test_a_script_in_a_post_and_a_javascript_url_render_inert(client, sessions):
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)> complaint'
    incident_id = seed_incident(sessions, text=hostile, url="javascript:alert(document.cookie)")
    sign_in(client, sessions)
    for path in (
        f"/incidents/{incident_id}",
        "/incidents",
        f"/incidents/{incident_id}/timeline",
        "/mentions?q=script",
    ):
        response = client.get(path, **HTTPS)
        body = response.get_data(as_text=True)
        assert response.status_code == 200, path
        assert "<script" not in body and "<img src=x" not in body, path
        assert 'href="javascript:' not in body, path
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    body = client.get(f"/incidents/{incident_id}", **HTTPS).get_data(as_text=True)
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in body
    assert "<mark>complaint</mark>" in body  # the evidence is still highlighted


# --- roles ------------------------------------------------------------------------------------
def test_a_person_without_the_role_cannot_silence(client, sessions):
    incident_id = seed_incident(sessions)
    sign_in(client, sessions, COLLETTE)  # Director of Business Support: resolve yes, silence no
    page = client.get(f"/incidents/{incident_id}", **HTTPS).get_data(as_text=True)
    assert f"/incidents/{incident_id}/silence" not in page  # no form offered ...
    before = snapshot(sessions)
    form = {
        "kind": "thread",
        "reason": "noise",
        "until": "2026-11-24T09:00",
        "csrf_token": csrf(client, "/incidents"),
    }
    response = client.post(f"/incidents/{incident_id}/silence", data=form, **HTTPS)  # ... nor taken
    assert response.status_code == 403
    assert snapshot(sessions) == before


def test_a_silence_by_someone_allowed_is_made_and_lifted(client, sessions):
    incident_id = seed_incident(sessions)
    sign_in(client, sessions)
    form = {"kind": "author", "value": "someone", "reason": "known troll", "until": "2026-11-24T09:00"}
    form["csrf_token"] = csrf(client, f"/incidents/{incident_id}")
    assert client.post(f"/incidents/{incident_id}/silence", data=form, **HTTPS).status_code == 303
    with sessions() as session:
        (silence,) = session.scalars(select(Silence)).all()
        assert (silence.kind, silence.value, silence.created_by) == ("author", "someone", "Kovida Mehra")
    assert "someone" in client.get("/silences", **HTTPS).get_data(as_text=True)
    lifted = client.post(
        f"/silences/{silence.id}/lift", data={"csrf_token": csrf(client, "/silences")}, **HTTPS
    )
    assert lifted.status_code == 303
    with sessions() as session:
        assert session.get(Silence, silence.id).ends_at <= session.get(Incident, incident_id).updated_at
        assert [a.action for a in session.scalars(select(ActionLog).order_by(ActionLog.id))] == [
            "silence",
            "lift silence",
        ]


# --- sign-in ----------------------------------------------------------------------------------
def test_sign_in_answers_the_same_for_a_listed_and_an_unknown_address(client, sessions):
    token = csrf(client, "/sign-in")
    known = client.post("/sign-in", data={"email": KOVIDA, "csrf_token": token}, **HTTPS)
    unknown = client.post("/sign-in", data={"email": "nobody@example.org", "csrf_token": token}, **HTTPS)
    assert known.status_code == unknown.status_code == 200
    assert known.get_data() == unknown.get_data()
    with sessions() as session:
        recipients = session.scalars(select(OutboxMessage.recipient)).all()
    assert recipients == [f"Kovida Mehra <{KOVIDA}>"]


def test_sign_in_is_rate_limited(client, sessions):
    token = csrf(client, "/sign-in")
    codes = [
        client.post("/sign-in", data={"email": f"n{i}@example.org", "csrf_token": token}, **HTTPS).status_code
        for i in range(6)
    ]
    assert codes == [200] * 5 + [429]


def test_one_address_gets_at_most_three_links_per_window(app, sessions):
    for _ in range(5):
        client = app.test_client()  # as if from several browsers: the per-address cap still holds
        client.post("/sign-in", data={"email": KOVIDA, "csrf_token": csrf(client, "/sign-in")}, **HTTPS)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 3


@pytest.mark.parametrize(
    "target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", "/ok:x"]
)
def test_no_open_redirect_after_sign_in(target):
    assert safe_next(target) == "/"


def test_sign_in_returns_to_the_page_asked_for(client, sessions):
    response = client.get("/incidents?status=resolved", **HTTPS)
    assert response.status_code == 302 and "/sign-in?next=" in response.headers["Location"]
    page = client.get(response.headers["Location"], **HTTPS).get_data(as_text=True)
    assert 'name="next" value="/incidents?status=resolved"' in page


def test_sign_out_ends_the_session_on_the_server(client, sessions):
    sign_in(client, sessions)
    cookie = client.get_cookie("iom3_session", domain="monitor.test")
    assert cookie.secure and cookie.http_only and cookie.same_site == "Lax"
    client.post("/sign-out", data={"csrf_token": csrf(client, "/incidents")}, **HTTPS)
    with sessions() as session:
        assert session.scalar(select(WebSession.ended_at)) is not None
    # The old cookie, replayed, is no longer a session.
    client.set_cookie("iom3_session", cookie.value, domain="monitor.test", secure=True)
    assert client.get("/incidents", **HTTPS).status_code == 302


# --- GET changes nothing ----------------------------------------------------------------------
def test_no_get_changes_state(client, sessions, web_config, clock, app):
    incident_id = seed_incident(sessions)
    links = alert_links(sessions, web_config, clock)
    sign_in_link = "/sign-in/" + make_token(
        SECRET, purpose="sign-in", email=KOVIDA, expires=clock() + timedelta(minutes=5)
    )
    sign_in(client, sessions)
    before = snapshot(sessions)
    paths = [
        "/",
        "/incidents",
        "/incidents?status=acknowledged&category=complaint&page=2",
        f"/incidents/{incident_id}",
        f"/incidents/{incident_id}/timeline",
        "/mentions?q=complaint",
        "/silences",
        "/status",
        "/archive",
        "/accounts",
        "/sign-in",
        sign_in_link,
        links["acknowledge"],
        links["open"],
        "/sign-out",
        *(f"/incidents/{incident_id}/{a}" for a in ("acknowledge", "assign", "note", "resolve", "silence")),
    ]
    rules = {r.rule for r in app.url_map.iter_rules() if "GET" in r.methods and r.endpoint != "static"}
    assert len(rules) >= 12  # every GET page is in the list above (by its pattern)
    for path in paths:
        assert client.get(path, **HTTPS).status_code in (200, 302, 404, 405), path
    assert snapshot(sessions) == before
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(UsedLink)) == 1  # the sign-in above only


def test_serving_beyond_loopback_needs_tls_or_a_proxy(web_config):
    check_address(web_config, "127.0.0.1")
    check_address(web_config, "::1")
    with pytest.raises(UnsafeAddress, match="0.0.0.0.*reverse proxy"):
        check_address(web_config, "0.0.0.0")
    proxied = web_config.with_overrides(web=web_config.monitor.web.model_copy(update={"behind_proxy": True}))
    check_address(proxied, "0.0.0.0")


def test_an_email_the_deputy_also_reads_has_no_link_that_signs_in_as_someone_else(
    client, sessions, web_config, clock
):
    """A safeguarding alert goes to the Director and the deputy in one email: a signed link in it
    would sign the deputy in as the Director, so it carries only the incident page (sign-in)."""
    incident_id = seed_incident(sessions, category="safeguarding", severity="immediate", level="high")
    with sessions.begin() as session:
        session.get(Incident, incident_id).role = "director_of_business_support"
    assert notify_due(sessions, web_config, clock=clock) >= 1
    with sessions() as session:
        (row,) = session.scalars(select(OutboxMessage).where(OutboxMessage.incident_id == incident_id)).all()
    message = message_from_string(row.payload, policy=policy.default)
    assert "safeguarding@iom3.org" in message["To"]  # the deputy reads this email too
    for part in ("plain", "html"):
        body = message.get_body((part,)).get_content()
        assert "/l/" not in body
        assert f"https://monitor.test/incidents/{incident_id}" in body
