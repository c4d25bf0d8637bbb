"""Scrub tokens out of anything that is logged, stored as provenance or emailed.

The platform libraries log request URLs and headers at DEBUG (tweepy logs the Authorization
header; urllib3 logs Graph API URLs, which carry access_token as a query parameter), so every
log handler the monitor installs runs records through `RedactingFilter`.
"""

from __future__ import annotations

import json
import logging
import re

_PATTERNS = (
    # key=value in query strings and form bodies
    (
        re.compile(
            r"(?i)\b(access_token|client_secret|appsecret_proof|refresh_token|oauth_token|"
            r"oauth_signature|code)=([^&\s'\"]+)"
        ),
        r"\1=[redacted]",
    ),
    # Authorization headers, in any of the shapes a dict or a header dump prints them
    (
        re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?)(bearer|oauth|basic)?\s*[^'\",}\s]+"),
        r"\1[redacted]",
    ),
    (re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/%=-]{8,}"), "Bearer [redacted]"),
)


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites each record's message with tokens removed, whoever logged it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_text is None and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = record.exc_text or self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str, *, stream=None, fmt: str = "keyvalue") -> logging.Handler:  # noqa: ANN001
    """One handler, key=value (or JSON) lines, tokens redacted, the platform libraries kept quiet."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        JsonFormatter()
        if fmt == "json"
        else logging.Formatter("%(asctime)s level=%(levelname)s logger=%(name)s %(message)s")
    )
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # tweepy's DEBUG lines are whole requests and responses: headers, tokens, post text.
    logging.getLogger("tweepy").setLevel(max(logging.INFO, logging.getLevelName(level)))
    logging.getLogger("matplotlib").setLevel(logging.WARNING)  # font and unit chatter at INFO
    # faiss tries its CPU builds in turn at INFO ("Could not load library with AVX512 support due
    # to: ModuleNotFoundError"), which reads like a fault to whoever runs the demo. It is not one.
    logging.getLogger("faiss").setLevel(logging.WARNING)
    # "Running job ..." twice a minute per job: our own job lines say what happened.
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, logging.getLevelName(level)))
    return handler
