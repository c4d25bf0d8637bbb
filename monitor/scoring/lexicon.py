"""Term lists compiled once into one regular expression each, matched as whole words."""

from __future__ import annotations

import re
from collections.abc import Iterable

from monitor.models import Evidence


class TermMatcher:
    """Finds whole-word, case-insensitive matches of any of `terms`, longest first."""

    def __init__(self, terms: Iterable[str]) -> None:
        ordered = sorted({t.strip().lower() for t in terms if t.strip()}, key=len, reverse=True)
        # \b fails next to punctuation ("can't"), so the edges are "not a word character".
        alternatives = "|".join(re.escape(t).replace(r"\ ", r"\s+") for t in ordered)
        self._pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)

    def find(self, text: str) -> list[Evidence]:
        return [
            Evidence(kind="term", text=m.group(0), start=m.start(), end=m.end())
            for m in self._pattern.finditer(text)
        ]
