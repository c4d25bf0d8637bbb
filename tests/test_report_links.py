"""Digest links: only http(s) is clickable, whatever a post's URL says (issue #12, point 6)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from alerts.compose import web_link
from monitor.channels import ChannelDirectory
from monitor.models import Mention
from monitor.pipeline import score_pending
from monitor.reports.digest import build_digest, render
from monitor.scoring import Scorer
from monitor.store import save_batch

CRISIS = "Boycott the IOM3 awards. This sponsorship is a scandal and a disgrace. Fraud!"


@pytest.mark.parametrize(
    ("url", "clickable"),
    [
        ("https://x.com/a/status/1", True),
        ("HTTP://example.org/post", True),
        ("httpx://evil.example/", False),
        ("http-javascript:alert(1)", False),
        ("https:alert(1)", False),
        ("javascript:alert(1)", False),
        ("", False),
    ],
)
def test_only_http_and_https_are_web_links(url: str, clickable: bool) -> None:
    assert web_link(url) is clickable


def test_the_digest_links_no_other_scheme(sessions, config) -> None:
    posted = datetime(2026, 11, 20, 10, tzinfo=UTC)
    mentions = [
        Mention(
            platform="x",
            platform_id=str(n),
            author_handle=f"a{n}",
            text=CRISIS,
            created_at=posted,
            url=url,
            thread_id=str(n),
        )
        for n, url in enumerate(["https://x.com/a0/status/0", "httpevil:alert(document.cookie)"])
    ]
    with sessions.begin() as session:
        save_batch(session, connector="t", mentions=mentions, cursor={}, directory=ChannelDirectory(config))
    score_pending(sessions, config, Scorer(config.lexicons, config.monitor.scoring))
    with sessions() as session:
        html = render(build_digest(session, config, date(2026, 11, 20)), config).html
    assert 'href="https://x.com/a0/status/0"' in html
    assert 'href="httpevil' not in html
