"""Mentions arriving at the alert path as a pass would bring them: stored, scored, routed.

Shared by the alert tests (tests/ is on pytest's pythonpath, like cli_runner.py).
"""

from __future__ import annotations

from alerts.incidents import RouteResult, route_pending
from monitor.channels import ChannelDirectory
from monitor.models import Mention
from monitor.pipeline import score_pending
from monitor.scoring import Scorer
from monitor.store import save_batch


def arrive(sessions, config, clock, *mentions: Mention) -> RouteResult:
    """Store `mentions` in one batch, score what is pending and route it, all at `clock`."""
    with sessions.begin() as session:
        save_batch(
            session, connector="t", mentions=list(mentions), cursor={}, directory=ChannelDirectory(config)
        )
    score_pending(sessions, config, Scorer(config.lexicons, config.monitor.scoring), clock=clock)
    return route_pending(sessions, config, clock=clock)
