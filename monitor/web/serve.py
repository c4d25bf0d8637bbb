"""Serving the web app: the address checks, then werkzeug's threaded server (`web`, or a thread
inside `run`)."""

from __future__ import annotations

import ipaddress
import logging
import ssl
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from monitor.config import Config
from monitor.schema import utcnow

log = logging.getLogger(__name__)


class UnsafeAddress(RuntimeError):
    """Serving on this address would send sign-in links and cookies in clear text."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_address(config: Config, host: str) -> None:
    """Refuse a non-loopback address unless TLS is set up here or a reverse proxy does it."""
    web = config.monitor.web
    if is_loopback(host) or web.behind_proxy or (web.tls_cert and web.tls_key):
        return
    raise UnsafeAddress(
        f"refusing to serve on {host}: it is not a loopback address and there is no TLS. Put it "
        "behind a reverse proxy that does TLS (deploy/Caddyfile, then [web] behind_proxy = true "
        'and host = "127.0.0.1") or set [web] tls_cert and tls_key in config/monitor.toml'
    )


def outbox_sender(config: Config, sessions: sessionmaker[Session]) -> Callable[[], None]:
    """Send what is waiting in the outbox now, in a thread (a sign-in link should not wait for
    the service's next flush, and the request should not wait for SMTP)."""
    import threading

    from alerts.outbox import flush
    from alerts.transports import transport_from_config

    def send() -> None:
        try:
            flush(sessions, transport_from_config(config), now=utcnow())
        except Exception:  # noqa: BLE001 - the service's flush job retries; log and carry on
            log.exception("event=web_outbox_flush_failed")

    return lambda: threading.Thread(target=send, name="web-outbox", daemon=True).start()


def make_server(
    config: Config,
    sessions: sessionmaker[Session],
    *,
    host: str | None = None,
    port: int | None = None,
    clock: Callable[[], datetime] = utcnow,
    send_outbox: Callable[[], None] | None = None,
):  # noqa: ANN201 - werkzeug is optional
    """A ready werkzeug server (call serve_forever / shutdown); raises UnsafeAddress or
    SecretMissing before binding anything."""
    from werkzeug.serving import make_server as werkzeug_server

    from monitor.links import web_secret
    from monitor.web import create_app

    web = config.monitor.web
    host = host or web.host
    check_address(config, host)
    secret = web_secret(config)
    app = create_app(
        config,
        sessions,
        secret=secret,
        clock=clock,
        send_outbox=send_outbox or outbox_sender(config, sessions),
    )
    context = None
    if web.tls_cert and web.tls_key:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(config.path(web.tls_cert), config.path(web.tls_key))
    return werkzeug_server(host, web.port if port is None else port, app, threaded=True, ssl_context=context)
