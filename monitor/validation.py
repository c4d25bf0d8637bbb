"""Pydantic validation errors as the one-line problems the monitor prints: `file: key: message`.

A leaf module: `monitor/config.py` uses it for the config files and each connector for its own
`[connectors.<name>]` table, without either importing the other.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError


def format_loc(loc: tuple[int | str, ...]) -> str:
    """A pydantic error location as a TOML-ish key path: `route[2].categories`."""
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts) or "(top level)"


def describe_error(error: Any) -> str:
    """One pydantic error as a sentence that says what to do, with the bad value shown."""
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        return "unknown key (check the spelling; unknown keys are refused so typos never go unnoticed)"
    if error["type"] == "missing":
        return "required key is missing"
    shown = error.get("input")
    if error["type"] not in ("value_error",) and not isinstance(shown, dict | list):
        return f"{message} (got {shown!r})"
    return message


def problem_lines(exc: ValidationError, where: str, prefix: str = "") -> list[str]:
    """`where: prefix.key: message` for each error in `exc` (prefix: the table's own key path)."""
    lines = []
    for err in exc.errors():
        loc = format_loc(err["loc"])
        key = f"{prefix}.{loc}" if prefix and err["loc"] else (prefix or loc)
        lines.append(f"{where}: {key}: {describe_error(err)}")
    return lines
