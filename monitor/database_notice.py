"""Which database a command is about to use, said out loud (issue #12, point 9).

Without MONITOR_DATABASE_URL a shell silently used (and created) the SQLite file named in
config/monitor.toml: in the wrong shell, an empty database looked like "no mentions".
"""

from __future__ import annotations

import os

from monitor.config import DATABASE_URL_ENV, Config
from monitor.secrets import mask_url_passwords


def database_notice(config: Config, override: str | None) -> str | None:
    """A one-line warning naming the database in use, or None when the operator chose it."""
    if override or os.environ.get(DATABASE_URL_ENV):
        return None
    url = mask_url_passwords(config.database_url())
    return (
        f"Using the database {url} ([database] url in {config.config_dir / 'monitor.toml'}; "
        f"{DATABASE_URL_ENV} is not set)."
    )
