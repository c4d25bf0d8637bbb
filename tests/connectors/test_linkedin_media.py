"""Images of LinkedIn posts (#16): image URNs in the Posts API resolved to links by the Images API
(BATCH_GET), requests against recorded responses at the HTTP layer."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote

import pytest
import responses
from media_rows import stored_media

from connectors.linkedin import LinkedInConnector, Settings
from monitor.channels import ChannelDirectory
from monitor.pipeline import ingest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "linkedin"
API = "https://api.linkedin.com/rest"
ORG = "urn:li:organization:7654321"
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
POSTS = re.compile(rf"{re.escape(API)}/posts\?author=")
IMAGES = re.compile(rf"{re.escape(API)}/images\?ids=List\(")


def fx(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def dl(key: str) -> str:
    return (
        f"https://media.licdn.com/dms/image/v2/{key}/feedshare-shrink_2048_1536/feedshare-shrink_2048_1536/0/"
        "1795249700000?e=1795680000&v=beta&t=Q8w3Yt0mK1rZ9xVbN2cH7jLpA4sD6fG0hJ1kL2mN3oP"
    )


@pytest.fixture(autouse=True)
def token(monkeypatch):
    monkeypatch.setenv("IOM3_LINKEDIN_TOKEN", "fake-linkedin-token-media")


def linkedin(config) -> LinkedInConnector:
    settings = Settings(organizations={"wood": ORG}, page_size=10, mentions=False)
    return LinkedInConnector(settings, config.watch_list(), sleep=[].append, clock=lambda: NOW)


def _asked_urns(url: str) -> list[str]:
    listed = re.search(r"ids=List\((.*)\)$", url).group(1)
    return [unquote(urn) for urn in listed.split(",")]


@responses.activate
def test_each_post_keeps_its_images_resolved_in_one_call(sessions, config, caplog):
    responses.get(POSTS, json=fx("posts_media.json"))
    responses.get(re.compile(rf"{re.escape(API)}/socialActions/.*"), json=fx("comments_empty.json"))
    responses.get(IMAGES, json=fx("images_media.json"))
    with caplog.at_level(logging.INFO, logger="connectors.media"):
        result = ingest(sessions, linkedin(config), ChannelDirectory(config))
    assert (result.status, result.stored) == ("ok", 4), result
    assert stored_media(sessions) == {
        "urn:li:share:7270000000000000014": [
            (
                dl("D4E22AQDinner001"),
                "image",
                "Head table\r\nunder the IOM3 banner <script>alert(1)</script>",
            ),
            (dl("D4E22AQDinner003"), "image", ""),
        ],
        # ...013 is a video (its still needs the Videos API's write permission); ...012 an article,
        # whose thumbnail is the linked page's picture; ...011 has none.
    }
    (lookup,) = [c for c in responses.calls if "/images?" in c.request.url]
    assert _asked_urns(lookup.request.url) == [f"urn:li:image:D4E22AQDinner00{n}" for n in (1, 2, 3, 4)]
    assert "urn%3Ali%3Aimage%3AD4E22AQDinner001" in lookup.request.url  # Rest.li 2.0 encoding
    assert lookup.request.headers["LinkedIn-Version"] == "202511"
    assert "image urn:li:image:D4E22AQDinner002: no downloadUrl" in caplog.text  # 404 in `errors`
    assert "image urn:li:image:D4E22AQDinner004: no downloadUrl" in caplog.text  # still PROCESSING


@responses.activate
def test_image_lookups_go_twenty_urns_at_a_time(sessions, config):
    page = fx("posts_media.json")
    for n, post in enumerate(page["elements"]):
        post["content"] = {"multiImage": {"images": [{"id": f"urn:li:image:P{n}I{i:02d}"} for i in range(9)]}}

    def answer(request):
        urns = _asked_urns(request.url)
        results = {urn: {"id": urn, "status": "AVAILABLE", "downloadUrl": dl(urn[13:])} for urn in urns}
        return 200, {}, json.dumps({"results": results, "statuses": {}, "errors": {}})

    responses.get(POSTS, json=page)
    responses.get(re.compile(rf"{re.escape(API)}/socialActions/.*"), json=fx("comments_empty.json"))
    responses.add_callback(responses.GET, IMAGES, callback=answer)
    result = ingest(sessions, linkedin(config), ChannelDirectory(config))
    assert result.status == "ok", result
    lookups = [c for c in responses.calls if "/images?" in c.request.url]
    assert [len(_asked_urns(c.request.url)) for c in lookups] == [20, 16]  # 36 images, four posts
    stored = stored_media(sessions)
    assert sum(len(images) for images in stored.values()) == 36
    assert [url for url, _, _ in stored["urn:li:share:7270000000000000011"]] == [
        dl(f"P3I{i:02d}") for i in range(9)
    ]


@responses.activate
def test_a_refused_image_lookup_costs_the_images_not_the_posts(sessions, config):
    responses.get(POSTS, json=fx("posts_media.json"))
    responses.get(re.compile(rf"{re.escape(API)}/socialActions/.*"), json=fx("comments_empty.json"))
    responses.get(IMAGES, json=fx("error_403.json"), status=403)
    result = ingest(sessions, linkedin(config), ChannelDirectory(config))
    assert (result.status, result.stored) == ("partial", 4), result
    (problem,) = result.skipped
    assert problem.startswith("LinkedIn images (4): 403:") and "stored without them" in problem
    assert stored_media(sessions) == {}


@responses.activate
def test_a_rate_limited_image_lookup_stops_the_run_and_the_next_one_stores_the_page(sessions, config):
    responses.get(POSTS, json=fx("posts_media.json"))
    responses.get(re.compile(rf"{re.escape(API)}/socialActions/.*"), json=fx("comments_empty.json"))
    responses.get(IMAGES, json=fx("error_429.json"), status=429, headers={"Retry-After": "60"})
    limited = ingest(sessions, linkedin(config), ChannelDirectory(config))
    assert (limited.status, limited.stored) == ("rate_limited", 0), limited
    responses.replace(responses.GET, IMAGES, json=fx("images_media.json"))
    resumed = ingest(sessions, linkedin(config), ChannelDirectory(config))
    assert resumed.stored == 4
    assert len(stored_media(sessions)["urn:li:share:7270000000000000014"]) == 2
