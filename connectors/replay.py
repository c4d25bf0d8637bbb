"""Replay connector: reads mentions from a JSON Lines file (the bundled sample, or an export).

One JSON object per line with the `Mention` fields: platform, platform_id, author_handle,
text, created_at (ISO 8601 with an offset) and optionally author_name, author_reach, url,
thread_id, in_reply_to_id, is_official, lang, and `media`: the post's images, in order, as a
list of objects {"url": "https://...", "kind": "image", "alt": "..."} where kind is "image"
(the default), "video_thumbnail" or "gif" and alt is optional. An image that is not an http(s)
link, or not such an object, is dropped with a logged reason; its post is still read. Any
other keys (the sample's `note`, say) are kept in the raw payload. The cursor is the number of
lines consumed, so a second run reads only what was appended since.

    {"platform": "x", "platform_id": "1", "author_handle": "a", "text": "IOM3 stand",
     "created_at": "2026-11-20T09:30:00+00:00",
     "media": [{"url": "https://pbs.twimg.com/media/a.jpg", "alt": "the stand"}]}
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import fields
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import Field

from connectors.base import Batch, Connector, ConnectorSettings, Cursor, FatalError
from connectors.media import Candidate, dropped, media_refs
from monitor.models import MediaRef, Mention

SAMPLE_PATH = Path(__file__).resolve().parent.parent / "monitor" / "sample_data" / "mentions.jsonl"
_MENTION_FIELDS = {f.name for f in fields(Mention)} - {"raw", "media"}
_REQUIRED = ("platform", "platform_id", "author_handle", "text", "created_at")


class Settings(ConnectorSettings):
    path: str = str(SAMPLE_PATH)
    batch_size: int = Field(default=500, ge=1, le=50_000)


class ReplayConnector(Connector):
    name = "replay"
    Settings = Settings

    @property
    def path(self) -> Path:
        return self.watch.path(self.settings.path)

    def fetch(self, cursor: Cursor | None) -> Iterator[Batch]:
        start = int((cursor or {}).get("line", 0))
        try:
            # Bytes, decoded line by line: one bad byte must cost its line, not the file.
            handle = self.path.open("rb")
        except OSError as exc:
            raise FatalError(
                f"cannot read replay file {self.path}: {exc.strerror}",
                fix="set [connectors.replay] path in config/monitor.toml to a JSON Lines file",
            ) from exc
        with handle:
            batch = Batch(mentions=[], cursor={"line": start})
            yielded_to = start
            for line_no, raw_line in enumerate(handle, start=1):
                if line_no <= start:
                    continue
                if raw_line.strip():
                    try:
                        batch.mentions.append(parse_line(_decoded(raw_line)))
                    except ValueError as exc:
                        batch.skipped.append(f"{self.path.name} line {line_no}: {exc}")
                batch.cursor = {"line": line_no}
                if len(batch.mentions) >= self.settings.batch_size:
                    yield batch
                    yielded_to = line_no
                    batch = Batch(mentions=[], cursor=batch.cursor)
            # A tail of blank or unreadable lines still moves the cursor past them.
            if batch.cursor["line"] != yielded_to:
                yield batch


def _decoded(raw_line: bytes) -> str:
    """The line as text; ValueError naming the byte and its column if it is not UTF-8."""
    try:
        return raw_line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"not UTF-8 (byte 0x{raw_line[exc.start]:02x} at column {exc.start + 1}); save the file as UTF-8"
        ) from None


def parse_line(line: str) -> Mention:
    """One JSON Lines record to a Mention; ValueError naming the bad field otherwise."""
    try:
        record: Any = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(record, dict):
        raise ValueError(f"expected a JSON object, got {type(record).__name__}")
    missing = [key for key in _REQUIRED if not record.get(key)]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")
    values = {key: record[key] for key in _MENTION_FIELDS if record.get(key) is not None}
    try:
        values["created_at"] = datetime.fromisoformat(str(record["created_at"]))
    except ValueError:
        raise ValueError(
            f"created_at {record['created_at']!r} is not ISO 8601 (e.g. 2026-11-20T09:30:00+00:00)"
        ) from None
    values["platform_id"] = str(values["platform_id"])
    if "author_reach" in values and not isinstance(values["author_reach"], int):
        raise ValueError(f"author_reach {values['author_reach']!r} is not a whole number")
    return Mention(**values, raw=record, media=line_media(record.get("media"), post=values["platform_id"]))


def line_media(value: Any, *, post: str) -> tuple[MediaRef, ...]:
    """A line's `media` list as MediaRefs; what is not an {url, kind, alt} object is logged and dropped."""
    if value is None:
        return ()
    if not isinstance(value, list):
        dropped("replay", post, f"media is {type(value).__name__}, not a list of {{url, kind, alt}} objects")
        return ()
    candidates: list[Candidate] = []
    for item in value:
        if not isinstance(item, dict):
            dropped("replay", post, f"media item {item!r:.80} is not an {{url, kind, alt}} object")
            continue
        candidates.append((item.get("url"), item.get("kind") or "image", item.get("alt") or ""))
    return media_refs(candidates, platform="replay", post=post)
