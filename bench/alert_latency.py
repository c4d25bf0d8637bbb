"""Alert latency and pile-on volume, through a real SMTP server on loopback (aiosmtpd).

    python bench/alert_latency.py [--incidents 1000] [--pile-on 500] [--database URL]

1. Latency: for each of N new incidents, from the flagged mention being committed to the store to
   the SMTP server accepting its email, through the real steps (score, route, notify, outbox flush
   over SMTP). Prints the median, the 95th percentile and the worst.
2. Pile-on: M posts on one thread over three simulated hours, the monitor passing every minute:
   how many emails the Communications Executive gets (goal: one opening plus a handful of updates).
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiosmtpd.controller import Controller  # noqa: E402
from sqlalchemy import update  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402

from alerts.incidents import notify_due, route_pending  # noqa: E402
from alerts.outbox import flush  # noqa: E402
from alerts.transports.smtp import SmtpTransport  # noqa: E402
from monitor.channels import ChannelDirectory  # noqa: E402
from monitor.config import SmtpSection, load_config  # noqa: E402
from monitor.models import Mention  # noqa: E402
from monitor.pipeline import score_pending  # noqa: E402
from monitor.schema import Incident  # noqa: E402
from monitor.scoring import Scorer  # noqa: E402
from monitor.store import make_engine, migrate, save_batch  # noqa: E402

SAFEGUARDING = "I'm 15 and a man from the materials club keeps asking me to send pics"
CRISIS = "Boycott the IOM3 awards. This sponsorship is a scandal and a disgrace."


class Stopwatch:
    """The SMTP server's side: when each Message-ID arrived."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        for line in envelope.content.split(b"\r\n"):
            if line.lower().startswith(b"message-id:"):
                self.arrived[line.split(b":", 1)[1].strip().decode()] = time.perf_counter()
                break
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def mention(n: int, text: str, thread: str, at: datetime) -> Mention:
    return Mention(
        platform="x",
        platform_id=str(10_000_000 + n),
        author_handle=f"user{n}",
        text=text,
        created_at=at,
        thread_id=thread,
        author_reach=200,
        url=f"https://x.com/u/status/{n}",
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--incidents", type=int, default=1000)
    parser.add_argument("--pile-on", type=int, default=500)
    parser.add_argument("--database", help="default: a fresh SQLite file")
    args = parser.parse_args()

    config = load_config()
    url = args.database or f"sqlite:///{tempfile.mkdtemp(prefix='bench-alerts-')}/alerts.db"
    engine = make_engine(url)
    migrate(engine)
    sessions = sessionmaker(engine, expire_on_commit=False)
    directory = ChannelDirectory(config)
    scorer = Scorer(config.lexicons, config.monitor.scoring)
    watch = Stopwatch()
    port = free_port()
    controller = Controller(watch, hostname="127.0.0.1", port=port)
    controller.start()
    transport = SmtpTransport(SmtpSection(host="127.0.0.1", port=port, security="none"))
    try:
        # 1. latency, one new incident at a time
        latencies = []
        now = datetime.now(UTC)
        for n in range(args.incidents):
            started = time.perf_counter()
            with sessions.begin() as session:
                save_batch(
                    session,
                    connector="bench",
                    mentions=[mention(n, SAFEGUARDING, f"t{n}", now)],
                    cursor={},
                    directory=directory,
                )
            score_pending(sessions, config, scorer)
            route_pending(sessions, config)
            notify_due(sessions, config)
            before = set(watch.arrived)
            flush(sessions, transport, now=datetime.now(UTC))
            (arrived,) = [watch.arrived[k] for k in set(watch.arrived) - before]
            latencies.append((arrived - started) * 1000)
        latencies.sort()
        print(
            f"alert latency over {len(latencies)} incidents (mention committed -> SMTP server accepted), "
            f"{engine.dialect.name}:"
        )
        print(
            f"  median {statistics.median(latencies):.1f} ms, 95th percentile "
            f"{latencies[int(len(latencies) * 0.95) - 1]:.1f} ms, worst {latencies[-1]:.1f} ms"
        )

        # 2. a pile-on on one thread over three hours, the monitor passing every simulated minute.
        # The latency incidents are acknowledged first, as a comms officer would, so their repeat
        # emails do not count here.
        with sessions.begin() as session:
            session.execute(update(Incident).values(status="acknowledged"))
        received_before = len(watch.arrived)
        start = datetime.now(UTC) + timedelta(days=1)
        clock_now = [start]
        minute_of = [i * 180 // args.pile_on for i in range(args.pile_on)]
        for minute in range(200):
            clock_now[0] = start + timedelta(minutes=minute)
            batch = [
                mention(1_000_000 + i, CRISIS, "pileon", clock_now[0])
                for i, m in enumerate(minute_of)
                if m == minute
            ]
            if batch:
                with sessions.begin() as session:
                    save_batch(session, connector="bench", mentions=batch, cursor={}, directory=directory)
            score_pending(sessions, config, scorer, clock=lambda: clock_now[0])
            route_pending(sessions, config, clock=lambda: clock_now[0])
            notify_due(sessions, config, clock=lambda: clock_now[0])
            flush(sessions, transport, now=clock_now[0])
        emails = len(watch.arrived) - received_before
        interval = next(r for r in config.routing.route if "crisis" in r.categories).timing(
            config.routing.timing
        )
        print(
            f"\npile-on: {args.pile_on} posts on one thread over three hours -> {emails} emails "
            f"(the opening, then an update at most every {interval.group_interval} minutes)"
        )
    finally:
        transport.close()
        controller.stop()


if __name__ == "__main__":
    main()
