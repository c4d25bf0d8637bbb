"""The Communications team's daily digest: one day in figures, charts and the posts that matter.

This module renders a `Digest` (gathered by monitor/reports/digest_data.py, its charts drawn by
monitor/reports/digest_charts.py) into text, HTML and a CSV of the flagged posts, then into an
email or a folder of files. It also names the gathering and chart functions, so callers import
the whole digest from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pandas as pd

from alerts.compose import make_message, templates
from monitor.config import Config
from monitor.csv_safe import csv_bytes
from monitor.platforms import PLATFORMS
from monitor.reports.digest_charts import sentiment_chart_png, volume_chart_png, volume_figure
from monitor.reports.digest_data import HEALTHY, KINDS, TOP_FLAGGED, Digest, build_digest, day_bounds

__all__ = [
    "HEALTHY",
    "KINDS",
    "TOP_FLAGGED",
    "Digest",
    "RenderedDigest",
    "build_digest",
    "day_bounds",
    "digest_email",
    "render",
    "save",
    "volume_figure",
]


# --- rendering ----------------------------------------------------------------------------------
@dataclass
class RenderedDigest:
    context: dict  # what the templates were given; the email's subject is rendered from it too
    text: str
    html: str  # images referenced as cid:<name>
    charts: dict[str, bytes]  # name -> PNG
    csv: bytes


def render(digest: Digest, config: Config) -> RenderedDigest:
    charts = (
        {}
        if digest.daily.to_numpy().sum() == 0
        else {"volume": volume_chart_png(digest.daily), "sentiment": sentiment_chart_png(digest.sentiment)}
    )
    # Each logo finding's marked-up thumbnail goes where the charts go: inline in the email, a
    # file beside the saved digest.
    charts |= {f.cid_name: f.thumbnail for f in digest.logo_findings if f.thumbnail}
    context = {
        "d": digest,
        "charts": charts,
        "prefix": config.monitor.mail.subject_prefix,
        "date": digest.day.strftime("%A %d %B %Y"),
        "platforms": PLATFORMS,
        "kinds": KINDS,
    }
    columns = [
        "mention",
        "posted",
        "platform",
        "author",
        "kind",
        "reach",
        "categories",
        "review",
        "top_score",
        "evidence",
        "sentiment",
        "text",
        "url",
    ]
    frame = digest.flagged_csv if not digest.flagged_csv.empty else pd.DataFrame(columns=columns)
    return RenderedDigest(
        context=context,
        text=templates.get_template("digest.txt.j2").render(context),
        html=templates.get_template("digest.html.j2").render(context),
        charts=charts,
        csv=csv_bytes(frame),
    )


def digest_email(
    config: Config, rendered: RenderedDigest, *, to: list[str], now: datetime, day: date
) -> EmailMessage:
    """Text, HTML with the charts inline (CID), and the day's flagged mentions as a CSV attachment."""
    domain = str(config.monitor.mail.from_address).rpartition("@")[2]
    html = rendered.html
    cids = {name: make_msgid(idstring=f"chart-{name}", domain=domain) for name in rendered.charts}
    for name, cid in cids.items():
        html = html.replace(f"cid:{name}", f"cid:{cid[1:-1]}")
    message = make_message(
        config,
        "digest",
        to,
        rendered.context,
        now=now,
        idstring=f"digest-{day.isoformat()}",
        text=rendered.text,
        html=html,
    )
    html_part = message.get_payload()[1]
    for name, png in rendered.charts.items():
        html_part.add_related(png, maintype="image", subtype="png", cid=cids[name], filename=f"{name}.png")
    message.add_attachment(
        rendered.csv, maintype="text", subtype="csv", filename=f"flagged-{day.isoformat()}.csv"
    )
    return message


def save(rendered: RenderedDigest, folder: Path) -> Path:
    """Write digest.html (charts beside it as PNG files), digest.txt and flagged.csv into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    html = rendered.html
    for name, png in rendered.charts.items():
        (folder / f"{name}.png").write_bytes(png)
        html = html.replace(f"cid:{name}", f"{name}.png")
    (folder / "digest.html").write_text(html, encoding="utf-8")
    (folder / "digest.txt").write_text(rendered.text, encoding="utf-8")
    (folder / "flagged.csv").write_bytes(rendered.csv)
    return folder / "digest.html"
