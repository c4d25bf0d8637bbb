"""The alert tests run on the project's config without working hours (their fake clock starts at
07:00 London); tests/alerts/test_chain.py puts the working hours back and tests them."""

from __future__ import annotations

import pytest

from monitor.config import Config, load_config


@pytest.fixture(scope="session")
def config() -> Config:
    project = load_config()
    return project.model_copy(update={"routing": project.routing.model_copy(update={"quiet_hours": None})})
