"""Connector registry: one line per platform, imported only when it is used.

An explicit map rather than folder scanning, so a typo in monitor.toml is an error that lists
the connectors that exist, and a platform's client library is imported only when enabled.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

if TYPE_CHECKING:
    from connectors.base import Connector
    from monitor.config import Config

CONNECTORS: dict[str, str] = {
    "replay": "connectors.replay:ReplayConnector",
    "x": "connectors.x:XConnector",
    "facebook": "connectors.facebook:FacebookConnector",
    "instagram": "connectors.instagram:InstagramConnector",
    "linkedin": "connectors.linkedin:LinkedInConnector",
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


def connector_settings_problems(name: str, table: dict[str, Any]) -> list[tuple[str, str]]:
    """Validate one `[connectors.<name>]` table: (key path suffix, message) per problem."""
    try:
        cls = connector_class(name)
    except LookupError as exc:
        return [("", str(exc))]
    try:
        cls.Settings.model_validate(table)
    except ValidationError as exc:
        from monitor.config import describe_error, format_loc

        return [("." + format_loc(err["loc"]), describe_error(err)) for err in exc.errors()]
    return []


def enabled_connectors(config: Config) -> list[Connector]:
    """Build every connector that monitor.toml enables, in file order."""
    built = []
    for name, table in config.monitor.connectors.items():
        cls = connector_class(name)
        settings = cls.Settings.model_validate(table)
        if settings.enabled:
            built.append(cls(settings, config))
    return built
