"""What every page shares: the database session on `g`, the clock, time formatting, error pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask, current_app, g, render_template
from sqlalchemy.orm import Session

from alerts.incident_lifecycle import incident_severity
from monitor.config import Config
from monitor.links import safe_url
from monitor.platforms import label as platform_label
from monitor.services.people import Person


def ext() -> dict[str, Any]:
    return current_app.extensions["iom3"]


def config() -> Config:
    return ext()["config"]


def now() -> datetime:
    return ext()["clock"]()


def db() -> Session:
    """This request's database session, closed when the request ends."""
    if "db" not in g:
        g.db = ext()["sessions"]()
    return g.db


def person() -> Person | None:
    return g.get("person")


def local(moment: datetime | None, fmt: str = "%a %d %b %Y, %H:%M") -> str:
    if moment is None:
        return "-"
    return moment.astimezone(config().timezone).strftime(fmt)


def install(app: Flask) -> None:
    """Template helpers and error pages."""
    from flask_wtf.csrf import CSRFError

    app.jinja_env.filters["local"] = local
    app.jinja_env.filters["safe_url"] = safe_url
    app.jinja_env.globals["me"] = person
    app.jinja_env.filters["platform"] = platform_label
    # The emails' scale (CRITICAL, HIGH, MEDIUM, LOW), so the page says what the subject said.
    app.jinja_env.filters["scale"] = lambda incident: incident_severity(
        incident, lane=config().routing.lane.categories
    )

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):  # noqa: ANN202
        return render_template(
            "error.html.j2",
            title="This form has expired",
            message="Nothing was changed. Go back, reload the page and try again.",
        ), 403

    @app.errorhandler(403)
    def _forbidden(error: Exception):  # noqa: ANN202
        text = getattr(error, "description", "") or "You may not do that."
        return render_template("error.html.j2", title="Not allowed", message=text), 403

    @app.errorhandler(404)
    def _missing(error: Exception):  # noqa: ANN202
        return render_template("error.html.j2", title="Not found", message="There is no such page."), 404

    @app.errorhandler(429)
    def _too_many(error: Exception):  # noqa: ANN202
        return render_template(
            "error.html.j2",
            title="Too many tries",
            message="Wait a few minutes, then ask for a sign-in link again.",
        ), 429
