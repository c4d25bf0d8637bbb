"""Issue #12, points 8-10: a fresh clone as the volunteer who installs it meets it."""

from __future__ import annotations

import mailbox
import os

import pytest

from monitor.config import PROJECT_ROOT, ConfigError, load_config
from tests.cli_runner import run_monitor


@pytest.fixture
def home(tmp_path, monkeypatch):  # noqa: ANN001, ANN201
    """Relative paths (the SQLite file, var/mail) go here instead of the project's var/."""
    monkeypatch.setenv("MONITOR_HOME", str(tmp_path))
    monkeypatch.delenv("MONITOR_DATABASE_URL", raising=False)
    return tmp_path


def test_once_on_a_fresh_clone_stores_no_sample_post_and_says_nothing_was_polled(home) -> None:
    done = run_monitor("once", env={"MONITOR_HOME": str(home)})
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Nothing was polled" in done.stdout
    said = " ".join((done.stdout + done.stderr).split())
    for variable in ("IOM3_X_BEARER_TOKEN", "IOM3_FACEBOOK_PAGE_TOKEN", "IOM3_INSTAGRAM_TOKEN"):
        assert said.count(f"set the environment variable {variable}") == 1, said  # once, not twice
    assert not (home / "var" / "mail").exists() or len(mailbox.Maildir(home / "var" / "mail")) == 0
    # ... and it said which database it used, since MONITOR_DATABASE_URL was not set.
    assert f"Using the database sqlite:///{home / 'var' / 'monitor.db'}" in " ".join(done.stderr.split())
    assert "MONITOR_DATABASE_URL is not set" in done.stderr


def test_the_sample_replay_with_smtp_is_refused_before_it_can_email_real_people(config_dir) -> None:
    toml = config_dir / "monitor.toml"
    toml.write_text(
        toml.read_text()
        .replace("[connectors.replay]\nenabled = false", "[connectors.replay]\nenabled = true")
        .replace('transport = "maildir"', 'transport = "smtp"')
    )
    with pytest.raises(ConfigError) as caught:
        load_config(config_dir)
    (problem,) = caught.value.problems
    assert "connectors.replay: replays the bundled sample week" in problem
    assert "set enabled = false" in problem


def test_relative_paths_resolve_against_the_project_whichever_config_folder(config_dir, monkeypatch) -> None:
    monkeypatch.delenv("MONITOR_HOME", raising=False)
    config = load_config(config_dir)  # a config folder outside the project (a tmp copy)
    assert config.path("var/mail") == PROJECT_ROOT / "var" / "mail"
    assert config.path("monitor/sample_data/mentions.jsonl").is_file()
    monkeypatch.setenv("MONITOR_HOME", str(config_dir.parent / "elsewhere"))
    moved = load_config(config_dir)
    assert moved.path("var/mail") == (config_dir.parent / "elsewhere" / "var" / "mail").resolve()
    assert moved.path("/srv/mail") == type(moved.path("x"))("/srv/mail")  # absolute stays absolute


def test_no_notice_when_the_database_is_chosen(home, tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'chosen.db'}"
    done = run_monitor("status", env={"MONITOR_DATABASE_URL": url, "MONITOR_HOME": str(home)})
    assert done.returncode == 0 and "Using the database" not in done.stderr
    assert os.path.exists(tmp_path / "chosen.db")
