"""What the image pass found, for the audit and the digest: logo findings with their marked-up
thumbnails, the same picture posted by different accounts, and the images skipped (and why).

Kept apart from monitor/reports/audit.py so the audit takes it with one call and its template with
one include (alerts/templates/audit_images.*.j2). Every string here came from a post (handles,
alt text, links): the templates escape them, and only http(s) links are made clickable.
"""

from __future__ import annotations

import base64
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.config import Config
from monitor.media.decide import FLAG, RETIRED, decide_stored
from monitor.optional import MissingExtra
from monitor.pipeline import logo_approvals
from monitor.schema import MediaRow, MentionRow

DECISION_LABELS = {
    FLAG: "logo used without approval",
    RETIRED: "retired logo version",
}


@dataclass(frozen=True, slots=True)
class LogoFindingRow:
    """One image with a logo finding that counts (a flag, or a retired version)."""

    media_id: int
    account: str  # "platform @handle"
    standing: str  # unregistered | registered, not approved | approved
    decision: str  # flag | retired
    version: str
    status: str
    confidence: float
    why: str
    posted_at: datetime
    post_url: str
    post_text: str
    alt: str
    thumbnail: bytes | None  # the marked-up PNG; None once retention has minimised the post

    @property
    def label(self) -> str:
        return DECISION_LABELS.get(self.decision, self.decision)

    @property
    def cid_name(self) -> str:
        """A name that is no other's prefix, for cid:/file references (logo-1-thumb, logo-12-thumb)."""
        return f"logo-{self.media_id}-thumb"

    @property
    def data_uri(self) -> str:
        """The thumbnail inline, for a report saved as one HTML file (an email gets CIDs instead)."""
        if not self.thumbnail:
            return ""
        return "data:image/png;base64," + base64.b64encode(self.thumbnail).decode("ascii")


@dataclass(frozen=True, slots=True)
class ReusedPicture:
    """The same picture (perceptual hash) posted by more than one account: review for copyright."""

    accounts: tuple[str, ...]
    posts: tuple[tuple[str, str, datetime], ...]  # (account, post link, posted at)


@dataclass(slots=True)
class ImageFindings:
    logos: list[LogoFindingRow] = field(default_factory=list)
    reused: list[ReusedPicture] = field(default_factory=list)
    analysed: int = 0
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> images
    pending: int = 0
    reuse_note: str = ""  # why reuse could not be looked for (the media extra missing)

    @property
    def counts(self) -> str:
        """'7 image(s) analysed, 1 skipped (http_4xx 1)' for a report's heading."""
        skipped = sum(self.skipped.values())
        reasons = ", ".join(f"{reason} {n}" for reason, n in Counter(self.skipped).most_common())
        line = f"{self.analysed} image(s) analysed, {skipped} skipped" + (f" ({reasons})" if reasons else "")
        return line + (f", {self.pending} waiting" if self.pending else "")


def _standing(registered: bool, approved: bool) -> str:
    return "approved" if approved else "registered, not approved" if registered else "unregistered"


def image_findings(session: Session, config: Config, *, since: datetime, until: datetime) -> ImageFindings:
    """What the images of posts made in [since, until) showed."""
    approvals = logo_approvals(config)
    found = ImageFindings()
    hashes: dict[tuple[str, int], str] = {}
    posts: dict[int, tuple[str, str, datetime]] = {}
    for image, mention in session.execute(
        select(MediaRow, MentionRow)
        .join(MentionRow, MentionRow.id == MediaRow.mention_id)
        .where(MentionRow.created_at >= since, MentionRow.created_at < until)
        .order_by(MentionRow.created_at, MediaRow.position)
    ):
        account = f"{mention.platform} @{mention.author_handle}"
        if image.state == "pending":
            found.pending += 1
            continue
        if image.state == "skipped":
            reason = (image.skip_reason or "unknown").partition(":")[0]
            found.skipped[reason] = found.skipped.get(reason, 0) + 1
            continue
        found.analysed += 1
        if image.phash:
            hashes[(account, image.id)] = image.phash
            posts[image.id] = (account, mention.url, mention.created_at)
        poster, verdict = decide_stored(image.findings, mention, approvals)
        if verdict.decision not in (FLAG, RETIRED) or verdict.lead is None:
            continue
        found.logos.append(
            LogoFindingRow(
                media_id=image.id,
                account=account,
                standing=_standing(poster.registered, poster.logo_approved),
                decision=verdict.decision,
                version=verdict.lead.version,
                status=verdict.lead.status,
                confidence=verdict.lead.confidence,
                why=verdict.why,
                posted_at=mention.created_at,
                post_url=mention.url,
                post_text=mention.text[:200],
                alt=image.alt,
                thumbnail=image.thumbnail,
            )
        )
    found.reused, found.reuse_note = _reused(hashes, posts)
    return found


def _reused(
    hashes: dict[tuple[str, int], str], posts: dict[int, tuple[str, str, datetime]]
) -> tuple[list[ReusedPicture], str]:
    try:
        from monitor.media.phash import reused_images
    except MissingExtra as exc:
        return [], f"not looked for: {exc}"
    groups = []
    for group in reused_images(hashes):
        accounts = tuple(dict.fromkeys(account for account, _ in group))
        if len(accounts) > 1:  # one account posting its own picture twice is no copyright cue
            groups.append(ReusedPicture(accounts, tuple(posts[media_id] for _, media_id in group)))
    return groups, ""


_DATA_PNG = re.compile(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"')


def inline_data_images(config: Config, message: EmailMessage) -> EmailMessage:
    """Turn the data: thumbnails of a saved report's HTML into inline (CID) parts of its email:
    many mail clients show no data: image."""
    from alerts.compose import embed_related

    html_part = message.get_body(preferencelist=("html",))
    if html_part is None:
        return message
    images: dict[str, bytes] = {}

    def to_cid(match: re.Match[str]) -> str:
        name = f"report-image-{len(images)}"
        images[name] = base64.b64decode(match.group(1))
        return f'src="cid:{name}"'

    html = _DATA_PNG.sub(to_cid, html_part.get_content())
    if images:
        html_part.set_content(html, subtype="html")
    return embed_related(config, message, images)
