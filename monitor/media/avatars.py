"""Profile pictures: fetched through the safe fetcher, kept as hashes and a small thumbnail, and
looked at for IOM3's logo (issue #16, the audit's profile checks).

All of it needs the `media` extra (the fetcher's perceptual hash needs ImageHash; the detector
OpenCV and faiss). Without it a profile is still read and its words checked; its picture is marked
skipped with the pip command that would add it. The original picture is never kept.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import requests

from monitor.optional import MissingExtra

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AvatarResult:
    """What is kept of one profile picture."""

    state: str  # "analysed", "skipped" (with `reason`) or "none" (the profile has no picture)
    reason: str = ""  # why skipped, or why an analysed picture had no logo check
    sha256: str | None = None
    phash: str | None = None
    thumbnail: bytes | None = None  # a small PNG
    logos: list[dict[str, Any]] | None = None  # IOM3 logos found; None: not looked for


NO_AVATAR = AvatarResult("none")


class AvatarReader:
    """Reads profile pictures, one call each. The logo detector (which describes every reference
    logo, the slow part) is built once, on the first picture, and reused."""

    def __init__(self, session: requests.Session | None = None, fetch_settings: Any = None) -> None:
        self.session = session or requests.Session()
        self.fetch_settings = fetch_settings
        self._detector: Any = None
        self._no_detector = ""  # why there is none, once building it has failed

    def __call__(self, url: str) -> AvatarResult:
        if not url:
            return NO_AVATAR
        try:
            from monitor.media.fetch import FetchedImage, fetch_image
        except MissingExtra as exc:
            return AvatarResult("skipped", reason=f"not fetched: {exc}")
        detector = self._logo_detector()
        fetched = fetch_image(
            url, self.session, self.fetch_settings, analyse=detector.detect if detector else None
        )
        if not isinstance(fetched, FetchedImage):
            return AvatarResult("skipped", reason=f"{fetched.reason}: {fetched.detail}")
        return AvatarResult(
            "analysed",
            reason="" if detector else f"no logo check: {self._no_detector}",
            sha256=fetched.sha256,
            phash=fetched.phash,
            thumbnail=fetched.thumbnail_png,
            logos=None if detector is None else [logo_json(f) for f in fetched.analysis],
        )

    def _logo_detector(self) -> Any:
        if self._detector is None and not self._no_detector:
            from monitor.config import ConfigError
            from monitor.media.logos import LogoDetector

            try:
                self._detector = LogoDetector()
            except (ConfigError, ValueError) as exc:  # config/logos/ missing or unusable
                self._no_detector = str(exc)
                log.warning("event=no_logo_detector reason=%s", self._no_detector)
        return self._detector


def logo_json(finding: Any) -> dict[str, Any]:
    """A LogoFinding as stored: which version, current or retired, how sure."""
    return {"version": finding.version, "status": finding.status, "confidence": finding.confidence}


def not_fetched(reason: str) -> Any:
    """An avatar reader that fetches nothing (the demo has no network): each picture skipped."""
    return lambda url: AvatarResult("skipped", reason=reason) if url else NO_AVATAR
