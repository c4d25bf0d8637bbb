"""`run_monitor.py` as a user runs it: a child process, no platform tokens, a wide terminal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from monitor.platforms import PLATFORM_TABLE

ROOT = Path(__file__).resolve().parent.parent
# Every variable any platform reads, from the one platform table.
TOKENS = tuple(env for row in PLATFORM_TABLE.values() for env in row.token_env)


def run_monitor(
    *args: str, env: dict[str, str] | None = None, cwd: Path = ROOT
) -> subprocess.CompletedProcess[str]:
    """Tokens from the developer's shell are dropped so a test never reaches a real platform."""
    return subprocess.run(
        [sys.executable, str(ROOT / "run_monitor.py"), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
        env={**{k: v for k, v in os.environ.items() if k not in TOKENS}, "COLUMNS": "200", **(env or {})},
    )
