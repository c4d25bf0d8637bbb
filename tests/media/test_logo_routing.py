"""A logo seen in an image, from analysis to the Head of Marketing's inbox (#16), on both backends:
emailed once with the marked-up thumbnail inline (parsed back from the Maildir), never for the
gentler retired-version finding, routed exactly once, and safe across a crash between the steps."""

from __future__ import annotations

import mailbox
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import pytest
import responses
from media_seed import CDN, FLYER, RETIRED, media_rows, post, store_and_score
from sqlalchemy import func, select
from tenacity import wait_none

import alerts.incident_filing as incident_filing
from alerts.incidents import notify_due, route_pending
from alerts.outbox import flush
from alerts.transports.maildir import MaildirTransport
from monitor.config import MediaSection
from monitor.reports.digest import build_digest, render
from monitor.schema import Incident, OutboxMessage
from monitor.services.media import analyse_media, fetch_settings

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)  # a Friday morning: inside working hours
FAST = fetch_settings(MediaSection()).__class__(wait=wait_none())
HOSTILE_ALT = '"><script>alert(1)</script> <b>flyer</b>'
SHEFFIELD = {"platform": "facebook", "handle": "SheffieldMetallurgicalAssoc"}  # registered, not approved


def analysed(sessions, config, *mentions) -> None:
    store_and_score(sessions, config, list(mentions))
    analyse_media(sessions, config, settings=FAST, clock=lambda: NOW)


def emails(sessions, config, tmp_path) -> list:
    notify_due(sessions, config, clock=lambda: NOW)
    flush(sessions, MaildirTransport(tmp_path / "mail"), now=NOW)
    box = mailbox.Maildir(tmp_path / "mail", create=True)
    return [message_from_bytes(box.get_bytes(key), policy=policy.default) for key in box.keys()]


@responses.activate
def test_an_unapproved_committee_flyer_emails_the_head_of_marketing_with_the_thumbnail_inline(
    sessions, config, tmp_path
):
    responses.get(CDN + "flyer.jpg", body=FLYER, content_type="image/jpeg")
    analysed(
        sessions,
        config,
        post("1", CDN + "flyer.jpg", text="Flyer for our evening", alt=HOSTILE_ALT, **SHEFFIELD),
    )
    routed = route_pending(sessions, config, clock=lambda: NOW)
    assert routed.incidents_opened == 1
    (email,) = emails(sessions, config, tmp_path)
    marketing = config.contact("head_of_marketing")
    assert str(marketing.email) in email["To"] and "Logo" in email["Subject"]
    html_part = email.get_body(("html",))
    (image,) = [p for p in email.walk() if p.get_content_type() == "image/png"]
    cid = image["Content-ID"].strip("<>")
    html = html_part.get_content()
    assert f'src="cid:{cid}"' in html  # the thumbnail is inline, where the HTML shows it
    assert image.get_content().startswith(b"\x89PNG") and len(image.get_content()) < 200_000
    # The poster's alt text is shown, escaped: no markup of theirs reaches the email.
    assert "<script>" not in html and "&lt;script&gt;" in html and "<b>flyer</b>" not in html
    # Its quote cannot close the alt attribute either.
    assert (
        "alt=\"The post's image 1, with the IOM3 logo (current) outlined. The poster's description: &#34;&gt;"
        in html
    )
    text = email.get_body(("plain",)).get_content()
    assert "Image 1: logo current (current), confidence" in text and "not approved for the logo" in text


@responses.activate
def test_an_approved_committee_using_the_retired_logo_is_never_emailed_but_is_in_the_digest(
    sessions, config, tmp_path
):
    responses.get(CDN + "awards.jpg", body=RETIRED, content_type="image/jpeg")
    analysed(sessions, config, post("1", CDN + "awards.jpg", handle="IOM3Packaging"))
    row = media_rows(sessions)[CDN + "awards.jpg"]
    assert (row.decision, row.routed_at is not None) == ("retired", True)
    route_pending(sessions, config, clock=lambda: NOW)
    assert emails(sessions, config, tmp_path) == []
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Incident)) == 0
        digest = build_digest(session, config, NOW.date())
    (finding,) = digest.logo_findings
    assert (finding.decision, finding.version, finding.account) == (
        "retired",
        "retired-2010",
        "x @IOM3Packaging",
    )
    rendered = render(digest, config)
    assert "retired logo version" in rendered.text and finding.cid_name in rendered.charts
    assert f'src="cid:{finding.cid_name}"' in rendered.html


@responses.activate
def test_a_logo_flag_is_routed_exactly_once_and_a_second_image_joins_its_incident(sessions, config, tmp_path):
    responses.get(CDN + "a.jpg", body=FLYER, content_type="image/jpeg")
    responses.get(CDN + "b.jpg", body=FLYER, content_type="image/jpeg")
    analysed(sessions, config, post("1", CDN + "a.jpg", CDN + "b.jpg", **SHEFFIELD))
    first = route_pending(sessions, config, clock=lambda: NOW)
    again = route_pending(sessions, config, clock=lambda: NOW + timedelta(minutes=1))
    assert (first.incidents_opened, first.mentions_joined) == (1, 1)  # the post's second image: same incident
    assert (again.incidents_opened, again.mentions_joined) == (0, 0)
    assert len(emails(sessions, config, tmp_path)) == 1
    (email,) = emails(sessions, config, tmp_path)
    assert len([p for p in email.walk() if p.get_content_type() == "image/png"]) == 2  # both pictures


@responses.activate
def test_a_crash_between_analysis_and_routing_loses_nothing(sessions, config, tmp_path, monkeypatch):
    responses.get(CDN + "a.jpg", body=FLYER, content_type="image/jpeg")
    analysed(sessions, config, post("1", CDN + "a.jpg", **SHEFFIELD))

    def crash(*args, **kwargs):
        raise RuntimeError("killed while filing the flag")

    real = incident_filing.file_flag
    monkeypatch.setattr(incident_filing, "file_flag", crash)
    with pytest.raises(RuntimeError):
        route_pending(sessions, config, clock=lambda: NOW)
    assert media_rows(sessions)[CDN + "a.jpg"].routed_at is None  # rolled back with the incident
    monkeypatch.setattr(incident_filing, "file_flag", real)
    assert route_pending(sessions, config, clock=lambda: NOW).incidents_opened == 1
    assert media_rows(sessions)[CDN + "a.jpg"].routed_at is not None
    assert len(emails(sessions, config, tmp_path)) == 1
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
