"""Run a pass: every step once, in order, as `once` and `demo` do."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from alerts.incidents import RouteResult, notify_due, route_pending
from alerts.outbox import FlushResult, flush
from alerts.transports import Transport, chat_transport
from connectors.base import Connector
from monitor.channels import ChannelDirectory
from monitor.config import Config
from monitor.crisis_watch import detect_crises
from monitor.pipeline import IngestResult, ingest, score_pending
from monitor.schema import utcnow
from monitor.scoring import Scorer
from monitor.scoring.crisis import CrisisSignal
from monitor.services.media import MediaPassResult, analyse_media

if TYPE_CHECKING:
    import requests

Clock = Callable[[], datetime]


@dataclass(slots=True)
class PassResult:
    ingested: list[IngestResult]
    scored: int
    media: MediaPassResult
    crises: list[CrisisSignal]
    routed: RouteResult
    flushed: FlushResult


def run_pass(
    sessions: sessionmaker[Session],
    config: Config,
    connectors: list[Connector],
    transport: Transport,
    *,
    clock: Clock = utcnow,
    settle: bool = False,
    media_http: requests.Session | None = None,
) -> PassResult:
    """Every step once, in order: fetch, store, score, analyse images, look for crises, route, queue,
    send. `media_http` is the requests session images are fetched with (the demo's serves its own).

    With `settle`, also the emails a running monitor would send once the routes' group waits
    had passed: for a one-off replay (the demo), where nobody is left running to send them.
    """
    started = clock()
    directory = ChannelDirectory(config)
    ingested = [ingest(sessions, c, directory, clock=clock) for c in connectors]
    scored = score_pending(sessions, config, Scorer(config.lexicons, config.monitor.scoring), clock=clock)
    media = analyse_media(sessions, config, http=media_http, clock=clock)
    crises = detect_crises(sessions, config, touched_since=started, now=clock())
    routed = route_pending(sessions, config, clock=clock)
    routed.emails_queued = notify_due(sessions, config, clock=clock)
    flushed = flush(sessions, transport, now=clock())
    if settle:
        later = clock() + timedelta(minutes=max_group_wait(config) + 1)
        routed.emails_queued += notify_due(sessions, config, clock=lambda: later)
        late = flush(sessions, transport, now=later)
        flushed.sent += late.sent
        flushed.failed += late.failed
    if transport.kind == "email" and (chat := chat_transport(config)) is not None:
        # Chat and SMS notes (the top severity) ride the same outbox; counted with the errors.
        chats = flush(sessions, chat, now=clock())
        flushed.failed += chats.failed
        flushed.errors.extend(chats.errors)
    return PassResult(ingested, scored, media, crises, routed, flushed)


def max_group_wait(config: Config) -> int:
    """The longest first-email wait of any route, in minutes."""
    return max([config.routing.timing.group_wait, *(r.group_wait or 0 for r in config.routing.route)])
