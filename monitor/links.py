"""Signed links: the emailed sign-in link and the one-tap links in alert emails.

A link carries its purpose, the address it was sent to, an expiry and a random nonce, signed
with the web secret (itsdangerous). The expiry is inside the signed payload, stamped from the
caller's clock, so tests move time instead of waiting. Each link works once: its nonce is
stored when it is used (`used_links`), and a second use is refused.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from monitor.config import Config

log = logging.getLogger(__name__)
SALT = "iom3-monitor-link"
MIN_SECRET = 32
ACTIONS = ("acknowledge", "open")


class SecretMissing(RuntimeError):
    """The signing secret is not in the environment (or is too short to be one)."""


class LinkRefused(ValueError):
    """A link that is tampered with, expired or already used. `reason` is shown to the reader."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True, slots=True)
class LinkClaim:
    purpose: str  # "sign-in" or an alert action ("acknowledge", "open")
    email: str
    expires: datetime
    nonce: str
    incident_id: int | None = None
    next: str = "/"


def web_secret(config: Config) -> str:
    """The signing secret from the environment variable [web] secret_env names."""
    name = config.monitor.web.secret_env
    value = os.environ.get(name, "")
    if len(value) < MIN_SECRET:
        raise SecretMissing(
            f"set the environment variable {name} to a random secret of at least {MIN_SECRET} "
            f"characters (e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`); "
            "it signs sign-in links, email links and session cookies"
        )
    return value


def _serializer(secret: str):  # noqa: ANN202 - itsdangerous is imported only here
    from itsdangerous import URLSafeSerializer

    return URLSafeSerializer(secret, salt=SALT)


def make_token(
    secret: str,
    *,
    purpose: str,
    email: str,
    expires: datetime,
    incident_id: int | None = None,
    next: str = "/",
) -> str:
    """A signed, URL-safe token for one link."""
    payload = {
        "p": purpose,
        "e": email.lower(),
        "x": int(expires.timestamp()),
        "n": secrets.token_urlsafe(16),
    }
    if incident_id is not None:
        payload["i"] = incident_id
    if next != "/":
        payload["r"] = next
    return _serializer(secret).dumps(payload)


def read_token(secret: str, token: str, *, now: datetime) -> LinkClaim:
    """The claim in `token`, or LinkRefused when it is tampered with or expired (not when used:
    that needs the database, see monitor/web/auth.py)."""
    from itsdangerous import BadSignature

    try:
        payload = _serializer(secret).loads(token)
        expires = datetime.fromtimestamp(int(payload["x"]), tz=now.tzinfo)
        claim = LinkClaim(
            purpose=str(payload["p"]),
            email=str(payload["e"]),
            expires=expires,
            nonce=str(payload["n"]),
            incident_id=int(payload["i"]) if "i" in payload else None,
            next=str(payload.get("r", "/")),
        )
    except (BadSignature, KeyError, TypeError, ValueError):
        raise LinkRefused("This link is not valid: it may have been cut short or changed.") from None
    if expires <= now:
        raise LinkRefused("This link has expired.")
    return claim


def alert_links(config: Config, *, incident_id: int, email: str, now: datetime) -> dict[str, str] | None:
    """The one-tap links for an alert email to `email`, or None when [web] base_url is not set
    (or the secret is missing: then the email goes without links, and the log says why)."""
    base = config.monitor.web.base_url.rstrip("/")
    if not base:
        return None
    try:
        secret = web_secret(config)
    except SecretMissing as exc:
        log.warning("event=alert_links_skipped reason=%s", str(exc).split(";")[0])
        return None
    expires = now + timedelta(hours=config.monitor.web.action_link_hours)
    return {
        action: f"{base}/l/"
        + make_token(secret, purpose=action, email=email, expires=expires, incident_id=incident_id)
        for action in ACTIONS
    } | {"hours": str(config.monitor.web.action_link_hours)}


def safe_next(target: str | None) -> str:
    """A path on this site to go to after sign-in; anything else (another site, a scheme, a
    protocol-relative or backslashed path) becomes "/"."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    if any(ch in target for ch in "\\\r\n\t") or ":" in target.split("?", 1)[0]:
        return "/"
    return target


def safe_url(url: object) -> str:
    """A post's link if it is plain web (http/https), else "" (no javascript:, data:, ...).

    The one check for links taken from posts: web pages, alert emails, the digest and the audit."""
    url = url.strip() if isinstance(url, str) else ""
    return url if re.match(r"https?://\S", url, re.IGNORECASE) else ""
