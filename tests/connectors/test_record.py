"""The fixture recorder saves what the live API said, without the token."""

from __future__ import annotations

import json
import re
from pathlib import Path

import requests
import responses

from connectors.record import main

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "x"
TOKEN = "fake-x-bearer-for-record-test%2Ftail"  # not a real token: tests only


@responses.activate
def test_record_saves_each_response_with_the_token_scrubbed(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("IOM3_X_BEARER_TOKEN", TOKEN)
    responses.get(
        "https://api.twitter.com/2/users/by", json=json.loads((FIXTURES / "users_by.json").read_text())
    )
    echo = json.loads((FIXTURES / "search_page2.json").read_text())
    echo["meta"]["note"] = f"a body that happens to echo the token {TOKEN}"
    responses.get(
        "https://api.twitter.com/2/tweets/search/recent",
        json=echo,
        headers={"x-rate-limit-remaining": "449", "x-rate-limit-reset": "1795600000", "set-cookie": "a=b"},
    )
    responses.get(
        re.compile(r"https://api\.twitter\.com/2/users/\d+/(tweets|mentions)"),
        json={"meta": {"result_count": 0}},
    )

    assert main(["x", "--out", str(tmp_path), "--max-pages", "1"]) == 0
    files = sorted(tmp_path.glob("*.json"))
    assert len(files) >= 3
    assert "responses saved in" in capsys.readouterr().out
    everything = "".join(f.read_text() for f in files)
    assert TOKEN not in everything and "fake-x-bearer-for-record-test" not in everything
    search = json.loads(next(f for f in files if "search_recent" in f.name).read_text())
    assert search["status"] == 200
    assert search["headers"] == {
        "Content-Type": "application/json",
        "x-rate-limit-remaining": "449",
        "x-rate-limit-reset": "1795600000",
    }
    assert search["body"]["data"][0]["id"] == "1859231000000000008"
    assert (
        requests.Session.send.__name__ == "send" and requests.Session.send.__module__ == "requests.sessions"
    )
