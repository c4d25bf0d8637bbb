"""Connector registry: one line per platform, imported only when it is used.

An explicit map rather than folder scanning, so a typo in monitor.toml is an error that lists
the connectors that exist, and a platform's client library is imported only when enabled.
Each connector validates its own `[connectors.<name>]` table here; `monitor/config.py` never
imports this package (the arrow points one way: connectors -> monitor).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from monitor.platforms import PLATFORM_TABLE
from monitor.validation import problem_lines

if TYPE_CHECKING:
    from connectors.base import Connector
    from monitor.config import Config

# The replay file, then one connector per row of the platform table (monitor/platforms.py).
CONNECTORS: dict[str, str] = {
    "replay": "connectors.replay:ReplayConnector",
    **{name: row.connector for name, row in PLATFORM_TABLE.items()},
}


def connector_class(name: str) -> type[Connector]:
    """The class registered under `name`; LookupError naming the known ones otherwise."""
    from connectors.base import Connector

    try:
        target = CONNECTORS[name]
    except KeyError:
        raise LookupError(
            f"no connector named {name!r}; known connectors: {', '.join(sorted(CONNECTORS))}"
        ) from None
    module_name, _, class_name = target.partition(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    if not (isinstance(cls, type) and issubclass(cls, Connector)):
        raise TypeError(f"{target} is not a Connector subclass")
    return cls


def connector_settings_problems(name: str, table: dict[str, Any], where: str) -> list[str]:
    """Validate one `[connectors.<name>]` table: a `where: connectors.<name>.key: message` per problem."""
    try:
        cls = connector_class(name)
    except LookupError as exc:
        return [f"{where}: connectors.{name}: {exc}"]
    try:
        cls.Settings.model_validate(table)
    except ValidationError as exc:
        return problem_lines(exc, where, prefix=f"connectors.{name}")
    return []


def settings_problems(config: Config) -> list[str]:
    """Every problem in every `[connectors.*]` table of monitor.toml, one line each."""
    where = config.display("monitor.toml")
    return [
        line
        for name, table in config.monitor.connectors.items()
        for line in connector_settings_problems(name, table, where)
    ]


def check_settings(config: Config) -> None:
    """Raise ConfigError listing every bad `[connectors.*]` table (call it after load_config)."""
    from monitor.config import ConfigError

    if problems := settings_problems(config):
        raise ConfigError(problems)


def enabled_connectors(config: Config) -> list[Connector]:
    """Build every connector that monitor.toml enables, in file order, each given the watch list."""
    watch = config.watch_list()
    built = []
    for name, table in config.monitor.connectors.items():
        cls = connector_class(name)
        settings = cls.Settings.model_validate(table)
        if settings.enabled:
            built.append(cls(settings, watch))
    return built
