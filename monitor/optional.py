"""Optional libraries: each sits behind an install extra and is needed only by what uses it.

`require("feedparser", "the web feeds connector")` returns the module, or raises MissingExtra
naming the package and the pip command that installs it (sentry-python's DidNotEnable). The
caller decides whether that is fatal: a connector the config does not enable is never imported.
`pip install -e ".[test]"` (the README's commands) installs every extra.
"""

from __future__ import annotations

import importlib
from types import ModuleType

# import name -> (distribution on PyPI, extra in pyproject.toml). tests/test_optional.py checks
# this table against pyproject.toml.
EXTRAS: dict[str, tuple[str, str]] = {
    "flask": ("Flask", "web"),
    "flask_wtf": ("Flask-WTF", "web"),
    "flask_limiter": ("Flask-Limiter", "web"),
    "sklearn": ("scikit-learn", "ml"),
    "atproto": ("atproto", "bluesky"),
    "mastodon": ("Mastodon.py", "mastodon"),
    "feedparser": ("feedparser", "feeds"),
    "apprise": ("apprise", "chat"),
    "cv2": ("opencv-python-headless", "media"),
    "faiss": ("faiss-cpu", "media"),
    "imagehash": ("ImageHash", "media"),
}
PROJECT = "iom3-monitor"


class MissingExtra(ImportError):
    """An optional library is not installed; the message says how to install it."""

    def __init__(self, module: str, purpose: str) -> None:
        distribution, extra = EXTRAS[module]
        self.module, self.extra = module, extra
        super().__init__(
            f"{purpose} needs {distribution}, which is not installed. Install it with "
            f"`pip install '{PROJECT}[{extra}]'` (from a checkout: `pip install -e '.[{extra}]'`)",
            name=module,
        )


def require(module: str, purpose: str) -> ModuleType:
    """Import the optional `module` (a key of EXTRAS) for `purpose`, or raise MissingExtra."""
    if module not in EXTRAS:
        raise LookupError(f"{module!r} is not an optional library; the known ones are: {', '.join(EXTRAS)}")
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        if exc.name is not None and exc.name != module and not exc.name.startswith(module + "."):
            raise  # installed, but something it needs is broken: show that, not "install it"
        raise MissingExtra(module, purpose) from exc
