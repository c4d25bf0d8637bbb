"""`--help` and `status` must not load the heavy libraries only some commands need (issue #12).

Measured as what is imported, not as seconds, so the test holds on a busy machine; the time
itself is printed by `time .venv/bin/python run_monitor.py --help` (README, "Benchmarks").
"""

from __future__ import annotations

import subprocess
import sys

from tests.cli_runner import ROOT

HEAVY = ("pandas", "matplotlib", "sklearn", "tweepy", "facebook", "numpy", "vaderSentiment", "jinja2")

PROBE = """
import sys
from monitor.cli import main
try:
    code = main({argv!r})
except SystemExit as exit:
    code = exit.code
print("LOADED", sorted(m for m in {heavy!r} if m in sys.modules), file=sys.stderr)
"""


def _loaded(argv: list[str], env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(argv=argv, heavy=HEAVY)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        env=env,
    )
    (line,) = [x for x in done.stderr.splitlines() if x.startswith("LOADED")]
    return line


def test_help_imports_no_heavy_library() -> None:
    assert _loaded(["--help"]) == "LOADED []"


def test_status_imports_no_heavy_library(tmp_path) -> None:  # noqa: ANN001
    import os

    env = {**os.environ, "MONITOR_DATABASE_URL": f"sqlite:///{tmp_path / 'monitor.db'}"}
    # The platform clients (tweepy, facebook-sdk) still load: config validation imports each
    # enabled connector's module for its Settings. Moving the settings out is #11's work.
    loaded = _loaded(["status"], env).removeprefix("LOADED ")
    assert not set(eval(loaded)) & {"pandas", "matplotlib", "sklearn", "numpy", "jinja2"}, loaded  # noqa: S307
