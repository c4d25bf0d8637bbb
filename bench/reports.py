"""Digest, audit and report card time and peak memory on a month of heavy traffic, SQLite and
PostgreSQL.

    python bench/reports.py [--days 30] [--per-day 10000] [--backends sqlite,postgresql]

Loads days x per-day generated mentions (with assessments, some flagged) straight into a fresh
database, then times one digest (for the last day, with its week of charts), one audit (the
whole month) and the report cards of the committees that opted in (config/accounts.toml), for the
last day's month, each built and rendered. Each backend runs in a process of its own so its
peak memory is its own.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scratch_db import scratch_engine  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402

from monitor.config import load_config  # noqa: E402
from monitor.reports.audit import build_audit  # noqa: E402
from monitor.reports.digest import build_digest, render  # noqa: E402
from monitor.schema import AssessmentRow, MentionRow  # noqa: E402
from monitor.services.report_cards import opted_in, produce_report_card  # noqa: E402

TEXTS = [
    "Great IOM3 lecture tonight",
    "Still waiting for my refund, unacceptable",
    "Looking forward to the IoM3 dinner",
    "Boycott the awards, a scandal",
    "IOM3 careers fair tomorrow",
    "Reading Materials World on the train",
]
FLAGS = {1: "complaint", 2: "brand_name", 3: "crisis"}


def load(engine, days: int, per_day: int, end: datetime) -> None:  # noqa: ANN001
    rng = random.Random(3)
    handles = [f"user{i}" for i in range(5000)] + ["IOM3_YMC", "IOM3Packaging", "iom3_wim"]
    start = end - timedelta(days=days)
    mention_id = 0
    with engine.begin() as conn:
        for day in range(days):
            mentions, assessments = [], []
            for _ in range(per_day):
                mention_id += 1
                at = start + timedelta(days=day, seconds=rng.randint(0, 86_399))
                choice = rng.randrange(len(TEXTS))
                handle = rng.choice(handles)
                mentions.append(
                    {
                        "id": mention_id,
                        "platform": rng.choice(("x", "facebook", "instagram", "linkedin")),
                        "platform_id": str(mention_id),
                        "source": "bench",
                        "author_handle": handle,
                        "author_name": "",
                        "author_reach": rng.randint(0, 50_000),
                        "channel_kind": "asv_committee" if handle.lower().startswith("iom3") else "public",
                        "url": f"https://x.com/u/status/{mention_id}",
                        "text": TEXTS[choice],
                        "lang": "en",
                        "created_at": at,
                        "thread_id": str(mention_id),
                        "in_reply_to_id": None,
                        "is_official": False,
                        "raw": {},
                        "ingested_at": at,
                    }
                )
                flag = FLAGS.get(choice)
                assessments.append(
                    {
                        "mention_id": mention_id,
                        "scorer_version": "bench",
                        "sentiment": rng.uniform(-1, 1),
                        "scores": {},
                        "flagged": flag is not None,
                        "created_at": at,
                        "routed_at": at,
                        "flags": [
                            {
                                "category": flag,
                                "score": 0.7,
                                "clause": "c",
                                "evidence": [{"kind": "term", "text": "word", "start": 0, "end": 4}],
                            }
                        ]
                        if flag
                        else [],
                    }
                )
            conn.execute(MentionRow.__table__.insert(), mentions)
            conn.execute(AssessmentRow.__table__.insert(), assessments)


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_backend(backend: str, days: int, per_day: int) -> dict:
    config = load_config()
    with scratch_engine(backend) as engine:
        end = datetime(2026, 11, 23, tzinfo=UTC)
        t0 = time.perf_counter()
        load(engine, days, per_day, end)
        loaded = time.perf_counter() - t0
        if backend == "postgresql":
            with engine.begin() as conn:
                conn.execute(text("ANALYZE"))
        before = peak_mib()
        sessions = sessionmaker(engine, expire_on_commit=False)
        t1 = time.perf_counter()
        with sessions() as session:
            digest = build_digest(session, config, (end - timedelta(days=1)).date())
        rendered = render(digest, config)
        t2 = time.perf_counter()
        with sessions() as session:
            audit = build_audit(session, config, since=end - timedelta(days=days), until=end)
        t3 = time.perf_counter()
        month = (end - timedelta(days=1)).date().replace(day=1)
        cards = [produce_report_card(sessions, config, account, month) for account in opted_in(config)]
        t4 = time.perf_counter()
        return {
            "backend": backend,
            "mentions": days * per_day,
            "load_s": loaded,
            "digest_s": t2 - t1,
            "audit_s": t3 - t2,
            "day_total": digest.total,
            "charts": len(rendered.charts),
            "findings": len(audit.findings),
            "cards_s": t4 - t3,
            "cards": len(cards),
            "card_posts": sum(c.card.activity.posts for c in cards),
            "peak_before_mib": before,
            "peak_mib": peak_mib(),
        }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--per-day", type=int, default=10_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_backend(args.one, args.days, args.per_day)))
        return
    print(f"reports benchmark: {args.days} days x {args.per_day:,} mentions a day, one process per backend")
    for backend in args.backends.split(","):
        done = subprocess.run(
            [
                sys.executable,
                __file__,
                "--days",
                str(args.days),
                "--per-day",
                str(args.per_day),
                "--one",
                backend,
            ],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            print(f"{backend}: failed\n{done.stderr[-2000:]}")
            continue
        r = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"\n{backend}: {r['mentions']:,} mentions loaded in {r['load_s']:.1f} s")
        print(f"  digest (last day, {r['day_total']:,} mentions, week charts): {r['digest_s']:.2f} s")
        print(
            f"  audit (the month, every registered account): {r['audit_s']:.2f} s, {r['findings']} findings"
        )
        print(
            f"  report cards ({r['cards']} committees, {r['card_posts']:,} of their posts that month): "
            f"{r['cards_s']:.2f} s"
        )
        print(f"  peak RSS: {r['peak_mib']:.0f} MiB ({r['peak_before_mib']:.0f} MiB after loading)")


if __name__ == "__main__":
    main()
