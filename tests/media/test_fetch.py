"""The image fetcher against recorded HTTP answers: what it keeps, and a named skip for each failure."""

from __future__ import annotations

import hashlib
import io

import pytest
import requests
import responses
from PIL import Image
from tenacity import wait_none

from monitor.media.fetch import FetchedImage, FetchSettings, Skipped, SkipReason, fetch_image

URL = "https://pbs.twimg.com/media/flyer.jpg"
FAST = FetchSettings(wait=wait_none(), attempts=3, max_bytes=200_000)


def jpeg(width: int = 1200, height: int = 800) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format="JPEG")
    return out.getvalue()


@responses.activate
def test_an_image_is_kept_as_hashes_and_a_small_thumbnail_never_the_original():
    body = jpeg()
    responses.get(URL, body=body, content_type="image/jpeg")
    result = fetch_image(URL, settings=FAST, analyse=lambda image: image.size)
    assert isinstance(result, FetchedImage)
    assert result.sha256 == hashlib.sha256(body).hexdigest()
    assert (result.width, result.height) == (1200, 800)
    assert result.analysis == (1200, 800)  # the analysis saw the full-size picture
    thumb = Image.open(io.BytesIO(result.thumbnail_png))
    assert thumb.format == "PNG" and max(thumb.size) == 320
    assert len(result.phash) == 16
    assert body not in (result.thumbnail_png,) and not any(
        isinstance(value, bytes) and value == body for value in vars(result).values()
    )


@responses.activate
def test_a_timeout_is_retried_then_skipped_as_timeout():
    responses.get(URL, body=requests.exceptions.ConnectTimeout("slow CDN"))
    result = fetch_image(URL, settings=FAST)
    assert isinstance(result, Skipped) and result.reason is SkipReason.TIMEOUT
    assert len(responses.calls) == 3


@responses.activate
def test_a_server_error_is_retried_and_a_later_success_is_kept():
    responses.get(URL, status=503)
    responses.get(URL, body=jpeg(), content_type="image/jpeg")
    result = fetch_image(URL, settings=FAST)
    assert isinstance(result, FetchedImage)
    assert len(responses.calls) == 2


@responses.activate
def test_a_server_error_every_time_is_skipped_with_its_status():
    responses.get(URL, status=502)
    result = fetch_image(URL, settings=FAST)
    assert result == Skipped(URL, SkipReason.SERVER_ERROR, "HTTP 502")
    assert len(responses.calls) == 3


@responses.activate
def test_a_client_error_is_not_retried():
    responses.get(URL, status=404)
    result = fetch_image(URL, settings=FAST)
    assert result == Skipped(URL, SkipReason.CLIENT_ERROR, "HTTP 404")
    assert len(responses.calls) == 1


@responses.activate
def test_a_declared_size_over_the_cap_is_refused_before_reading():
    responses.get(
        URL,
        body=jpeg(),
        content_type="image/jpeg",
        headers={"Content-Length": "999999999"},
        auto_calculate_content_length=False,
    )
    result = fetch_image(URL, settings=FAST)
    assert isinstance(result, Skipped) and result.reason is SkipReason.TOO_LARGE
    assert "999,999,999 bytes declared" in result.detail


@responses.activate
def test_an_undeclared_body_over_the_cap_stops_being_read_at_the_cap():
    responses.get(URL, body=b"\xff" * 1_000_000, content_type="image/jpeg")
    result = fetch_image(URL, settings=FAST)
    assert isinstance(result, Skipped) and result.reason is SkipReason.TOO_LARGE
    assert "stopped reading" in result.detail


@responses.activate
def test_a_page_that_is_not_an_image_is_skipped_with_its_type():
    responses.get(URL, body="<html>login</html>", content_type="text/html; charset=utf-8")
    result = fetch_image(URL, settings=FAST)
    assert result == Skipped(URL, SkipReason.NOT_AN_IMAGE, "content type 'text/html', not an image")


@responses.activate
def test_bytes_that_claim_to_be_jpeg_but_are_not_are_skipped_as_undecodable():
    responses.get(URL, body=b"GIF89a? no, nothing", content_type="image/jpeg")
    result = fetch_image(URL, settings=FAST)
    assert isinstance(result, Skipped) and result.reason is SkipReason.UNDECODABLE


@responses.activate
def test_a_decompression_bomb_is_too_large():
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, format="PNG")  # 400 Mpx in a few kB
    responses.get(URL, body=out.getvalue(), content_type="image/png")
    result = fetch_image(URL, settings=FAST)
    assert isinstance(result, Skipped) and result.reason is SkipReason.TOO_LARGE


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1/a.png",
        "http://[::1]/a.png",
        "http://localhost/x.jpg",
        "http://169.254.169.254/latest",
        "http://10.0.0.5/a.png",
        "ftp://example.org/a.png",
    ],
)
@responses.activate
def test_a_url_that_is_not_a_public_http_address_is_never_requested(url: str):
    result = fetch_image(url, settings=FAST)
    assert isinstance(result, Skipped) and result.reason is SkipReason.BAD_URL
    assert len(responses.calls) == 0


@responses.activate
def test_one_bad_image_among_many_loses_none_of_the_others():
    good = [f"https://cdn.example.org/{i}.jpg" for i in range(3)]
    for url in good:
        responses.get(url, body=jpeg(64, 64), content_type="image/jpeg")
    responses.get("https://cdn.example.org/gone.jpg", status=410)
    responses.get("https://cdn.example.org/slow.jpg", body=requests.exceptions.ReadTimeout())
    urls = [good[0], "https://cdn.example.org/gone.jpg", good[1], "https://cdn.example.org/slow.jpg", good[2]]
    results = [fetch_image(url, settings=FAST) for url in urls]
    assert [type(r).__name__ for r in results] == [
        "FetchedImage",
        "Skipped",
        "FetchedImage",
        "Skipped",
        "FetchedImage",
    ]
    assert [r.reason for r in results if isinstance(r, Skipped)] == [
        SkipReason.CLIENT_ERROR,
        SkipReason.TIMEOUT,
    ]
