"""Capture fresh test fixtures from the live platform APIs, with tokens scrubbed.

    IOM3_X_BEARER_TOKEN=... python -m connectors.record x --out tests/fixtures/x/recorded

Runs one connector once, as configured in config/monitor.toml, and saves every HTTP response
it receives as a JSON file (request method and URL, status, the rate-limit headers, the body).
Nothing is stored in the database and nothing is emailed. Every token the connectors read is
removed from URLs, headers and bodies before a file is written; read the files before you commit
them all the same (they hold real people's posts: anonymise them as the existing fixtures are).
"""

from __future__ import annotations

import argparse
import json
import os
import re
from pathlib import Path
from typing import Any

import requests

from connectors import CONNECTORS, check_settings, connector_class
from monitor.config import load_config
from monitor.redact import redact

KEPT_HEADERS = re.compile(
    r"(?i)^(x-rate-limit-.*|x-app-usage|x-business-use-case-usage|x-page-usage|"
    r"retry-after|content-type|linkedin-version)$"
)


def scrub(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, "[redacted]")
        return redact(value)
    if isinstance(value, dict):
        return {k: scrub(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v, secrets) for v in value]
    return value


class Recorder:
    """Wraps requests.Session.send for the life of one recording."""

    def __init__(self, out: Path, secrets: list[str]) -> None:
        self.out, self.secrets, self.count = out, secrets, 0
        self._original = requests.Session.send

    def __enter__(self) -> Recorder:
        recorder = self

        def send(session: requests.Session, request: requests.PreparedRequest, **kwargs: Any) -> Any:
            response = recorder._original(session, request, **kwargs)
            recorder.save(request, response)
            return response

        requests.Session.send = send  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        requests.Session.send = self._original  # type: ignore[method-assign]

    def save(self, request: requests.PreparedRequest, response: requests.Response) -> None:
        self.count += 1
        try:
            body: Any = response.json()
        except ValueError:
            body = response.text
        record = {
            "request": {"method": request.method, "url": request.url},
            "status": response.status_code,
            "headers": {k: v for k, v in response.headers.items() if KEPT_HEADERS.match(k)},
            "body": body,
        }
        path = re.sub(r"[^A-Za-z0-9]+", "_", (request.path_url or "").split("?")[0]).strip("_")[:80]
        target = self.out / f"{self.count:03d}_{path}.json"
        target.write_text(json.dumps(scrub(record, self.secrets), indent=1, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m connectors.record",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("platform", choices=sorted(set(CONNECTORS) - {"replay"}))
    parser.add_argument(
        "--out", type=Path, help="folder for the files (default tests/fixtures/<platform>/recorded)"
    )
    parser.add_argument("--max-pages", type=int, default=2, help="pages per stream (default 2)")
    parser.add_argument("--config", help="config folder (default: the project's config/)")
    args = parser.parse_args(argv)

    config = load_config(args.config)
    check_settings(config)
    cls = connector_class(args.platform)
    table = {**config.monitor.connectors.get(args.platform, {}), "max_pages": args.max_pages, "enabled": True}
    settings = cls.Settings.model_validate(table)
    out = args.out or Path("tests/fixtures") / args.platform / "recorded"
    out.mkdir(parents=True, exist_ok=True)
    secrets = [os.environ[settings.token_env]] if os.environ.get(settings.token_env) else []
    with Recorder(out, secrets) as recorder:
        batches = list(cls(settings, config.watch_list()).fetch(None))
    mentions = sum(len(b.mentions) for b in batches)
    print(f"{recorder.count} responses saved in {out}; {mentions} mentions read")
    for problem in (s for b in batches for s in b.skipped):
        print(f"  note: {problem}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
