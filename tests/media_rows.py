"""What the `media` table holds, per mention, for the connector tests (issue #16)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from monitor.schema import MediaRow, MentionRow


def stored_media(sessions: Any) -> dict[str, list[tuple[str, str, str]]]:
    """platform_id -> [(url, kind, alt), ...] in stored position order, for every mention with images."""
    found: dict[str, list[tuple[str, str, str]]] = {}
    with sessions() as session:
        rows = session.execute(
            select(MentionRow.platform_id, MediaRow.position, MediaRow.url, MediaRow.kind, MediaRow.alt)
            .join(MediaRow, MediaRow.mention_id == MentionRow.id)
            .order_by(MentionRow.platform_id, MediaRow.position)
        ).all()
    for platform_id, position, url, kind, alt in rows:
        images = found.setdefault(platform_id, [])
        assert position == len(images), f"{platform_id}: positions must run 0, 1, 2... without gaps"
        images.append((url, kind, alt))
    return found
