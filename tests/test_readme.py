"""The README's two commands are the ones that work: CI runs the second one verbatim."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _two_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Try it", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_readme_starts_with_demo_then_tests():
    demo, tests = _two_commands()
    assert demo.endswith("run_monitor.py demo")
    assert tests.endswith("python -m pytest")
    assert (ROOT / "README.md").read_text().index("## Try it") < 1200  # near the top


def test_ci_runs_the_readme_test_command_verbatim():
    _, tests = _two_commands()
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert tests in ci
    assert "export MONITOR_REQUIRE_POSTGRES=1" in ci
