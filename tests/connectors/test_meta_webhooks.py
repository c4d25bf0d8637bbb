"""Meta webhooks: verification, X-Hub-Signature-256 over the raw body, and the queue that the
Instagram and Facebook connectors read on their next run (stored once, however often delivered)."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
import responses
from sqlalchemy import func, select

from connectors.facebook import FacebookConnector
from connectors.facebook import Settings as FacebookSettings
from connectors.instagram import InstagramConnector
from connectors.instagram import Settings as InstagramSettings
from connectors.meta_webhooks import handle, objects_to_fetch, signature_ok
from monitor.channels import ChannelDirectory
from monitor.pipeline import ingest
from monitor.schema import MentionRow, WebhookEvent
from monitor.store import load_cursor
from monitor.webhooks import wsgi_app

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SECRET = b"fake-app-secret-for-tests"  # not a real app secret: tests only
VERIFY = "fake-verify-token"
G = "https://graph.facebook.com/v24.0"
IG_ACCOUNT = "17841400000000001"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SIG = "X-Hub-Signature-256"


def raw(name: str) -> bytes:
    return (FIXTURES / "meta_webhooks" / name).read_bytes()


def fx(name: str) -> dict:
    return json.loads(raw(name))


def sign(body: bytes, secret: bytes = SECRET) -> str:
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


@pytest.fixture
def server(sessions) -> Iterator[tuple[str, int]]:
    """The WSGI app on a real socket (wsgiref), as `python -m monitor.webhooks` serves it."""

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args: object) -> None:  # keep request lines out of test output
            pass

    httpd = make_server(
        "127.0.0.1", 0, wsgi_app(sessions, app_secret=SECRET, verify_token=VERIFY), handler_class=Quiet
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address
    httpd.shutdown()
    httpd.server_close()


def request(
    address: tuple[str, int], method: str, path: str, body: bytes = b"", headers=None
) -> tuple[int, str]:
    conn = http.client.HTTPConnection(*address, timeout=10)
    conn.request(method, path, body=body, headers=headers or {})
    answer = conn.getresponse()
    result = answer.status, answer.read().decode()
    conn.close()
    return result


def queued(sessions) -> list[WebhookEvent]:
    with sessions() as session:
        return list(session.scalars(select(WebhookEvent).order_by(WebhookEvent.id)))


def test_the_verification_challenge_is_answered_only_with_the_right_token(server):
    ok = request(server, "GET", f"/?hub.mode=subscribe&hub.verify_token={VERIFY}&hub.challenge=1158201444")
    assert ok == (200, "1158201444")
    wrong = request(server, "GET", "/?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1158201444")
    assert wrong[0] == 403 and "1158201444" not in wrong[1]


def test_a_tampered_body_or_signature_is_403_and_queues_nothing(server, sessions):
    body = raw("instagram_mentions.json")
    tampered = body.replace(b"17900000000000555", b"17900000000000556")
    assert request(server, "POST", "/", tampered, {SIG: sign(body)})[0] == 403  # body changed after signing
    assert request(server, "POST", "/", body, {SIG: sign(body, b"another-secret")})[0] == 403
    assert request(server, "POST", "/", body, {})[0] == 403  # no signature at all
    assert queued(sessions) == []


def test_the_signature_is_over_the_exact_bytes_received():
    body = raw("page_feed.json")
    assert signature_ok(body, sign(body), SECRET)
    reformatted = json.dumps(json.loads(body)).encode()  # same JSON, other bytes
    assert not signature_ok(reformatted, sign(body), SECRET)
    assert not signature_ok(body, sign(body).upper().replace("SHA256", "sha256"), SECRET)


def test_only_mentions_and_feed_additions_are_queued():
    instagram = objects_to_fetch(fx("instagram_mentions.json"))
    assert [(o.platform, o.kind, o.object_id) for o in instagram] == [
        ("instagram", "media", "17900000000000555"),
        ("instagram", "comment", "17858893269000777"),
    ]
    page = objects_to_fetch(fx("page_feed.json"))
    assert [(o.platform, o.kind, o.object_id) for o in page] == [("facebook", "post", "104729584412_990001")]
    assert (
        objects_to_fetch({"object": "user", "entry": [{"changes": [{"field": "feed", "value": {}}]}]}) == []
    )


def test_handle_is_a_plain_function_any_server_can_mount():
    got = []
    body = raw("page_feed.json")
    reply = handle(
        "POST",
        {},
        {"x-hub-signature-256": sign(body)},
        body,
        app_secret=SECRET,
        verify_token=VERIFY,
        enqueue=got.extend,
    )
    assert reply.status == 200 and [o.object_id for o in got] == ["104729584412_990001"]


@responses.activate
def test_a_mention_delivered_twice_is_fetched_by_id_and_stored_once(server, sessions, config, monkeypatch):
    monkeypatch.setenv("IOM3_INSTAGRAM_TOKEN", "fake-ig-token-webhooks")
    body = raw("instagram_mentions.json")
    for _ in range(2):  # Meta delivers again when it is unsure the first one arrived
        assert request(server, "POST", "/", body, {SIG: sign(body), "Content-Type": "application/json"}) == (
            200,
            "EVENT_RECEIVED",
        )
    assert len(queued(sessions)) == 2  # the media mention and the comment mention, once each

    responses.get(
        f"{G}/{IG_ACCOUNT}", json=fx("mentioned_comment.json"), match=[_prefix_matcher("mentioned_comment")]
    )
    responses.get(
        f"{G}/{IG_ACCOUNT}", json=fx("mentioned_media.json"), match=[_prefix_matcher("mentioned_media")]
    )
    responses.get(f"{G}/{IG_ACCOUNT}/media", json={"data": []})
    responses.get(f"{G}/{IG_ACCOUNT}/tags", json={"data": []})
    instagram = InstagramConnector(
        InstagramSettings(accounts={"iomthree": IG_ACCOUNT}),
        config.watch_list(),
        sleep=[].append,
        clock=lambda: NOW,
    )
    first = ingest(sessions, instagram, ChannelDirectory(config))
    assert (first.status, first.stored) == ("ok", 2), first
    with sessions() as session:
        rows = {r.platform_id: r for r in session.scalars(select(MentionRow))}
        cursor = load_cursor(session, "instagram")
    assert rows["17900000000000555"].author_handle == "plastics_pat"
    comment = rows["17858893269000777"]
    assert (comment.author_handle, comment.thread_id) == ("student_sam", "17900000000000666")
    assert "webhook_events" not in cursor
    assert all(e.fetched_at is not None for e in queued(sessions))

    # Delivered a third time after the run: already queued once, so nothing is fetched again.
    request(server, "POST", "/", body, {SIG: sign(body)})
    calls = len(responses.calls)
    second = ingest(sessions, instagram, ChannelDirectory(config))
    assert second.stored == 0
    assert not any("mentioned_" in c.request.url for c in responses.calls[calls:])
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(MentionRow)) == 2


@responses.activate
def test_a_page_feed_post_is_fetched_by_id_on_the_next_facebook_run(server, sessions, config, monkeypatch):
    monkeypatch.setenv("IOM3_FACEBOOK_PAGE_TOKEN", "fake-fb-token-webhooks")
    body = raw("page_feed.json")
    assert request(server, "POST", "/", body, {SIG: sign(body)})[0] == 200
    responses.get(f"{G}/104729584412_990001", json=fx("post_990001.json"))
    responses.get(f"{G}/104729584412/feed", json={"data": []})
    responses.get(f"{G}/104729584412/tagged", json={"data": []})
    facebook = FacebookConnector(
        FacebookSettings(pages={"iom3": "104729584412"}),
        config.watch_list(),
        sleep=[].append,
        clock=lambda: NOW,
    )
    result = ingest(sessions, facebook, ChannelDirectory(config))
    assert (result.status, result.stored) == ("ok", 1), result
    with sessions() as session:
        (row,) = session.scalars(select(MentionRow))
    assert (row.platform_id, row.author_name) == ("104729584412_990001", "A Visitor")


@responses.activate
def test_a_queued_object_deleted_since_is_named_and_settled(server, sessions, config, monkeypatch):
    monkeypatch.setenv("IOM3_FACEBOOK_PAGE_TOKEN", "fake-fb-token-webhooks")
    body = raw("page_feed.json")
    request(server, "POST", "/", body, {SIG: sign(body)})
    responses.get(
        f"{G}/104729584412_990001",
        json=json.loads((FIXTURES / "facebook/error_100.json").read_text()),
        status=400,
    )
    responses.get(f"{G}/104729584412/feed", json={"data": []})
    responses.get(f"{G}/104729584412/tagged", json={"data": []})
    facebook = FacebookConnector(
        FacebookSettings(pages={"iom3": "104729584412"}),
        config.watch_list(),
        sleep=[].append,
        clock=lambda: NOW,
    )
    result = ingest(sessions, facebook, ChannelDirectory(config))
    assert result.status == "partial"
    assert result.skipped[0].startswith("Facebook post 104729584412_990001 (from a webhook): not found")
    assert all(e.fetched_at is not None for e in queued(sessions))  # not asked for again and again


def _prefix_matcher(prefix: str):
    from urllib.parse import parse_qs, urlparse

    def match(request) -> tuple[bool, str]:
        fields = parse_qs(urlparse(request.url).query).get("fields", [""])[0]
        return fields.startswith(prefix), f"fields does not start with {prefix}"

    return match
