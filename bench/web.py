"""Web app page times with a big store: the inbox and the incident page, SQLite and PostgreSQL.

    python bench/web.py [--mentions 100000] [--incidents 5000] [--requests 200] [--backends sqlite,postgresql]

Loads generated mentions (each with an assessment) into a fresh database, groups them into
incidents (open, acknowledged and resolved; mentions spread evenly), signs in through the
emailed-link flow, then requests each page through Flask's test client (the whole app: routing,
queries, templates, security headers; no network) and prints the median and the 95th
percentile. The inbox shows one page of [web] page_size incidents, so its time should not grow
with the store; a deep page (the last) is timed too.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from email import message_from_string, policy
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scratch_db import scratch_engine  # noqa: E402
from sqlalchemy import select, text  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402

from monitor.config import load_config  # noqa: E402
from monitor.schema import AssessmentRow, Incident, IncidentMention, MentionRow, OutboxMessage  # noqa: E402

TEXTS = [
    "Still waiting for my refund, unacceptable @iom3",
    "Boycott the awards, a scandal",
    "IOM3 careers fair tomorrow",
    "No reply to my complaint after three weeks",
]
CATEGORIES = ("complaint", "crisis", "harassment", "defamation", "political")
SECRET = "bench-secret-" + "x" * 32
HTTPS = {"base_url": "https://monitor.bench", "headers": {"Referer": "https://monitor.bench/"}}


def load(engine, mentions: int, incidents: int, end: datetime) -> None:  # noqa: ANN001
    rng = random.Random(5)
    start = end - timedelta(days=30)
    per_incident = max(1, mentions // incidents)
    batch = 10_000
    with engine.begin() as conn:
        for first in range(1, mentions + 1, batch):
            rows, assessments = [], []
            for mention_id in range(first, min(first + batch, mentions + 1)):
                at = start + timedelta(seconds=rng.randint(0, 30 * 86_400))
                body = TEXTS[mention_id % len(TEXTS)]
                thread = (mention_id - 1) // per_incident
                rows.append(
                    {
                        "id": mention_id,
                        "platform": ("x", "facebook", "instagram", "linkedin")[thread % 4],
                        "platform_id": str(mention_id),
                        "source": "bench",
                        "author_handle": f"user{rng.randrange(20_000)}",
                        "author_name": "",
                        "author_reach": rng.randint(0, 50_000),
                        "channel_kind": "public",
                        "url": f"https://x.com/u/status/{mention_id}",
                        "text": body,
                        "lang": "en",
                        "created_at": at,
                        "thread_id": f"t{thread}",
                        "in_reply_to_id": None,
                        "is_official": False,
                        "raw": {},
                        "ingested_at": at,
                    }
                )
                category = CATEGORIES[thread % len(CATEGORIES)]
                assessments.append(
                    {
                        "mention_id": mention_id,
                        "scorer_version": "bench",
                        "sentiment": rng.uniform(-1, 0),
                        "scores": {category: 0.7},
                        "flagged": True,
                        "created_at": at,
                        "routed_at": at,
                        "flags": [
                            {
                                "category": category,
                                "score": 0.7,
                                "clause": "c",
                                "evidence": [{"kind": "term", "text": body[:5], "start": 0, "end": 5}],
                            }
                        ],
                    }
                )
            conn.execute(MentionRow.__table__.insert(), rows)
            conn.execute(AssessmentRow.__table__.insert(), assessments)
        incident_rows, links = [], []
        for number in range(incidents):
            first_mention = number * per_incident + 1
            opened = start + timedelta(minutes=number * 8)
            incident_rows.append(
                {
                    "id": number + 1,
                    "category": CATEGORIES[number % len(CATEGORIES)],
                    "severity": ("immediate", "same_day")[number % 2],
                    "role": "communications_executive",
                    "clause": "Complaint handling",
                    "thread_key": f"{('x', 'facebook', 'instagram', 'linkedin')[number % 4]}:t{number}",
                    "status": ("open", "acknowledged", "resolved", "resolved")[number % 4],
                    "opened_at": opened,
                    "updated_at": opened,
                    "mention_count": per_incident,
                    "first_mention_id": first_mention,
                    "route": "bench",
                    "level": "high" if number % 10 == 0 else "normal",
                    "group_wait": 0,
                    "group_interval": 30,
                    "repeat_interval": 240,
                    "notified_count": per_incident,
                    "acknowledged_by": "",
                    "history": [{"at": opened.isoformat(timespec="seconds"), "what": "opened"}],
                    "topic_terms": [],
                    "assigned_to": "",
                    "outcome": "",
                }
            )
            links += [
                {"incident_id": number + 1, "mention_id": m, "added_at": opened}
                for m in range(first_mention, min(first_mention + per_incident, mentions + 1))
            ]
        conn.execute(Incident.__table__.insert(), incident_rows)
        for first in range(0, len(links), batch):
            conn.execute(IncidentMention.__table__.insert(), links[first : first + batch])


def signed_in_client(app, sessions):  # noqa: ANN001, ANN201
    client = app.test_client()
    form = client.get("/sign-in", **HTTPS).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    client.post("/sign-in", data={"email": "kovida.mehra@iom3.org", "csrf_token": token}, **HTTPS)
    with sessions() as session:
        payload = session.scalars(select(OutboxMessage.payload).order_by(OutboxMessage.id.desc())).first()
    body = message_from_string(payload, policy=policy.default).get_body(("plain",)).get_content()
    link = re.search(r"https://monitor\.bench(/sign-in/\S+)", body).group(1)
    page = client.get(link, **HTTPS).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post(link, data={"csrf_token": token}, **HTTPS).status_code == 302
    return client


def timed(client, paths: list[str]) -> list[float]:  # noqa: ANN001
    times = []
    for path in paths:
        t0 = time.perf_counter()
        response = client.get(path, **HTTPS)
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return times


def run_backend(backend: str, mentions: int, incidents: int, requests: int) -> dict:
    from monitor.web import create_app

    config = load_config()
    web = config.monitor.web.model_copy(update={"base_url": "https://monitor.bench"})
    config = config.with_overrides(web=web)
    os.environ[web.secret_env] = SECRET
    with scratch_engine(backend) as engine:
        t0 = time.perf_counter()
        load(engine, mentions, incidents, datetime(2026, 11, 23, tzinfo=UTC))
        loaded = time.perf_counter() - t0
        if backend == "postgresql":
            with engine.begin() as conn:
                conn.execute(text("ANALYZE"))
        sessions = sessionmaker(engine, expire_on_commit=False)
        app = create_app(config, sessions, secret=SECRET)
        client = signed_in_client(app, sessions)
        rng = random.Random(9)
        pages = -(-incidents // 4 // web.page_size)  # open incidents are a quarter
        result = {"backend": backend, "mentions": mentions, "incidents": incidents, "load_s": loaded}
        for name, paths in {
            "inbox (open, page 1)": ["/incidents"] * requests,
            "inbox (resolved, filtered by category)": ["/incidents?status=resolved&category=complaint"]
            * requests,
            f"inbox (open, last page {pages})": [f"/incidents?page={pages}"] * requests,
            "incident page (random incident)": [
                f"/incidents/{rng.randint(1, incidents)}" for _ in range(requests)
            ],
        }.items():
            timed(client, paths[:3])  # warm the caches: templates compile once
            times = sorted(timed(client, paths))
            result[name] = {
                "median": statistics.median(times),
                "p95": times[max(0, int(len(times) * 0.95) - 1)],
            }
        return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mentions", type=int, default=100_000)
    parser.add_argument("--incidents", type=int, default=5_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_backend(args.one, args.mentions, args.incidents, args.requests)))
        return
    print(
        f"web benchmark: {args.mentions:,} mentions in {args.incidents:,} incidents, "
        f"{args.requests} requests per page, Flask test client (no network)"
    )
    for backend in args.backends.split(","):
        done = subprocess.run(
            [sys.executable, __file__, "--mentions", str(args.mentions), "--incidents", str(args.incidents)]
            + ["--requests", str(args.requests), "--one", backend],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            print(f"{backend}: failed\n{done.stderr[-2000:]}")
            sys.exit(1)
        r = json.loads(done.stdout.strip().splitlines()[-1])
        loaded = f"{r['mentions']:,} mentions, {r['incidents']:,} incidents loaded in {r['load_s']:.1f} s"
        print(f"\n{backend}: {loaded}")
        for name, figures in r.items():
            if isinstance(figures, dict):
                print(f"  {name}: median {figures['median']:.1f} ms, p95 {figures['p95']:.1f} ms")


if __name__ == "__main__":
    main()
