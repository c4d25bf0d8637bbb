"""A kill -9 in the middle of the image pass (#16), in a real child process, on both backends: what
was committed stays, the image in hand is fetched again, and nothing stored is fetched twice."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import requests
from media_seed import media_rows, post, store_and_score

from monitor.config import load_config
from monitor.sample_data.media_host import BundledImages, sample_url
from monitor.services.media import analyse_media
from monitor.store import open_store
from tests.cli_runner import ROOT

PICTURES = [
    "sheffield-flyer.jpg",
    "packaging-awards.jpg",
    "wim-breakfast.jpg",
    "students-profile.jpg",
    "steel-mill-dawn.jpg",
]
KILL_AT = 3  # the child dies while writing its third image, two being committed

# The child runs the real pass over the bundled pictures and SIGKILLs itself as its KILL_AT-th
# image row is written, before that transaction commits: the worst moment.
CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from monitor.config import load_config
    from monitor.sample_data.media_host import sample_session
    from monitor.services.media import analyse_media
    from monitor.store import open_store

    kill_at, written = int(sys.argv[2]), 0

    @event.listens_for(Engine, "after_cursor_execute")
    def _maybe_die(conn, cursor, statement, *args):
        global written
        if statement.lstrip().upper().startswith("UPDATE MEDIA"):
            written += 1
            if written == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)

    config = load_config()
    analyse_media(open_store(config, sys.argv[1]), config, http=sample_session())
    print("finished without being killed")
    """
)


def test_a_kill_mid_pass_loses_nothing_and_repeats_nothing_stored(database_url, tmp_path):
    config = load_config()
    sessions = open_store(config, database_url)
    store_and_score(
        sessions, config, [post(str(i), sample_url(name), minutes=i) for i, name in enumerate(PICTURES)]
    )

    child = subprocess.run(
        [sys.executable, "-c", CHILD, database_url, str(KILL_AT)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert child.returncode == -9, child.stdout + child.stderr  # it really died mid-pass
    before = media_rows(sessions)
    done = {url: row.analysed_at for url, row in before.items() if row.state == "analysed"}
    assert len(done) == KILL_AT - 1
    assert sum(row.state == "pending" for row in before.values()) == len(PICTURES) - (KILL_AT - 1)

    adapter = BundledImages()
    http = requests.Session()
    http.mount("https://media.sample.invalid/", adapter)
    result = analyse_media(sessions, config, http=http)
    # Only what was not committed is fetched: the image in hand when it died, and the rest.
    assert sorted(adapter.requested) == sorted(url for url in before if url not in done)
    assert len(result.outcomes) == len(PICTURES) - (KILL_AT - 1)
    after = media_rows(sessions)
    assert {row.state for row in after.values()} == {"analysed"}
    assert all(after[url].analysed_at == at for url, at in done.items())  # untouched
    sessions.kw["bind"].dispose()
