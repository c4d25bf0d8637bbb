"""One envelope builder: make_message renders the subject and bodies from templates."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from alerts.compose import make_message

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def test_the_operator_note_is_text_only_with_its_subject_from_the_template(config):
    ctx = {"connector": "x", "recovered": False, "failures": 3, "error": "X refused the token\r\nBcc: evil@x"}
    message = make_message(config, "operator", "Ops <ops@iom3.org>", ctx, now=NOW, headers={"X-Test": "1"})
    assert message["Subject"] == "[IOM3 monitor] x is failing"
    assert message["To"] == "Ops <ops@iom3.org>" and message["X-Test"] == "1"
    assert re.fullmatch(r"<[^@]*operator[^@]*@iom3\.org>", message["Message-ID"])
    assert message.get_content_type() == "text/plain"  # no operator.html.j2
    assert "failed 3 runs in a row" in message.get_content()
    assert message["Bcc"] is None


def test_a_hostile_value_in_a_subject_never_becomes_a_header(config):
    ctx = {"connector": "x\r\nBcc: evil@example.com", "recovered": True}
    message = make_message(config, "operator", ["a@iom3.org", "b@iom3.org"], ctx, now=NOW)
    assert "\n" not in message["Subject"] and "\r" not in message["Subject"]
    assert message["Bcc"] is None and message["To"] == "a@iom3.org, b@iom3.org"


def test_no_module_but_compose_builds_an_email_envelope():
    envelope = re.compile(r'EmailMessage\(\)|\["Message-ID"\] =(?!=)')
    builders = [
        str(path.relative_to(ROOT))
        for path in [*ROOT.glob("alerts/**/*.py"), *ROOT.glob("monitor/**/*.py")]
        if path.name != "compose.py" and envelope.search(path.read_text())
    ]
    assert builders == []
