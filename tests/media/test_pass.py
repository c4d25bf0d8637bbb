"""The image analysis pass on both backends (#16): which images it takes, what it keeps, a named skip
for every failure while the rest of the pass goes on, its limits, and the media extra missing.

HTTP is recorded at the requests layer (`responses`): the fetcher refuses loopback addresses by
design, so no local server could be reached through it.
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import replace

import numpy as np
import pytest
import requests
import responses
from media_seed import CDN, FLYER, PHOTO, RETIRED, media_rows, post, store_and_score
from PIL import Image
from tenacity import wait_none

import monitor.services.media as media_pass
from monitor.config import MediaSection
from monitor.optional import MissingExtra
from monitor.services.media import analyse_media, fetch_settings

FAST = replace(fetch_settings(MediaSection()), wait=wait_none(), max_bytes=300_000)


def run(sessions, config, **kwargs):
    return analyse_media(sessions, config, settings=kwargs.pop("settings", FAST), **kwargs)


@responses.activate
def test_an_image_is_analysed_and_only_hashes_a_thumbnail_and_findings_are_kept(sessions, config):
    responses.get(CDN + "flyer.jpg", body=FLYER, content_type="image/jpeg")
    store_and_score(
        sessions,
        config,
        [post("1", CDN + "flyer.jpg", platform="facebook", handle="SheffieldMetallurgicalAssoc")],
    )
    result = run(sessions, config)
    (outcome,) = result.outcomes
    assert (outcome.state, outcome.decision, outcome.version) == ("analysed", "flag", "current")
    row = media_rows(sessions)[CDN + "flyer.jpg"]
    assert (row.state, row.decision, row.routed_at) == ("analysed", "flag", None)  # waits for routing
    assert row.sha256 == hashlib.sha256(FLYER).hexdigest() and len(row.phash) == 16
    original = Image.open(io.BytesIO(FLYER))
    assert (row.width, row.height) == original.size
    thumb = Image.open(io.BytesIO(row.thumbnail))
    assert thumb.format == "PNG" and max(thumb.size) <= 320
    assert row.thumbnail != FLYER and FLYER not in row.thumbnail  # never the original
    (finding,) = row.findings
    assert finding["version"] == "current" and finding["confidence"] > 0.5 and len(finding["quad"]) == 4
    # The region is drawn: the marked-up thumbnail has the outline's red, the plain one has none.
    pixels = np.asarray(thumb.convert("RGB")).reshape(-1, 3)
    assert ((pixels == (230, 0, 0)).all(axis=1)).any()


@responses.activate
def test_which_images_are_taken(sessions, config):
    for name in ("asv", "public-flagged", "public-quiet", "unscored"):
        responses.get(CDN + f"{name}.jpg", body=PHOTO, content_type="image/jpeg")
    store_and_score(
        sessions,
        config,
        [
            post("1", CDN + "asv.jpg"),  # a registered committee: always looked at
            post(
                "2",
                CDN + "public-flagged.jpg",
                handle="someone",
                text="New profile picture with the IOM3 logo",
            ),
            post("3", CDN + "public-quiet.jpg", handle="someone", text="Lovely talk at IOM3 tonight"),
        ],
    )
    store_and_score(sessions, config, [post("4", CDN + "unscored.jpg")], score=False)  # scoring first
    result = run(sessions, config)
    assert {o.url for o in result.outcomes} == {CDN + "asv.jpg", CDN + "public-flagged.jpg"}
    rows = media_rows(sessions)
    assert rows[CDN + "public-quiet.jpg"].state == rows[CDN + "unscored.jpg"].state == "pending"
    assert {call.request.url for call in responses.calls} == {CDN + "asv.jpg", CDN + "public-flagged.jpg"}


@responses.activate
def test_each_failure_is_skipped_with_its_reason_and_the_rest_of_the_pass_goes_on(sessions, config):
    responses.get(CDN + "slow.jpg", body=requests.exceptions.ConnectTimeout("no answer"))
    responses.get(
        CDN + "huge.jpg", body=b"\xff" * 10, headers={"Content-Length": "900000"}, content_type="image/jpeg"
    )
    responses.get(CDN + "page.jpg", body="<html>login</html>", content_type="text/html")
    responses.get(CDN + "gone.jpg", status=404)
    responses.get(CDN + "flaky.jpg", status=503)
    responses.get(CDN + "flaky.jpg", body=RETIRED, content_type="image/jpeg")  # the retry succeeds
    responses.get(CDN + "broken.jpg", body=b"not really a jpeg", content_type="image/jpeg")
    urls = [CDN + n for n in ("slow.jpg", "huge.jpg", "page.jpg", "gone.jpg", "flaky.jpg", "broken.jpg")]
    store_and_score(sessions, config, [post(str(i), url, minutes=i) for i, url in enumerate(urls)])
    result = run(sessions, config)
    assert len(result.outcomes) == 6 and result.left == 0
    rows = media_rows(sessions)
    reasons = {
        url.rsplit("/", 1)[1]: (rows[url].state, (rows[url].skip_reason or "").split(":")[0]) for url in urls
    }
    assert reasons == {
        "slow.jpg": ("skipped", "timeout"),
        "huge.jpg": ("skipped", "too_large"),
        "page.jpg": ("skipped", "not_an_image"),
        "gone.jpg": ("skipped", "http_4xx"),
        "flaky.jpg": ("analysed", ""),
        "broken.jpg": ("skipped", "undecodable"),
    }
    assert "900,000 bytes declared" in rows[CDN + "huge.jpg"].skip_reason  # the detail, for a person
    assert rows[CDN + "flaky.jpg"].decision == "retired"  # IOM3Packaging is approved; the logo is old
    assert rows[CDN + "flaky.jpg"].routed_at is not None  # the gentler finding is never routed
    skipped = {o.url: o.reason for o in result.skipped}
    assert skipped[CDN + "slow.jpg"] == "timeout" and len(skipped) == 5
    # Nothing of a skipped image is kept but its reason.
    for url in urls[:4]:
        assert (rows[url].sha256, rows[url].thumbnail, rows[url].findings) == (None, None, [])
    again = run(sessions, config)  # a skip is final: nothing is fetched twice
    assert again.outcomes == []


@responses.activate
def test_the_pass_stops_at_its_limit_its_deadline_and_a_shutdown_leaving_the_rest_pending(sessions, config):
    for i in range(4):
        responses.get(CDN + f"{i}.jpg", body=PHOTO, content_type="image/jpeg")
    store_and_score(sessions, config, [post(str(i), CDN + f"{i}.jpg", minutes=i) for i in range(4)])
    limited = config.with_overrides(media=MediaSection(per_pass=1))
    first = run(sessions, limited)
    assert (len(first.outcomes), first.left) == (1, 3)

    ticks = iter([0.0, 1.0, 10_000.0])  # the start, the first image, then past the deadline
    second = run(sessions, config, timer=lambda: next(ticks))
    assert (len(second.outcomes), second.left) == (1, 2)

    asked = []
    third = run(sessions, config, stop=lambda: asked.append(1) or len(asked) > 1)  # shutdown after one
    assert (len(third.outcomes), third.left) == (1, 1)
    states = sorted(row.state for row in media_rows(sessions).values())
    assert states == ["analysed", "analysed", "analysed", "pending"]
    assert len(responses.calls) == 3  # the one left was never fetched


def test_a_disabled_pass_fetches_nothing(sessions, config):
    store_and_score(sessions, config, [post("1", CDN + "a.jpg")])
    result = analyse_media(sessions, config.with_overrides(media=MediaSection(enabled=False)))
    assert result.disabled and result.outcomes == []
    assert media_rows(sessions)[CDN + "a.jpg"].state == "pending"


def test_without_the_media_extra_the_pass_says_which_to_install_once_and_keeps_the_images(
    sessions, config, monkeypatch, caplog
):
    def missing(config):
        raise MissingExtra("cv2", "logo detection")

    monkeypatch.setattr(media_pass, "load_detector", missing)
    monkeypatch.setattr(media_pass, "_told_missing", set())
    store_and_score(sessions, config, [post("1", CDN + "a.jpg"), post("2", CDN + "b.jpg")])
    with caplog.at_level(logging.WARNING, logger="monitor.services.media"):
        first = analyse_media(sessions, config)
        second = analyse_media(sessions, config)
    for result in (first, second):
        assert "pip install 'iom3-monitor[media]'" in result.problem and result.left == 2
    assert len([r for r in caplog.records if "missing_extra" in r.getMessage()]) == 1  # told once
    assert {row.state for row in media_rows(sessions).values()} == {"pending"}


@responses.activate
def test_a_detector_that_crashes_on_one_picture_costs_that_picture_only(sessions, config, monkeypatch):
    class Fragile:
        def detect(self, image):
            if image.width > 600:
                raise RuntimeError("a bug")
            return []

    responses.get(CDN + "wide.jpg", body=PHOTO, content_type="image/jpeg")  # 640 px wide
    small = io.BytesIO()
    Image.new("RGB", (200, 100), "white").save(small, format="JPEG")
    responses.get(CDN + "small.jpg", body=small.getvalue(), content_type="image/jpeg")
    store_and_score(sessions, config, [post("1", CDN + "wide.jpg"), post("2", CDN + "small.jpg", minutes=1)])
    result = run(sessions, config, detector=Fragile())
    rows = media_rows(sessions)
    assert rows[CDN + "wide.jpg"].state == "skipped"
    assert rows[CDN + "wide.jpg"].skip_reason == "analysis_failed: the logo detector failed: RuntimeError"
    assert rows[CDN + "small.jpg"].state == "analysed"
    assert [o.state for o in result.outcomes] == ["skipped", "analysed"]


def test_media_settings_are_validated_and_unknown_keys_refused(config_dir):
    from monitor.config import ConfigError, load_config

    toml = config_dir / "monitor.toml"
    text = toml.read_text()
    toml.write_text(text.replace("per_pass = 50", "per_pass = 0\nmax_pixels = 5"))
    with pytest.raises(ConfigError) as caught:
        load_config(config_dir)
    shown = str(caught.value)
    assert "media.per_pass" in shown and "greater than or equal to 1" in shown
    assert "media.max_pixels" in shown
