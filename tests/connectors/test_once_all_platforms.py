"""`run_monitor.py once` with every token set polls every platform and account it is given."""

from __future__ import annotations

import json
import re
from pathlib import Path

import responses

from monitor.cli import main

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
TOKENS = {
    "IOM3_X_BEARER_TOKEN": "x-token-abcdefgh",
    "IOM3_FACEBOOK_PAGE_TOKEN": "fb-token-abcdefgh",
    "IOM3_INSTAGRAM_TOKEN": "ig-token-abcdefgh",
    "IOM3_LINKEDIN_TOKEN": "li-token-abcdefgh",
}


@responses.activate
def test_once_polls_every_platform_and_account(config_dir, tmp_path, monkeypatch, capsys):
    for name, value in TOKENS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("MONITOR_DATABASE_URL", f"sqlite:///{tmp_path / 'm.db'}")
    toml = config_dir / "monitor.toml"
    toml.write_text(
        toml.read_text()
        .replace("[connectors.replay]\nenabled = true", "[connectors.replay]\nenabled = false")
        .replace('maildir = "var/mail"', f'maildir = "{tmp_path / "mail"}"')
    )
    responses.get(
        "https://api.twitter.com/2/users/by", json=json.loads((FIXTURES / "x/users_by.json").read_text())
    )
    responses.get(re.compile(r"https://api\.twitter\.com/2/.*"), json={"meta": {"result_count": 0}})
    responses.get(re.compile(r"https://graph\.facebook\.com/v24\.0/.*"), json={"data": []})
    responses.get(re.compile(r"https://api\.linkedin\.com/rest/.*"), json={"paging": {}, "elements": []})

    assert main(["--config", str(config_dir), "once"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    for name in ("x", "facebook", "instagram", "linkedin"):
        assert re.search(rf"│ {name} │ (ok|partial) │", out), (name, out)

    asked = [call.request.url for call in responses.calls]
    assert any("/tweets/search/recent" in u for u in asked)
    assert any("/users/17393541/mentions" in u for u in asked)
    assert any("/users/1624000000000000001/tweets" in u for u in asked)  # a committee timeline
    for page_id in ("104729584412", "200300400500"):  # the official page and a committee page
        assert any(f"/v24.0/{page_id}/feed" in u for u in asked)
    for account in ("17841400000000001", "17841400000000002"):
        assert any(f"/v24.0/{account}/media" in u for u in asked)
    for org in ("1234567", "7654321"):
        assert any(f"posts?author=urn%3Ali%3Aorganization%3A{org}" in u for u in asked)
    # Then the profiles of the official channels and registered accounts, and of no one else.
    profiled = {u.split("/users/by/username/")[1].split("?")[0] for u in asked if "/users/by/username/" in u}
    assert profiled == {"iom3", "IOM3_YMC", "IOM3Packaging", "SWales_IOM3", "DrHelenCarter"}
    assert any(u.startswith("https://graph.facebook.com/v24.0/200300400500?") for u in asked)  # a page's
    assert "Profiles of the official channels and registered accounts" in out
    for value in TOKENS.values():
        assert value not in out
