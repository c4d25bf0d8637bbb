"""Secrets come from the environment only, and never print in full."""

from __future__ import annotations

import os
import re


class MissingSecret(LookupError):
    """An environment variable the configuration names is not set."""


class Secret:
    """A value read from the environment that masks itself in repr, str and logs."""

    __slots__ = ("_value", "env_name")

    def __init__(self, value: str, env_name: str) -> None:
        self._value = value
        self.env_name = env_name

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret({self.env_name}={mask(self._value)})"

    __str__ = __repr__


def mask(value: str) -> str:
    """Show only the last four characters, so an operator can tell two tokens apart."""
    return "..." + value[-4:] if len(value) > 8 else "..."


def read_secret(env_name: str, *, purpose: str) -> Secret:
    """Read `env_name` (or the file named by `env_name`_FILE, for container secrets)."""
    value = os.environ.get(env_name)
    if value is None and (path := os.environ.get(f"{env_name}_FILE")):
        with open(path, encoding="utf-8") as fh:
            value = fh.read().strip()
    if not value:
        raise MissingSecret(f"{purpose} needs the environment variable {env_name}; set it and retry")
    return Secret(value, env_name)


# scheme://user:PASSWORD@host - also in a URL too broken for SQLAlchemy to parse, which is
# exactly when an error message would otherwise quote it whole (issue #12, point 5).
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][\w+.-]*://[^:/@\s'\"]*:)(?P<password>[^@\s'\"]*)(?P<at>@)")


def mask_url_passwords(text: str) -> str:
    """`text` with the password of every URL in it masked (`mask`), for messages and logs."""

    def masked(match: re.Match[str]) -> str:
        password = match["password"]
        shown = password if password.startswith("...") else mask(password)  # already masked
        return match["head"] + shown + match["at"]

    return _URL_PASSWORD.sub(masked, text)
