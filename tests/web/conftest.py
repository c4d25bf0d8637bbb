"""The web app on each backend (the `sessions` fixture): an app with a fake clock, a client."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

pytest.importorskip("flask")

from webapp import SECRET  # noqa: E402

from monitor.config import Config  # noqa: E402
from monitor.web import create_app  # noqa: E402


@pytest.fixture
def web_config(config: Config, tmp_path) -> Config:
    web = config.monitor.web.model_copy(update={"base_url": "https://monitor.test"})
    digest = config.monitor.digest.model_copy(update={"folder": str(tmp_path / "digests")})
    audit = config.monitor.audit.model_copy(update={"folder": str(tmp_path / "audits")})
    return config.with_overrides(web=web, digest=digest, audit=audit)


@pytest.fixture
def app(web_config: Config, sessions: sessionmaker[Session], clock, monkeypatch):
    monkeypatch.setenv(web_config.monitor.web.secret_env, SECRET)
    application = create_app(web_config, sessions, secret=SECRET, clock=clock, test_config={"TESTING": True})
    return application


@pytest.fixture
def client(app):
    return app.test_client()
