"""The image analysis pass (issue #16): fetch a post's images, look for IOM3's logo, keep little.

Which images: those of posts by registered ASV accounts (channel kind asv_committee or
asv_personal), and of public posts that raised any flag; only once their post has been scored,
so a pass never runs ahead of the scoring step. Each image is fetched with the safe fetcher
(monitor/media/fetch.py: size cap, type check, timeout, retries), the logo detector looks at the
decoded picture, and what is stored is its sha256, perceptual hash, size, a thumbnail of at most
320 px a side (the found regions drawn on it) and the findings; or the row is marked skipped with
the fetcher's reason. The original bytes are never stored.

Each image is committed on its own, with a compare-and-set on `state = 'pending'`: a kill -9
mid-pass loses at most the image in hand (fetched again next pass) and repeats nothing already
stored. A pass stops between images at its deadline ([media] pass_seconds), after [media]
per_pass images, or when `stop()` says the service is shutting down; the rest wait for the next.

The logo decision (monitor/media/decide.py) is stored on the row. A "flag" is left with
`routed_at` empty for routing (alerts/image_flags.py) to raise exactly once; anything else is
settled here, as scoring settles an unflagged assessment.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from monitor.config import Config, ConfigError, MediaSection
from monitor.media.decide import FLAG, LogoDecision, SeenLogo, decide, poster_of
from monitor.optional import MissingExtra
from monitor.pipeline import logo_approvals
from monitor.schema import AssessmentRow, MediaRow, MentionRow, utcnow

if TYPE_CHECKING:
    import requests

    from monitor.media.fetch import FetchSettings
    from monitor.media.logos import LogoDetector

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
ASV_KINDS = ("asv_committee", "asv_personal")
ANALYSIS_FAILED = "analysis_failed"  # the detector raised on this picture: a bug, kept out of the queue
_told_missing: set[str] = set()  # the media extra's absence is logged once per process


@dataclass(frozen=True, slots=True)
class ImageOutcome:
    """One image the pass handled, for `demo` and `once` to print."""

    media_id: int
    account: str  # "x @handle"
    url: str
    state: str  # analysed | skipped
    reason: str = ""  # the SkipReason, for a skip
    detail: str = ""  # one line for a person
    decision: str = ""  # flag | retired | none, for an analysed image
    version: str = ""  # the logo version the decision rests on
    confidence: float = 0.0


@dataclass(slots=True)
class MediaPassResult:
    outcomes: list[ImageOutcome] = field(default_factory=list)
    left: int = 0  # candidates still pending when the pass stopped (deadline, limit, shutdown)
    disabled: bool = False  # [media] enabled = false
    problem: str = ""  # why nothing was analysed: the media extra missing, bad reference logos

    @property
    def analysed(self) -> int:
        return sum(o.state == "analysed" for o in self.outcomes)

    @property
    def skipped(self) -> list[ImageOutcome]:
        return [o for o in self.outcomes if o.state == "skipped"]

    @property
    def flagged(self) -> list[ImageOutcome]:
        return [o for o in self.outcomes if o.decision and o.decision != "none"]


def fetch_settings(media: MediaSection) -> FetchSettings:
    """The fetcher's limits from config/monitor.toml [media]."""
    from monitor.media.fetch import FetchSettings

    return FetchSettings(max_bytes=media.max_bytes, timeout_s=media.timeout_seconds)


def _worth_a_look() -> tuple[Any, ...]:
    """Pending images of ASV accounts' posts and of flagged public posts, once their post is scored."""
    scored = exists().where(AssessmentRow.mention_id == MentionRow.id)
    flagged = exists().where(AssessmentRow.mention_id == MentionRow.id, AssessmentRow.flagged.is_(True))
    return (
        MediaRow.state == "pending",
        MentionRow.is_official.is_(False),
        scored,
        or_(MentionRow.channel_kind.in_(ASV_KINDS), and_(MentionRow.channel_kind == "public", flagged)),
    )


def candidates(session: Session, limit: int) -> tuple[list[Any], int]:
    """The oldest `limit` images worth a look, and how many there are in all."""
    joined = select(MediaRow.id).join(MentionRow, MentionRow.id == MediaRow.mention_id)
    total = session.scalar(select(func.count()).select_from(joined.where(*_worth_a_look()).subquery()))
    rows = session.execute(
        select(
            MediaRow.id,
            MediaRow.url,
            MentionRow.platform,
            MentionRow.author_handle,
            MentionRow.channel_kind,
            MentionRow.is_official,
        )
        .join(MentionRow, MentionRow.id == MediaRow.mention_id)
        .where(*_worth_a_look())
        .order_by(MediaRow.id)
        .limit(limit)
    ).all()
    return list(rows), int(total or 0)


_detectors: dict[str, LogoDetector] = {}


def load_detector(config: Config) -> LogoDetector:
    """The logo detector on the reference logos beside the configuration (config/logos/), built
    once per process: describing every reference takes a while, and the files change only with a
    restart (like every other config file)."""
    from monitor.media.logos import LogoDetector

    folder = config.config_dir / "logos"
    if str(folder) not in _detectors:
        _detectors[str(folder)] = LogoDetector.from_folder(folder)
    return _detectors[str(folder)]


def analyse_media(
    sessions: sessionmaker[Session],
    config: Config,
    *,
    http: requests.Session | None = None,
    detector: LogoDetector | None = None,
    settings: FetchSettings | None = None,
    clock: Clock = utcnow,
    stop: Callable[[], bool] = lambda: False,
    timer: Callable[[], float] = time.monotonic,
) -> MediaPassResult:
    """One pass over the pending images (the module docstring says which, and how)."""
    media = config.monitor.media
    result = MediaPassResult()
    if not media.enabled:
        result.disabled = True
        return result
    deadline = timer() + media.pass_seconds
    with sessions() as session:
        rows, total = candidates(session, media.per_pass)
    if not rows:
        return result
    result.left = total - len(rows)  # beyond this pass's limit
    try:
        from monitor.media.fetch import Skipped, fetch_image
        from monitor.media.thumbs import draw_findings

        detector = detector or load_detector(config)
        settings = settings or fetch_settings(media)
    except MissingExtra as exc:
        result.problem, result.left = str(exc), total
        if exc.extra not in _told_missing:
            _told_missing.add(exc.extra)
            log.warning("job=media event=missing_extra images_waiting=%d %s", result.left, exc)
        return result
    except (ConfigError, ValueError) as exc:  # config/logos/ is wrong: say so, keep the images pending
        result.problem, result.left = f"the reference logos cannot be used: {exc}", total
        return result
    import requests

    http = http or requests.Session()
    approvals = logo_approvals(config)

    def look(image: Any) -> tuple[list[Any], bytes | None]:
        found = detector.detect(image)
        return found, (draw_findings(image, found, settings.thumbnail_side) if found else None)

    for index, row in enumerate(rows):
        if stop() or timer() >= deadline:
            result.left += len(rows) - index
            break
        account = f"{row.platform} @{row.author_handle}"
        try:
            fetched = fetch_image(row.url, session=http, settings=settings, analyse=look)
        except Exception as exc:  # the detector failed on this picture: log it, never block the queue
            log.exception("job=media event=analysis_failed media=%d", row.id)
            detail = f"the logo detector failed: {type(exc).__name__}"
            _store(sessions, row.id, {"state": "skipped", "skip_reason": f"{ANALYSIS_FAILED}: {detail}"})
            result.outcomes.append(ImageOutcome(row.id, account, row.url, "skipped", ANALYSIS_FAILED, detail))
            continue
        now = clock()
        if isinstance(fetched, Skipped):
            values = {"state": "skipped", "skip_reason": f"{fetched.reason.value}: {fetched.detail}"}
            if _store(sessions, row.id, values):
                result.outcomes.append(
                    ImageOutcome(row.id, account, row.url, "skipped", fetched.reason.value, fetched.detail)
                )
            continue
        found, drawn = fetched.analysis
        findings = [_finding_json(f) for f in found]
        verdict = decide(
            poster_of(
                platform=row.platform,
                handle=row.author_handle,
                official=row.is_official or row.channel_kind == "official",
                approvals=approvals,
            ),
            [SeenLogo(f.version, f.status, f.confidence) for f in found],
        )
        values = {
            "state": "analysed",
            "skip_reason": None,
            "sha256": fetched.sha256,
            "phash": fetched.phash,
            "width": fetched.width,
            "height": fetched.height,
            "thumbnail": drawn or fetched.thumbnail_png,
            "findings": findings,
            "analysed_at": now,
            "decision": verdict.decision,
            # Only a flag waits for routing; the rest is settled now.
            "routed_at": None if verdict.decision == FLAG else now,
        }
        if _store(sessions, row.id, values):
            result.outcomes.append(_outcome(row.id, account, row.url, verdict))
    return result


def _store(sessions: sessionmaker[Session], media_id: int, values: dict[str, Any]) -> bool:
    """Write one image's result in its own transaction, only if it is still pending (retention may
    have minimised its post meanwhile, or another pass got there first)."""
    with sessions.begin() as session:
        done = session.execute(
            update(MediaRow)
            .where(MediaRow.id == media_id, MediaRow.state == "pending")
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return bool(done.rowcount)  # type: ignore[attr-defined]


def _finding_json(finding: Any) -> dict[str, Any]:
    data = asdict(finding)
    data["quad"] = [[round(x, 1), round(y, 1)] for x, y in finding.quad]
    return data


def _outcome(media_id: int, account: str, url: str, verdict: LogoDecision) -> ImageOutcome:
    lead = verdict.lead
    return ImageOutcome(
        media_id,
        account,
        url,
        "analysed",
        detail=verdict.why,
        decision=verdict.decision,
        version=lead.version if lead else "",
        confidence=lead.confidence if lead else 0.0,
    )
