"""What the platform connectors share: retries with backoff, provenance, the token."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import requests
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

from connectors.base import NotConfigured, PlatformSettings, RetriableError
from monitor.redact import redact
from monitor.secrets import MissingSecret, Secret, read_secret

T = TypeVar("T")
Sleep = Callable[[float], None]


def is_transient(exc: BaseException) -> bool:
    """Worth an immediate retry: a 5xx, a timeout, a dropped connection. Not a rate limit."""
    from connectors.base import RateLimited

    if isinstance(exc, RateLimited):
        return False  # waiting minutes is the scheduler's job, not a retry loop's
    if isinstance(exc, requests.ConnectionError | requests.Timeout):
        return True
    return isinstance(exc, TransientHTTPError)


class TransientHTTPError(RetriableError):
    """A 5xx or an unreadable response: retried a few times, then reported."""


def with_retries(call: Callable[[], T], settings: PlatformSettings, *, sleep: Sleep = time.sleep) -> T:
    """Run `call`, retrying transient failures with capped exponential backoff and jitter."""
    retrying = Retrying(
        stop=stop_after_attempt(settings.retries),
        wait=wait_exponential_jitter(initial=1, max=30, jitter=1),
        retry=retry_if_exception(is_transient),
        sleep=sleep,
        reraise=True,
    )
    try:
        return retrying(call)
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise TransientHTTPError(
            f"network error after {settings.retries} tries: {type(exc).__name__}",
            fix="check this machine's connection; the next run tries again",
        ) from exc


def platform_token(settings: PlatformSettings, platform: str) -> Secret:
    try:
        return read_secret(settings.token_env, purpose=f"the {platform} connector")
    except MissingSecret as exc:
        raise NotConfigured(
            f"{platform}: no token",
            fix=f"set the environment variable {settings.token_env} (see README, 'Connecting the "
            "platforms'), or set enabled = false for it in config/monitor.toml",
        ) from exc


def provenance(connector: str, url: str, client: str) -> dict[str, Any]:
    """Stamped on every raw payload: where and when it came from, and through what."""
    return {
        "connector": connector,
        "request_url": redact(url),
        "client": client,
        "retrieved_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
