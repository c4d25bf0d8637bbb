"""The triage web app: Flask, an app factory and blueprints, server-rendered Jinja2, no scripts.

`create_app(config, sessions)` builds it; `monitor/web/serve.py` serves it (`run_monitor.py web`,
or inside `run` when [web] enabled). Handlers call the same use-case functions as the CLI
(monitor/services/). Every state change is a POST with a CSRF token; GET never changes state.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from monitor.config import Config
from monitor.optional import require
from monitor.schema import utcnow

# No script runs on any page; styles and images only from this site. Archived digests (HTML
# written for email, styled inline) are served sandboxed with a CSP of their own (pages.py).
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


def create_app(
    config: Config,
    sessions: sessionmaker[Session],
    *,
    secret: str,
    clock: Callable[[], datetime] = utcnow,
    send_outbox: Callable[[], None] | None = None,
    test_config: dict[str, Any] | None = None,
):  # noqa: ANN201 - flask is optional
    """The app on this config and database. `send_outbox` is called after a sign-in email is
    queued (the service's own flush job sends it otherwise); `clock` is injectable for tests."""
    flask = require("flask", "the web app")
    flask_wtf = require("flask_wtf", "the web app's CSRF protection")
    require("flask_limiter", "the web app's rate-limited sign-in")
    from flask_limiter import Limiter
    from flask_limiter.util import get_remote_address

    from monitor.web import auth, incidents, pages

    app = flask.Flask(__name__)
    web = config.monitor.web
    app.config.update(
        SECRET_KEY=secret,
        SESSION_COOKIE_NAME="iom3_session",
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_HTTPONLY=True,
        # Lax, not Strict: a signed-in person tapping a link in an email arrives signed in.
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=web.session_hours),
        WTF_CSRF_TIME_LIMIT=web.session_hours * 3600,
        MAX_CONTENT_LENGTH=64 * 1024,
        RATELIMIT_STORAGE_URI="memory://",
        RATELIMIT_HEADERS_ENABLED=True,
    )
    if test_config:
        app.config.update(test_config)
    app.jinja_env.autoescape = True  # every template, whatever its name: post text is hostile
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True
    app.extensions["iom3"] = {
        "config": config,
        "sessions": sessions,
        "secret": secret,
        "clock": clock,
        "send_outbox": send_outbox or (lambda: None),
    }
    flask_wtf.CSRFProtect(app)
    limiter = Limiter(get_remote_address, app=app, default_limits=[])
    if web.behind_proxy:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]

    app.register_blueprint(auth.bp)
    app.register_blueprint(incidents.bp)
    app.register_blueprint(pages.bp)
    # Per client address; the per-address cap on emails is in auth.send_link.
    for endpoint, limit in (
        ("auth.send_link", "5 per 15 minutes; 30 per day"),
        ("auth.finish_sign_in", "20 per 15 minutes"),
        ("incidents.link_action", "20 per 15 minutes"),
    ):
        app.view_functions[endpoint] = limiter.limit(limit)(app.view_functions[endpoint])
    app.before_request(auth.load_signed_in_person)
    app.teardown_appcontext(_close_session)
    from monitor.web import views

    views.install(app)

    @app.after_request
    def _headers(response):  # noqa: ANN001, ANN202
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        # Signed links are in URLs: never hand them to another site in a Referer. Same-origin
        # requests keep it: Flask-WTF checks it on HTTPS forms (WTF_CSRF_SSL_STRICT).
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Cache-Control"] = "no-store"
        if flask.request.is_secure:
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        return response

    return app


def _close_session(_exc: BaseException | None) -> None:
    from flask import g

    session = g.pop("db", None)
    if session is not None:
        session.close()
