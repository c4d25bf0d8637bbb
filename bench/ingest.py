"""Ingest throughput and memory: N generated mentions through the store and the scorer.

    python bench/ingest.py                 # 200,000 mentions, SQLite then PostgreSQL
    python bench/ingest.py --n 50000 --backends sqlite
    python bench/ingest.py --images 2      # each mention carrying two images (`media` rows, #16)

Each backend runs in a process of its own so its peak memory is its own. Resident memory is
sampled at each quarter of the stream: flat figures mean ingest is streaming (memory does not
grow with N). Reported figures are in the closing note of the backbone issue.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scratch_db import scratch_engine  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402

from connectors.base import Batch, Connector, ConnectorSettings, Cursor  # noqa: E402
from monitor.channels import ChannelDirectory  # noqa: E402
from monitor.config import load_config  # noqa: E402
from monitor.models import MediaRef, Mention  # noqa: E402
from monitor.pipeline import CHUNK, ingest, score_pending  # noqa: E402
from monitor.scoring import Context, Scorer  # noqa: E402

OPENINGS = [
    "Great talk at the IOM3 lecture",
    "@iom3 still waiting for my certificate",
    "Reading Materials World on the train",
    "Is the IOM3 website not working again?",
    "Congratulations to the new IOM3 Fellows",
    "Unacceptable, charged twice for the dinner",
    "Anyone going to the IOM3 conference",
    "Loved the webinar on battery recycling",
]
WORDS = (
    "steel alloy ceramic polymer mining timber corrosion furnace members lecture award "
    "students mentor chartered packaging recycling hydrogen composites"
).split()


def rss_mib() -> tuple[float, float]:
    """(current, peak) resident set size of this process, in MiB, from /proc."""
    fields = dict(
        line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line
    )
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


class GeneratedConnector(Connector):
    """A deterministic stream of realistic-looking mentions, never held in memory at once."""

    name = "generated"

    def __init__(self, config, n: int, batch_size: int = 1000, images: int = 0) -> None:
        super().__init__(ConnectorSettings(), config.watch_list())
        self.n, self.batch_size, self.images = n, batch_size, images
        self.samples: list[tuple[int, float, float]] = []

    def fetch(self, cursor: Cursor | None) -> Iterator[Batch]:
        rng = random.Random(7)
        start = datetime(2026, 11, 1, tzinfo=UTC)
        quarter = max(self.n // 4, 1)
        batch: list[Mention] = []
        for i in range(self.n):
            body = " ".join(rng.choices(WORDS, k=rng.randint(4, 30)))
            batch.append(
                Mention(
                    platform=rng.choice(("x", "facebook", "instagram", "linkedin")),
                    platform_id=str(i),
                    author_handle=f"user{rng.randint(1, 50_000)}",
                    text=f"{rng.choice(OPENINGS)} {body}",
                    created_at=start + timedelta(seconds=i * 13),
                    author_reach=rng.randint(0, 100_000),
                    thread_id=str(i // 20),
                    url=f"https://x.com/u/status/{i}",
                    raw={"id": i, "lang": "en"},
                    media=tuple(
                        MediaRef(f"https://pbs.twimg.com/media/G{i}x{k}.jpg", "image", "alt text")
                        for k in range(self.images)
                    ),
                )
            )
            if len(batch) == self.batch_size or i == self.n - 1:
                yield Batch(batch, {"n": i + 1})
                batch = []
            if (i + 1) % quarter == 0:
                self.samples.append((i + 1, *rss_mib()))


def scorer_alone(config, scorer: Scorer, n: int) -> float:
    """Seconds the scorer alone takes on the same mentions, in the pipeline's chunks (no store)."""
    chunks = [
        (
            [m.text for m in batch.mentions],
            [
                Context(
                    platform=m.platform,
                    channel_kind="public",
                    author_reach=m.author_reach,
                    created_at=m.created_at,
                    high_reach_followers=config.monitor.scoring.high_reach_followers,
                    author=f"{m.author_handle} {m.author_name}",  # as pipeline.context_for gives it
                )
                for m in batch.mentions
            ],
        )
        for batch in GeneratedConnector(config, n, batch_size=CHUNK).fetch(None)
    ]
    t0 = time.perf_counter()
    for texts, contexts in chunks:
        scorer.assess_many(texts, contexts)
    return time.perf_counter() - t0


def run_backend(backend: str, n: int, images: int = 0) -> dict:
    config = load_config()
    with scratch_engine(backend) as engine:
        sessions = sessionmaker(engine, expire_on_commit=False)
        connector = GeneratedConnector(config, n, images=images)
        baseline = rss_mib()[0]
        # Built once, as the daemon does: loading the model is not part of reading and writing.
        scorer = Scorer(config.lexicons, config.monitor.scoring)
        t0 = time.perf_counter()
        result = ingest(sessions, connector, ChannelDirectory(config))
        t1 = time.perf_counter()
        scored = score_pending(sessions, config, scorer)
        t2 = time.perf_counter()
        assert result.stored == n and scored == n, (result, scored)
        alone = scorer_alone(config, scorer, n)
        return {
            "scorer_alone_s": alone,
            "backend": backend,
            "n": n,
            "store_s": t1 - t0,
            "score_s": t2 - t1,
            "baseline_mib": baseline,
            "quarters": connector.samples,
            "peak_mib": rss_mib()[1],
        }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--images", type=int, default=0, help="images (media rows) per mention")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: run one backend, print JSON
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_backend(args.one, args.n, args.images)))
        return
    print(
        f"ingest benchmark: {args.n:,} generated mentions with {args.images} image(s) each, "
        "store then scorer, one process each"
    )
    for backend in args.backends.split(","):
        command = [
            sys.executable,
            __file__,
            "--n",
            str(args.n),
            "--images",
            str(args.images),
            "--one",
            backend,
        ]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            print(f"{backend}: failed\n{done.stderr[-2000:]}")
            continue
        r = json.loads(done.stdout.strip().splitlines()[-1])
        total = r["store_s"] + r["score_s"]
        print(f"\n{backend}")
        print(f"  store : {r['n'] / r['store_s']:>9,.0f} mentions/s ({r['store_s']:.1f} s)")
        print(f"  score : {r['n'] / r['score_s']:>9,.0f} mentions/s ({r['score_s']:.1f} s)")
        print(
            f"  scorer alone on the same texts: {r['n'] / r['scorer_alone_s']:>9,.0f} mentions/s; the "
            f"pipeline's scoring step runs at {r['scorer_alone_s'] / r['score_s']:.0%} of it (goal: 70%)"
        )
        print(f"  total : {r['n'] / total:>9,.0f} mentions/s ({total:.1f} s)")
        quarters = ", ".join(f"{k:,}: {cur:.0f}" for k, cur, _ in r["quarters"])
        print(f"  RSS MiB at mentions ingested (baseline {r['baseline_mib']:.0f}): {quarters}")
        print(f"  peak RSS MiB: {r['peak_mib']:.0f}")


if __name__ == "__main__":
    main()
