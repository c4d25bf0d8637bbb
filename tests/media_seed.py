"""Posts with pictures, stored and scored, for the image pass tests (#16); and the pictures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from monitor.channels import ChannelDirectory
from monitor.models import MediaRef, Mention
from monitor.pipeline import score_pending
from monitor.sample_data.media_host import IMAGES
from monitor.schema import MediaRow, MentionRow
from monitor.scoring import Scorer
from monitor.store import save_batch

POSTED = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
CDN = "https://cdn.example.org/"
FLYER = (IMAGES / "sheffield-flyer.jpg").read_bytes()  # the current stand-in logo
RETIRED = (IMAGES / "packaging-awards.jpg").read_bytes()  # the retired stand-in
CURRENT = (IMAGES / "wim-breakfast.jpg").read_bytes()  # the current logo again
PHOTO = (IMAGES / "steel-mill-dawn.jpg").read_bytes()  # no logo


def post(
    platform_id: str,
    *urls: str,
    platform: str = "x",
    handle: str = "IOM3Packaging",
    text: str = "Our awards night, photos below",
    alt: str = "",
    minutes: int = 0,
) -> Mention:
    return Mention(
        platform=platform,
        platform_id=platform_id,
        author_handle=handle,
        text=text,
        created_at=POSTED + timedelta(minutes=minutes),
        url=f"https://x.com/{handle}/status/{platform_id}",
        media=tuple(MediaRef(url, "image", alt) for url in urls),
    )


def store_and_score(sessions, config, mentions: list[Mention], *, score: bool = True) -> None:
    with sessions.begin() as session:
        save_batch(session, connector="x", mentions=mentions, cursor={}, directory=ChannelDirectory(config))
    if score:
        score_pending(sessions, config, Scorer(config.lexicons, config.monitor.scoring), clock=lambda: POSTED)


def media_rows(sessions) -> dict[str, MediaRow]:
    """url -> its media row."""
    with sessions() as session:
        return {row.url: row for row in session.scalars(select(MediaRow).join(MentionRow))}
