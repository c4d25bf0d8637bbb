"""The digest's newer parts: response times, still unanswered, week on week, top authors, coverage,
charts whose legends hide nothing, and CSV files that open safely in a spreadsheet."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from html import escape

import pandas as pd

from alerts.incidents import route_pending
from monitor.channels import ChannelDirectory
from monitor.csv_safe import csv_bytes, neutralise, restore
from monitor.models import Mention
from monitor.pipeline import score_pending
from monitor.platforms import PLATFORM_TABLE
from monitor.reports.digest import build_digest, render, volume_chart_png, volume_figure
from monitor.schema import ConnectorRun
from monitor.scoring import Scorer
from monitor.store import save_batch

DAY = date(2026, 11, 24)
NOON = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def _post(
    n: int, text: str, *, at: datetime, thread: str, handle: str | None = None, reach: int = 100, platform="x"
):
    return Mention(
        platform=platform,
        platform_id=f"{platform}{n}",
        author_handle=handle or f"user{n}",
        text=text,
        created_at=at,
        thread_id=thread,
        author_reach=reach,
        url=f"https://x.com/u/status/{n}",
    )


def _store(sessions, config, *mentions: Mention) -> None:
    with sessions.begin() as session:
        save_batch(
            session, connector="t", mentions=list(mentions), cursor={}, directory=ChannelDirectory(config)
        )
    score_pending(sessions, config, Scorer(config.lexicons, config.monitor.scoring))
    route_pending(sessions, config, clock=lambda: NOON + timedelta(hours=8))


def test_response_times_unanswered_week_on_week_and_top_authors(sessions, config):
    complaint = "Still waiting for my refund from IOM3, no reply for weeks. Unacceptable."
    _store(
        sessions,
        config,
        _post(1, complaint, at=NOON - timedelta(hours=3), thread="t1"),
        _post(
            2,
            "Sorry to hear this, we have sent you a DM",
            at=NOON - timedelta(hours=1),
            thread="t1",
            handle="iom3",
        ),
        _post(3, complaint, at=NOON - timedelta(hours=2), thread="t3"),  # never answered
        _post(4, "Lovely IOM3 lecture tonight", at=NOON, thread="t4", handle="bigvoice", reach=250_000),
        _post(5, "IOM3 conference was good", at=NOON - timedelta(days=8), thread="t5"),  # the week before
    )
    with sessions() as session:
        digest = build_digest(session, config, DAY)
    assert digest.response["all"] == {"answered": 1, "median": 2.0, "worst": 2.0}
    assert digest.response["platforms"] == {"x": {"answered": 1, "median": 2.0, "worst": 2.0}}
    assert digest.response["unanswered"] == 1 and digest.still_unanswered == 1
    mentions = next(w for w in digest.week_on_week if w["measure"] == "mentions")
    assert (mentions["this_week"], mentions["last_week"], mentions["change"]) == (4, 1, "+300%")
    assert digest.top_authors[0]["author"] == "bigvoice" and digest.top_authors[0]["reach"] == 250_000
    assert all(
        a["author"] != "iom3" for a in digest.top_authors
    )  # IOM3's own channel is not an author to watch
    text = render(digest, config).text
    assert "First official reply: median 2.0 h, worst 2.0 h over 1 answered; 1 not answered." in text
    assert "Complaints still unanswered now: 1" in text


def test_coverage_names_failing_connectors_and_blind_spots(sessions, config):
    with sessions.begin() as session:
        session.add(ConnectorRun(connector="x", started_at=NOON, finished_at=NOON, status="ok", fetched=12))
        session.add(
            ConnectorRun(
                connector="instagram",
                started_at=NOON,
                finished_at=NOON,
                status="failed",
                error="token expired: set IOM3_INSTAGRAM_TOKEN",
            )
        )
    with sessions() as session:
        digest = build_digest(session, config, DAY)
    coverage = {c["connector"]: c for c in digest.coverage}
    assert coverage["x"]["healthy"] and coverage["x"]["state"].startswith(
        "healthy: last run 24 Nov 12:00, 12 fetched"
    )
    assert not coverage["instagram"]["healthy"]
    assert (
        "failing" in coverage["instagram"]["state"]
        and "IOM3_INSTAGRAM_TOKEN" in coverage["instagram"]["state"]
    )
    # The blind spots come from the platform table, the one place README and digest read them.
    blind_spot = PLATFORM_TABLE["instagram"].blind_spots
    assert "arrive only through the Meta webhook" in blind_spot
    assert coverage["instagram"]["blind"] == blind_spot
    assert coverage["x"]["blind"] == PLATFORM_TABLE["x"].blind_spots
    html = render(digest, config).html
    assert "Cannot see: " + escape(blind_spot).replace("&#x27;", "&#39;") in html


def test_the_volume_legend_sits_outside_the_bars():
    # A crisis day ten times the others: a legend inside the axes would cover its bar.
    days = [date(2026, 11, 14) + timedelta(days=d) for d in range(7)]
    daily = pd.DataFrame(
        {"x": [2] * 6 + [40], "facebook": [1] * 7, "instagram": [1] * 7, "linkedin": [1] * 7}, index=days
    )
    figure = volume_figure(daily)
    figure.canvas.draw()
    (legend,) = figure.legends
    (axes,) = figure.axes
    assert not legend.get_window_extent().overlaps(axes.get_window_extent())
    assert [t.get_text() for t in legend.get_texts()] == ["x", "facebook", "instagram", "linkedin"]
    figure_box = figure.bbox
    assert figure_box.contains(*legend.get_window_extent().p0) and figure_box.contains(
        *legend.get_window_extent().p1
    )
    assert volume_chart_png(daily).startswith(b"\x89PNG")


def test_csv_cells_are_neutralised_and_the_file_starts_with_a_bom():
    frame = pd.DataFrame(
        {
            "text": [
                '=HYPERLINK("http://evil")',
                "+44 20 7451 7300",
                "-2+3",
                "@SUM(A1)",
                "\tx",
                "plain",
                "Zoë £5",
            ],
            "score": [-0.5, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
        }
    )
    data = csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", keep_default_na=False)
    assert list(back["text"]) == [
        '\'=HYPERLINK("http://evil")',
        "'+44 20 7451 7300",
        "'-2+3",
        "'@SUM(A1)",
        "'\tx",
        "plain",
        "Zoë £5",
    ]
    assert back["score"].iloc[0] == -0.5  # numbers stay numbers
    assert [restore(neutralise(v)) for v in frame["text"]] == list(frame["text"])


def test_every_csv_the_project_writes_goes_through_csv_safe():
    """No `.to_csv(` outside monitor/csv_safe.py: a new CSV site must use it too."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    offenders = [
        str(p.relative_to(root))
        for folder in ("monitor", "alerts", "connectors", "bench")
        for p in (root / folder).rglob("*.py")
        if ".to_csv(" in p.read_text() and p.name != "csv_safe.py"
    ]
    assert offenders == []
