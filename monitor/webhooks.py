"""The Meta webhook endpoint's edges: the queue table, and a small server of its own.

    IOM3_META_APP_SECRET=... IOM3_META_VERIFY_TOKEN=... python -m monitor.webhooks --port 8085

The request handling itself is connectors/meta_webhooks.py:handle, a plain function, so the
triage web app can mount the same function later; this module gives it the database queue and,
until that app exists, a WSGI server (wsgiref) to run behind the TLS proxy Meta requires.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl
from wsgiref.simple_server import make_server

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from connectors.meta_webhooks import QueuedObject, Reply, handle
from monitor.schema import WebhookEvent, utcnow
from monitor.secrets import read_secret

APP_SECRET_ENV = "IOM3_META_APP_SECRET"
VERIFY_TOKEN_ENV = "IOM3_META_VERIFY_TOKEN"
MAX_BODY = 1_000_000  # Meta batches up to 1,000 changes; a megabyte is plenty and bounds memory
log = logging.getLogger(__name__)


def enqueue(sessions: sessionmaker[Session], objects: list[QueuedObject]) -> int:
    """Queue each object once: one already queued (a repeated delivery) adds nothing."""
    from monitor.store import dialect_insert  # the dialect's INSERT ... ON CONFLICT DO NOTHING

    if not objects:
        return 0
    with sessions.begin() as session:
        rows = [
            {
                "platform": o.platform,
                "kind": o.kind,
                "object_id": o.object_id,
                "account_id": o.account_id,
                "payload": o.payload,
                "received_at": utcnow(),
            }
            for o in dict.fromkeys(objects)
        ]
        statement = dialect_insert(session)(WebhookEvent).values(rows).on_conflict_do_nothing()
        return session.execute(statement).rowcount or 0


def pending(session: Session, platform: str) -> list[dict[str, Any]]:
    """What the platform's connector should fetch on this run (handed to it in its cursor)."""
    rows = session.scalars(
        select(WebhookEvent)
        .where(WebhookEvent.platform == platform, WebhookEvent.fetched_at.is_(None))
        .order_by(WebhookEvent.id)
    )
    return [
        {
            "queue_id": r.id,
            "kind": r.kind,
            "object_id": r.object_id,
            "account_id": r.account_id,
            "value": r.payload,
        }
        for r in rows
    ]


def acknowledge(session: Session, queue_ids: Iterable[int]) -> None:
    """Mark queued objects fetched, in the transaction that stores their mentions."""
    if ids := list(queue_ids):
        session.execute(update(WebhookEvent).where(WebhookEvent.id.in_(ids)).values(fetched_at=utcnow()))


def wsgi_app(
    sessions: sessionmaker[Session], *, app_secret: bytes, verify_token: str
) -> Callable[[dict[str, Any], Callable[..., Any]], list[bytes]]:
    """A WSGI application around `handle`, queueing into `sessions`' database."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if length > MAX_BODY:
            reply = Reply(413, "too large")
        else:
            raw = environ["wsgi.input"].read(length) if length else b""
            headers = {k[5:].replace("_", "-"): v for k, v in environ.items() if k.startswith("HTTP_")}
            reply = handle(
                environ["REQUEST_METHOD"],
                dict(parse_qsl(environ.get("QUERY_STRING", ""))),
                headers,
                raw,
                app_secret=app_secret,
                verify_token=verify_token,
                enqueue=lambda objects: enqueue(sessions, objects),
            )
        log.info("event=webhook status=%d", reply.status)  # never the body: it holds posts
        body = reply.body.encode()
        start_response(
            f"{reply.status} {_REASONS.get(reply.status, '')}",
            [("Content-Type", reply.content_type), ("Content-Length", str(len(body)))],
        )
        return [body]

    return app


_REASONS = {200: "OK", 400: "Bad Request", 403: "Forbidden", 405: "Method Not Allowed", 413: "Too Large"}


def main(argv: list[str] | None = None) -> int:
    from monitor.config import load_config
    from monitor.store import open_store

    parser = argparse.ArgumentParser(prog="python -m monitor.webhooks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1", help="listen here (put a TLS proxy in front)")
    parser.add_argument("--port", type=int, default=8085)
    parser.add_argument("--config", help="config folder (default: the project's config/)")
    args = parser.parse_args(argv)
    config = load_config(args.config)
    secret = read_secret(APP_SECRET_ENV, purpose="verifying Meta webhook signatures")
    token = read_secret(VERIFY_TOKEN_ENV, purpose="answering Meta's webhook verification")
    app = wsgi_app(open_store(config), app_secret=secret.reveal().encode(), verify_token=token.reveal())
    with make_server(args.host, args.port, app) as server:
        print(f"Meta webhooks on http://{args.host}:{args.port}/ (Ctrl-C stops)")
        server.serve_forever()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
