"""Image findings where people look (#16): the audit (thumbnail inline, reused pictures), the
emailed audit (thumbnails as CID parts), and `explain --mention`; hostile alt text and links escaped."""

from __future__ import annotations

from datetime import timedelta

import responses
from media_seed import CDN, FLYER, PHOTO, POSTED, post, store_and_score
from tenacity import wait_none

from monitor.cli import main
from monitor.config import MediaSection
from monitor.reports.audit import audit_email, build_audit, render_html
from monitor.reports.image_findings import inline_data_images
from monitor.services.media import analyse_media, fetch_settings
from monitor.store import open_store

FAST = fetch_settings(MediaSection()).__class__(wait=wait_none())
HOSTILE = '"><img src=x onerror=alert(1)>[bold red]boo[/bold red]'


@responses.activate
def test_the_audit_shows_each_logo_finding_with_its_thumbnail_and_the_reused_pictures(sessions, config):
    responses.get(CDN + "flyer.jpg", body=FLYER, content_type="image/jpeg")
    responses.get(CDN + "mill.jpg", body=PHOTO, content_type="image/jpeg")
    responses.get(CDN + "mill-again.jpg", body=PHOTO, content_type="image/jpeg")
    store_and_score(
        sessions,
        config,
        [
            post(
                "1", CDN + "flyer.jpg", platform="facebook", handle="SheffieldMetallurgicalAssoc", alt=HOSTILE
            ),
            post("2", CDN + "mill.jpg", handle="IOM3Packaging", minutes=1),
            post("3", CDN + "mill-again.jpg", handle="IOM3_YMC", minutes=2),
        ],
    )
    analyse_media(sessions, config, settings=FAST, clock=lambda: POSTED)
    with sessions() as session:
        audit = build_audit(
            session, config, since=POSTED - timedelta(days=1), until=POSTED + timedelta(days=1)
        )
    (finding,) = audit.images.logos
    assert (finding.account, finding.decision, finding.standing) == (
        "facebook @SheffieldMetallurgicalAssoc",
        "flag",
        "registered, not approved",
    )
    (reused,) = audit.images.reused
    assert set(reused.accounts) == {"x @IOM3Packaging", "x @IOM3_YMC"}
    html = render_html(audit, config)
    assert finding.data_uri and f'src="{finding.data_uri}"' in html
    assert "onerror=alert" not in html.replace("onerror=alert(1)&gt;", "")  # only ever escaped
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    message = inline_data_images(config, audit_email(config, audit, html, to="hom@iom3.org", now=POSTED))
    html_part = message.get_body(("html",)).get_content()
    (image,) = [p for p in message.walk() if p.get_content_type() == "image/png"]
    assert "data:image/png" not in html_part and f'src="cid:{image["Content-ID"].strip("<>")}"' in html_part
    assert [p.get_filename() for p in message.iter_attachments()] == ["audit-findings.csv"]


@responses.activate
def test_explain_shows_a_stored_posts_images_without_reading_markup_from_them(
    database_url, config, capsys, wide_terminal
):
    sessions = open_store(config, database_url)
    responses.get(CDN + "flyer.jpg", body=FLYER, content_type="image/jpeg")
    store_and_score(
        sessions,
        config,
        [
            post(
                "1", CDN + "flyer.jpg", platform="facebook", handle="SheffieldMetallurgicalAssoc", alt=HOSTILE
            )
        ],
    )
    analyse_media(sessions, config, settings=FAST, clock=lambda: POSTED)
    sessions.kw["bind"].dispose()
    assert main(["--database", database_url, "explain", "--mention", "1"]) == 0
    out = capsys.readouterr().out
    assert "Images in the post" in out and "current (current)" in out and "flag" in out
    assert "[bold red]boo[/bold red]" in " ".join(out.split())  # shown as typed, not as markup
