"""Screenshots of the alert emails, the digest and a committee's monthly report card at phone
(390 px) and desktop (1280 px) widths.

    .venv/bin/pip install playwright          # the Python package only; no `playwright install`
    .venv/bin/python docs/screenshots/make.py [--chromium /usr/bin/chromium] [--only report-card]

Replays the sample week into a scratch database (as `demo` does), lets 31 minutes pass so the
unacknowledged crisis climbs the escalation chain (the follow-up email), renders each email's
HTML with its inline images, and photographs it in headless Chromium. It fails if any page is
wider than the window it is shown in: nothing may run off a phone's screen.
"""

from __future__ import annotations

import argparse
import base64
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from email import message_from_string, policy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

OUT = Path(__file__).resolve().parent
WIDTHS = (390, 1280)


def inline_images(message) -> str:  # noqa: ANN001 - an EmailMessage
    """The HTML body with every cid: image replaced by a data: URI, as a mail client shows it."""
    html = message.get_body(("html",)).get_content()
    for part in message.walk():
        if part.get_content_maintype() == "image" and part["Content-ID"]:
            data = base64.b64encode(part.get_payload(decode=True)).decode()
            html = html.replace(
                f"cid:{part['Content-ID'][1:-1]}", f"data:{part.get_content_type()};base64,{data}"
            )
    return html


def pages(work: Path) -> dict[str, str]:
    from sqlalchemy import select

    from alerts.incidents import notify_due
    from alerts.transports.maildir import MaildirTransport
    from connectors.replay import SAMPLE_PATH, ReplayConnector
    from connectors.replay import Settings as ReplaySettings
    from monitor.config import DatabaseSection, load_config
    from monitor.reports.digest import build_digest, digest_email, render
    from monitor.schema import OutboxMessage
    from monitor.services.passes import run_pass
    from monitor.store import open_store

    config = load_config()
    config = config.with_overrides(database=DatabaseSection(url=f"sqlite:///{work / 'monitor.db'}"))
    config = config.model_copy(update={"routing": config.routing.model_copy(update={"quiet_hours": None})})
    sessions = open_store(config, config.monitor.database.url)
    start = datetime.now(UTC)
    run_pass(
        sessions,
        config,
        [ReplayConnector(ReplaySettings(path=str(SAMPLE_PATH)), config)],
        MaildirTransport(work / "mail"),
        clock=lambda: start,
        settle=True,
    )
    notify_due(sessions, config, clock=lambda: start + timedelta(minutes=40))  # the chain climbs
    with sessions() as session:
        emails = [
            message_from_string(row.payload, policy=policy.default)
            for row in session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "email"))
        ]

    def first(*words: str):  # noqa: ANN202
        found = [m for m in emails if all(w in m["Subject"] for w in words)]
        if not found:
            subjects = "\n  ".join(str(m["Subject"]) for m in emails)
            raise SystemExit(f"no email's subject has all of {words}; the subjects are:\n  {subjects}")
        return found[0]

    chosen = {
        "crisis": first("CRITICAL: Crisis"),
        "safeguarding": first("CRITICAL: Safeguarding", "@maisie"),
        "complaint": first("MEDIUM: Complaint", "@metallurgy_mo"),
        "follow-up": first("escalated to you", "Crisis"),
    }
    rendered = {name: inline_images(message) for name, message in chosen.items()}
    with sessions() as session:
        digest = render(build_digest(session, config, date(2026, 11, 20)), config)
    message = digest_email(config, digest, to=["a@iom3.org"], now=start, day=date(2026, 11, 20))
    rendered["digest"] = inline_images(message)
    from monitor.services.report_cards import committee_account, produce_report_card

    card = produce_report_card(
        sessions, config, committee_account(config, "instagram:iom3_wim"), date(2026, 11, 1)
    )
    rendered["report-card"] = card.html
    return rendered


def shoot(rendered: dict[str, str], chromium: str, work: Path) -> list[str]:
    from playwright.sync_api import sync_playwright

    problems = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        for name, html in rendered.items():
            source = work / f"{name}.html"
            source.write_text(html, encoding="utf-8")
            for width in WIDTHS:
                page = browser.new_page(viewport={"width": width, "height": 900}, device_scale_factor=1)
                page.goto(source.as_uri())
                page.wait_for_load_state("load")
                scroll = page.evaluate("document.documentElement.scrollWidth")
                if scroll > width:
                    problems.append(
                        f"{name} at {width} px is {scroll} px wide: something runs off the screen"
                    )
                target = OUT / f"{name}-{width}.png"
                page.screenshot(path=str(target), full_page=True)
                print(f"{target.relative_to(ROOT)}  (page width {scroll} px in a {width} px window)")
                page.close()
        browser.close()
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default="/usr/bin/chromium", help="the Chromium binary to drive")
    parser.add_argument("--only", metavar="NAME", help="retake one page only (e.g. report-card, digest)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        chosen = {n: html for n, html in pages(work).items() if args.only in (None, n)}
        if not chosen:
            print(f"no page named {args.only!r}", file=sys.stderr)
            return 2
        problems = shoot(chosen, args.chromium, work)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
