"""How a logo seen in a post's image enters routing: once, after a crash too, on the post's thread.

The analysis pass (monitor/services/media.py) stores each image's logo decision on its `media`
row. A "flag" (an unregistered or unapproved account showing the logo) is left with `routed_at`
empty; `route_pending` (alerts/incident_filing.py) takes such rows here, turns each into a `logo` Flag
carrying image evidence, routes it through the same table as every other flag, files it with
`file_flag` and sets `routed_at` in that same transaction. So:

- routed exactly once: the row's `routed_at` and the incident change commit together;
- a crash between the pass and routing loses nothing: the row waits, unrouted, for the next run;
- it threads with the post's other flags: `file_flag` keys the incident by the post's thread,
  so a second image, or a later post in the thread, joins the same open `logo` incident.

Why a column on the image rather than the flag added to the post's assessment: that assessment
is usually routed already (scoring runs first), and routing it again would re-file every other
flag it carries; a second assessment row per post would be read as "the latest assessment" by the
crisis watch, the digest's sentiment and the emails' evidence. The image row is the evidence, so
it carries its own routing mark.

The route for an image flag is chosen with `evidence = "image"` (config/routing.toml): a logo seen
in a picture is emailed to the Head of Marketing, while logo *words* alone stay in the digest.
The gentler "retired" finding (an approved account using a retired logo) never comes here.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.compose import ImageEvidence
from alerts.routing import RouteDecision, route
from monitor.config import Config
from monitor.media.decide import FLAG, decide_stored
from monitor.models import Assessment, Evidence, Flag
from monitor.pipeline import logo_approvals
from monitor.schema import MediaRow, MentionRow

CATEGORY = "logo"


def unrouted(session: Session, limit: int) -> list[Any]:
    """(image, its mention) for every logo flag not yet routed, oldest first."""
    return list(
        session.execute(
            select(MediaRow, MentionRow)
            .join(MentionRow, MentionRow.id == MediaRow.mention_id)
            .where(MediaRow.routed_at.is_(None), MediaRow.state == "analysed", MediaRow.decision == FLAG)
            .order_by(MediaRow.id)
            .limit(limit)
        ).all()
    )


def image_flag(config: Config, image: MediaRow) -> Flag:
    """The `logo` flag an image raises: its score is the detector's confidence in the best finding."""
    best = max(image.findings, key=lambda f: f["confidence"])
    return Flag(
        CATEGORY,
        float(best["confidence"]),
        config.lexicons.category(CATEGORY).clause,
        (
            Evidence(
                "image",
                f"logo {best['version']} ({best['status']}) in image {image.position + 1}",
                value=float(best["confidence"]),
            ),
        ),
    )


def route_image(config: Config, image: MediaRow, mention: MentionRow) -> RouteDecision:
    """The routing decision for one image flag, from the same routing table as the text flags.

    The text thresholds (`alert_at`) do not apply: the detector has already checked the logo whole.
    """
    (decision,) = route(
        Assessment("media", 0.0, {}, (image_flag(config, image),)),
        config.routing,
        channel_kind=mention.channel_kind,
        platform=mention.platform,
        author_reach=mention.author_reach,
        high_reach=config.monitor.scoring.high_reach_followers,
    )
    return decision


def image_evidence(session: Session, config: Config, mention_id: int) -> tuple[ImageEvidence, ...]:
    """The marked-up thumbnails of a post's flagged images, for its alert email.

    The decision is worked out again from the stored findings and today's registry, so an account
    approved since the pass shows no image it is now allowed to post.
    """
    approvals = logo_approvals(config)
    shown = []
    for image, mention in session.execute(
        select(MediaRow, MentionRow)
        .join(MentionRow, MentionRow.id == MediaRow.mention_id)
        .where(MediaRow.mention_id == mention_id, MediaRow.decision == FLAG, MediaRow.thumbnail.is_not(None))
        .order_by(MediaRow.position)
    ):
        _, verdict = decide_stored(image.findings, mention, approvals)
        if verdict.decision != FLAG or verdict.lead is None:
            continue
        shown.append(
            ImageEvidence(
                png=image.thumbnail,
                position=image.position,
                version=verdict.lead.version,
                status=verdict.lead.status,
                confidence=verdict.lead.confidence,
                alt=image.alt,
                why=verdict.why,
            )
        )
    return tuple(shown)
