"""The README's two commands are the ones that work: CI runs the second one verbatim."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
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


def test_the_deploy_files_name_every_secret_and_real_commands():
    monitor = tomllib.loads((ROOT / "config" / "monitor.toml").read_text())
    named = {
        "MONITOR_DATABASE_URL",
        monitor["mail"]["smtp"]["username_env"],
        monitor["mail"]["smtp"]["password_env"],
        monitor["heartbeat"]["url_env"],
        monitor["web"]["secret_env"],
    }
    named |= {table["token_env"] for table in monitor["connectors"].values() if "token_env" in table}
    example = (ROOT / "deploy" / "env.example").read_text()
    assert named == set(re.findall(r"^([A-Z0-9_]+)=", example, re.MULTILINE))
    unit = (ROOT / "deploy" / "iom3-monitor.service").read_text()
    commands = re.findall(r"^Exec\w+=\S+ run_monitor.py (\S+)", unit, re.MULTILINE)
    assert commands == ["check-config", "run"]
    help_ = subprocess.run(
        [sys.executable, str(ROOT / "run_monitor.py"), "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert all(re.search(rf"^\s+{c}\s", help_, re.MULTILINE) for c in commands)


def test_the_layout_names_every_code_folder_and_only_folders_that_exist():
    readme = (ROOT / "README.md").read_text()
    block = readme[readme.index("## Layout") :].split("```")[1]
    listed = {line.split()[0].rstrip("/") for line in block.splitlines() if line.strip()}
    assert all((ROOT / folder).is_dir() for folder in listed), listed
    packages = {
        str(init.parent.relative_to(ROOT))
        for top in ("monitor", "connectors", "alerts")
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert packages - listed == set()
