"""Fetch a post's image safely and keep only what the monitor needs: hashes and a small thumbnail.

An image URL comes from a post, so it is hostile: the fetcher takes http(s) only and no literal
loopback or private address, stops reading past a size cap (streamed, so a 2 GB "image" costs
at most the cap), checks the content type, decodes with Pillow's decompression-bomb guard, and
times out. 5xx answers, 429 and timeouts are retried (tenacity) a few times.

`fetch_image` never raises for a bad image: it returns a `Skipped` with a named `SkipReason`, so
one broken link never loses the rest of a run. The original bytes never leave the function; a
caller that needs to look at the full-size picture (the logo detector) passes `analyse`, which
runs on the decoded image before it is dropped.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

import requests
from PIL import Image
from tenacity import (
    RetryError,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)
from tenacity.wait import WaitBaseT

from monitor.media.phash import perceptual_hash
from monitor.media.thumbs import THUMBNAIL_SIDE, open_image, thumbnail_png

ALLOWED_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})


class SkipReason(StrEnum):
    """Why an image was not kept; each is a value the audit can show and count."""

    BAD_URL = "bad_url"  # not http(s), or a loopback/private address
    TIMEOUT = "timeout"  # no answer in time, after the retries
    CONNECTION_FAILED = "connection_failed"  # DNS, refused, TLS, after the retries
    CLIENT_ERROR = "http_4xx"  # gone, forbidden, not found: retrying will not help
    SERVER_ERROR = "http_5xx"  # the platform's CDN failed, after the retries
    TOO_LARGE = "too_large"  # more bytes than the cap (declared or read), or too many pixels
    NOT_AN_IMAGE = "not_an_image"  # the content type is not an image type we accept
    UNDECODABLE = "undecodable"  # said it was an image, but Pillow cannot decode it


@dataclass(frozen=True)
class FetchSettings:
    """Limits for one fetch; the defaults suit a social media picture."""

    max_bytes: int = 10 * 1024 * 1024
    timeout_s: float = 10.0  # connect and per-read timeout
    attempts: int = 3  # tries in all, for 5xx, 429, timeouts and connection failures
    wait: WaitBaseT = wait_exponential(multiplier=0.5, max=8)  # between tries; tests pass wait_none()
    thumbnail_side: int = THUMBNAIL_SIDE
    user_agent: str = "iom3-monitor image fetcher"


@dataclass(frozen=True)
class FetchedImage:
    """What is kept of an image: never the original bytes."""

    url: str
    sha256: str  # of the bytes as served: the exact same file
    phash: str  # perceptual: the same picture resized or recompressed
    width: int
    height: int
    content_type: str
    size_bytes: int
    thumbnail_png: bytes
    analysis: Any = None  # what `analyse` returned, e.g. logo findings


@dataclass(frozen=True)
class Skipped:
    """An image that was not kept, and why."""

    url: str
    reason: SkipReason
    detail: str  # one line for a person: the status, the size, the type


class _Retry(Exception):
    """A failure worth another try; carries the skip it becomes if the tries run out."""

    def __init__(self, reason: SkipReason, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


class _Skip(Exception):
    def __init__(self, reason: SkipReason, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _Skip(SkipReason.BAD_URL, f"only http(s) URLs with a host are fetched, not {url[:80]!r}")
    host = parts.hostname
    if host == "localhost" or host.endswith(".localhost"):
        raise _Skip(SkipReason.BAD_URL, f"{host} is this machine; a post's image is never fetched from it")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return
    if not address.is_global:
        raise _Skip(
            SkipReason.BAD_URL, f"{host} is not a public address; a post's image is never fetched from it"
        )


def _download(url: str, session: requests.Session, settings: FetchSettings) -> tuple[bytes, str]:
    try:
        response = session.get(
            url,
            stream=True,
            timeout=settings.timeout_s,
            headers={"User-Agent": settings.user_agent, "Accept": ", ".join(sorted(ALLOWED_TYPES))},
        )
    except requests.Timeout as exc:
        raise _Retry(
            SkipReason.TIMEOUT, f"no answer within {settings.timeout_s:g} s ({type(exc).__name__})"
        ) from None
    except requests.ConnectionError as exc:
        raise _Retry(SkipReason.CONNECTION_FAILED, f"could not connect: {type(exc).__name__}") from None
    with response:
        status = response.status_code
        if status == 429 or status >= 500:
            raise _Retry(
                SkipReason.SERVER_ERROR if status >= 500 else SkipReason.CLIENT_ERROR, f"HTTP {status}"
            )
        if status >= 400:
            raise _Skip(SkipReason.CLIENT_ERROR, f"HTTP {status}")
        content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type not in ALLOWED_TYPES:
            raise _Skip(SkipReason.NOT_AN_IMAGE, f"content type {content_type or 'missing'!r}, not an image")
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > settings.max_bytes:
            raise _Skip(
                SkipReason.TOO_LARGE, f"{int(declared):,} bytes declared, over the {settings.max_bytes:,} cap"
            )
        body = bytearray()
        try:
            for chunk in response.iter_content(chunk_size=64 * 1024):
                body += chunk
                if len(body) > settings.max_bytes:
                    raise _Skip(
                        SkipReason.TOO_LARGE, f"over the {settings.max_bytes:,} byte cap; stopped reading"
                    )
        except requests.Timeout:
            raise _Retry(SkipReason.TIMEOUT, f"the body stalled for {settings.timeout_s:g} s") from None
        except requests.ConnectionError as exc:
            raise _Retry(SkipReason.CONNECTION_FAILED, f"the body broke off: {type(exc).__name__}") from None
    return bytes(body), content_type


def fetch_image(
    url: str,
    session: requests.Session | None = None,
    settings: FetchSettings | None = None,
    analyse: Callable[[Image.Image], Any] | None = None,
) -> FetchedImage | Skipped:
    """Fetch `url` and return its hashes and thumbnail, or a `Skipped` saying why not. Never raises
    for a bad image or a failing server; `analyse`'s own exceptions do propagate (a bug, not a bad
    image)."""
    settings = settings or FetchSettings()
    session = session or requests.Session()
    try:
        _check_url(url)
        retrying = Retrying(
            stop=stop_after_attempt(settings.attempts),
            wait=settings.wait,
            retry=retry_if_exception_type(_Retry),
            reraise=True,
        )
        data, content_type = retrying(_download, url, session, settings)
        try:
            image = open_image(data)
        except ValueError as exc:
            reason = SkipReason.TOO_LARGE if "too many pixels" in str(exc) else SkipReason.UNDECODABLE
            raise _Skip(reason, str(exc)) from None
    except (_Skip, _Retry) as exc:
        return Skipped(url, exc.reason, exc.detail)
    except RetryError as exc:  # only if reraise were off; kept so a tenacity change cannot lose a run
        return Skipped(url, SkipReason.CONNECTION_FAILED, str(exc))
    return FetchedImage(
        url=url,
        sha256=hashlib.sha256(data).hexdigest(),
        phash=perceptual_hash(image),
        width=image.width,
        height=image.height,
        content_type=content_type,
        size_bytes=len(data),
        thumbnail_png=thumbnail_png(image, settings.thumbnail_side),
        analysis=analyse(image) if analyse is not None else None,
    )
