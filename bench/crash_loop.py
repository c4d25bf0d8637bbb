"""Kill -9 at random moments, restart, count what was lost or doubled (issue #12, "Done when").

Loop 1, start and ingest: `run_monitor.py once` on a fresh SQLite database replaying a file of
N generated mentions (5,000), killed with SIGKILL at random moments - many during the first
start's migration, the rest during the ingest - and restarted; every `--fresh-every` kills the
database is thrown away and started afresh. After each database's last kill a run goes to the
end, and the database is checked: integrity_check, every mention stored exactly once, the
replay cursor at the end of the file.

Loop 2, sending: M emails (200) queued in the outbox and flushed by a child process to an SMTP
server on loopback (aiosmtpd, accepting each message after a few milliseconds, as a real server
takes time), killed at random moments and restarted, then flushed to the end. Counted: emails
lost (never received), duplicates (received twice), how many of those the outbox counted as
resent after an unknown outcome (the RFC 1047 window: a duplicate must be one of these), and
whether every received copy carries a Message-ID the outbox issued.

    .venv/bin/python bench/crash_loop.py                       # 20 kills each, 5,000 and 200
    .venv/bin/python bench/crash_loop.py --kills 4 --mentions 300 --emails 30   # a quick look
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FLUSH_CHILD = """
import sys
from datetime import UTC, datetime
from sqlalchemy.orm import sessionmaker
from alerts.outbox import flush
from alerts.transports.smtp import SmtpTransport
from monitor.config import SmtpSection
from monitor.store import make_engine, migrate
engine = make_engine(sys.argv[1])
migrate(engine)
settings = SmtpSection(host="127.0.0.1", port=int(sys.argv[2]), security="none", timeout_seconds=30)
transport = SmtpTransport(settings)
result = flush(sessionmaker(engine, expire_on_commit=False), transport, now=datetime.now(UTC))
print("sent", result.sent, "failed", result.failed, "resent_unknown", result.resent_unknown)
"""


def _config(folder: Path, replay: Path) -> Path:
    config = folder / "config"
    shutil.copytree(ROOT / "config", config)
    toml = config / "monitor.toml"
    text = toml.read_text()
    text = text.replace("[connectors.replay]\nenabled = false", "[connectors.replay]\nenabled = true")
    text = text.replace('path = "monitor/sample_data/mentions.jsonl"', f'path = "{replay}"')
    text = text.replace("batch_size = 500", "batch_size = 100")
    text = text.replace('maildir = "var/mail"', f'maildir = "{folder / "mail"}"')
    for platform in ("x", "facebook", "instagram", "linkedin"):
        text = text.replace(
            f"[connectors.{platform}]\nenabled = true", f"[connectors.{platform}]\nenabled = false"
        )
    toml.write_text(text)
    return config


def _mentions_file(path: Path, count: int) -> None:
    start = datetime(2026, 11, 20, 8, tzinfo=UTC)
    with path.open("w") as out:
        for n in range(count):
            record = {
                "platform": "x",
                "platform_id": str(10_000_000 + n),
                "author_handle": f"member{n % 700}",
                "text": f"Post {n} about the IOM3 conference and membership",
                "created_at": (start + timedelta(seconds=17 * n)).isoformat(),
                "thread_id": str(10_000_000 + n - n % 25),
            }
            out.write(json.dumps(record) + "\n")


def _once(config: Path, url: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "MONITOR_DATABASE_URL": url, "MONITOR_HOME": str(config.parent)}
    return subprocess.Popen(
        [sys.executable, str(ROOT / "run_monitor.py"), "--config", str(config), "once"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _schema_recorded(db: Path) -> bool:
    if not db.exists():
        return False
    try:
        with sqlite3.connect(db) as conn:
            return conn.execute("SELECT count(*) FROM alembic_version").fetchone()[0] == 1
    except sqlite3.Error:
        return False


def ingest_loop(kills: int, mentions: int, fresh_every: int, rng: random.Random) -> bool:
    folder = Path(tempfile.mkdtemp(prefix="iom3-crash-"))
    try:
        replay = folder / "mentions.jsonl"
        _mentions_file(replay, mentions)
        config = _config(folder, replay)
        # How long one uninterrupted start + ingest takes here, to aim the kills inside it.
        probe = folder / "probe.db"
        began = time.monotonic()
        _once(config, f"sqlite:///{probe}").wait()
        full = time.monotonic() - began
        print(f"loop 1: one uninterrupted fresh start + {mentions:,}-mention pass takes {full:.1f} s here")
        rounds, killed, in_migration, ok_rounds = 0, 0, 0, 0
        while killed < kills:
            rounds += 1
            db = folder / f"round{rounds}.db"
            url = f"sqlite:///{db}"
            for _ in range(min(fresh_every, kills - killed)):
                child = _once(config, url)
                # Half the kills aimed at the first second or so (imports, migration), half anywhere.
                time.sleep(rng.uniform(0.05, 1.5) if rng.random() < 0.5 else rng.uniform(0.05, full))
                if child.poll() is None:
                    child.send_signal(signal.SIGKILL)
                    killed += 1
                    in_migration += not _schema_recorded(db)
                child.wait()
            final = _once(config, url)
            _, err = final.communicate()
            with sqlite3.connect(db) as conn:
                integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
                stored, distinct = conn.execute(
                    "SELECT count(*), count(DISTINCT platform_id) FROM mentions"
                ).fetchone()
                (cursor,) = conn.execute(
                    "SELECT cursor FROM connector_cursors WHERE connector='replay'"
                ).fetchone()
            good = (
                integrity == "ok"
                and stored == distinct == mentions
                and json.loads(cursor) == {"line": mentions}
            )
            ok_rounds += good
            print(
                f"  database {rounds}: exit {final.returncode}, integrity {integrity}, "
                f"{stored:,} stored / {distinct:,} distinct of {mentions:,}, cursor {cursor}"
                + ("" if good else f"  <-- PROBLEM {err.decode()[-400:]}")
            )
        print(
            f"loop 1: {killed} kill -9s ({in_migration} before the schema was recorded, i.e. during the "
            f"first start's migration), {rounds} fresh databases, {ok_rounds} of {rounds} usable with "
            f"every mention exactly once"
        )
        return ok_rounds == rounds
    finally:
        shutil.rmtree(folder, ignore_errors=True)


class Sink:
    """Accepts every message after `delay` seconds (a real server's time to accept) and keeps its id."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.message_ids: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
        await asyncio.sleep(self.delay)
        for line in envelope.original_content.split(b"\r\n"):
            if line.lower().startswith(b"message-id:"):
                self.message_ids.append(line.split(b":", 1)[1].strip().decode())
                break
        return "250 OK"


def flush_loop(kills: int, emails: int, delay: float, rng: random.Random) -> bool:
    from email.message import EmailMessage
    from email.utils import make_msgid

    from aiosmtpd.controller import Controller
    from sqlalchemy import func, select
    from sqlalchemy.orm import sessionmaker

    from alerts.outbox import enqueue
    from monitor.schema import OutboxMessage
    from monitor.store import make_engine, migrate

    folder = Path(tempfile.mkdtemp(prefix="iom3-crash-mail-"))
    sink = Sink(delay)
    with socket.socket() as probe_port:
        probe_port.bind(("127.0.0.1", 0))
        port = probe_port.getsockname()[1]
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        url = f"sqlite:///{folder / 'outbox.db'}"
        engine = make_engine(url)
        migrate(engine)
        sessions = sessionmaker(engine, expire_on_commit=False)
        now = datetime.now(UTC)
        issued = set()
        with sessions.begin() as session:
            for n in range(emails):
                message = EmailMessage()
                message["From"] = "iom3-monitor@iom3.org"
                message["To"] = "Communications Executive <comms@iom3.org>"
                message["Subject"] = f"[IOM3 monitor] incident {n}"
                message["Message-ID"] = make_msgid(domain="iom3.org")
                message.set_content(f"Incident {n}: what happened and what to do now.\n" * 20)
                enqueue(session, message, incident_id=None, now=now)
                issued.add(str(message["Message-ID"]))
        began = time.monotonic()
        probe = subprocess.run([sys.executable, "-c", "import alerts.outbox"], cwd=ROOT, check=True)
        startup = time.monotonic() - began
        expected = startup + emails * (delay + 0.01)
        killed = 0
        while killed < kills:
            child = subprocess.Popen(
                [sys.executable, "-c", FLUSH_CHILD, url, str(port)], cwd=ROOT, stdout=subprocess.DEVNULL
            )
            time.sleep(rng.uniform(startup, max(startup * 1.2, expected / max(kills / 3, 1))))
            if child.poll() is None:
                child.send_signal(signal.SIGKILL)
                killed += 1
            child.wait()
        final = subprocess.run(
            [sys.executable, "-c", FLUSH_CHILD, url, str(port)], cwd=ROOT, capture_output=True, text=True
        )
        with sessions() as session:
            unknown = session.scalar(select(func.coalesce(func.sum(OutboxMessage.unknown_outcomes), 0)))
            not_sent = session.scalar(select(func.count()).where(OutboxMessage.status != "sent"))
        engine.dispose()
        counts = Counter(sink.message_ids)
        lost = len(issued - set(counts))
        duplicates = sum(c - 1 for c in counts.values())
        foreign = len(set(counts) - issued)
        del probe
        print(
            f"loop 2: {killed} kill -9s during a {emails}-email flush to aiosmtpd on loopback "
            f"(accepting each after {delay * 1000:.0f} ms): {len(sink.message_ids)} received, "
            f"{lost} lost, {duplicates} duplicates, {unknown} resent after an unknown outcome "
            f"(the RFC 1047 window), {foreign} with a Message-ID the outbox did not issue, "
            f"{not_sent} not marked sent ({final.stdout.strip()})"
        )
        return lost == 0 and duplicates <= unknown and foreign == 0 and not_sent == 0
    finally:
        controller.stop()
        shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--kills", type=int, default=20, help="kill -9s in each loop (default 20)")
    parser.add_argument("--mentions", type=int, default=5000, help="mentions replayed in loop 1")
    parser.add_argument("--fresh-every", type=int, default=5, help="loop 1: a fresh database every N kills")
    parser.add_argument("--emails", type=int, default=200, help="emails flushed in loop 2")
    parser.add_argument("--accept-ms", type=float, default=15, help="loop 2: the server's time to accept")
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    first = ingest_loop(args.kills, args.mentions, args.fresh_every, rng)
    second = flush_loop(args.kills, args.emails, args.accept_ms / 1000, rng)
    print("result:", "every mention once and no email lost" if first and second else "PROBLEMS (above)")
    return 0 if first and second else 1


if __name__ == "__main__":
    sys.exit(main())
