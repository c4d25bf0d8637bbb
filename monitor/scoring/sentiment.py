"""VADER's compound score, asked of VADER only where it can be anything but 0.

VADER (vaderSentiment) gives a word a valence only if the word is in its lexicon; negation,
boosters, "but", capitals and exclamation marks only scale the valences found. So a post none
of whose tokens is in the lexicon (and that holds no emoji, which VADER reads as their names)
scores exactly 0, and about one post in seven is such a post. `compound` answers those itself
and calls VADER for the rest: the same number VADER gives, for less (tests/scoring compares the
two on every development post).

The test for "none of its tokens is in the lexicon" must never say none when VADER would find
one, so it is a superset of VADER's own look-ups: VADER splits a post on whitespace, strips
punctuation from each end of a token (keeping the token whole when 2 letters or fewer are left)
and looks it up lower-cased. Every such look-up that can succeed is either a lexicon word made of
letters, digits and inner apostrophes, which is then one of the post's runs of those characters
(underscores count as punctuation here, as they do for VADER), or one of the lexicon's other
entries (emoticons such as ":)", hyphenated words), which is then somewhere in the post as
written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


class Sentiment:
    """VADER's compound for a post, skipping VADER where its answer is 0 (see the module docstring)."""

    def __init__(self) -> None:
        # Loading VADER's lexicon takes ~50 ms; a process makes one (`vader()`).
        self.vader = SentimentIntensityAnalyzer()
        keys = {key.lower() for key in self.vader.lexicon}
        self._words = frozenset(k for k in keys if _WORD.fullmatch(k))
        others = sorted(keys - self._words, key=len, reverse=True)
        self._others = re.compile("|".join(re.escape(k) for k in others)) if others else None
        self._emoji = frozenset(k for k in self.vader.emojis if len(k) == 1)

    def compound(self, text: str, words: Iterable[str] = ()) -> float:
        """VADER's compound score of `text`. `words`, the post's own lower-cased words if known,
        settle most posts at once: one of them in VADER's lexicon means VADER must be asked."""
        if self._words.isdisjoint(words) and not self._may_score(text):
            return 0.0
        return self.vader.polarity_scores(text)["compound"]

    def _may_score(self, text: str) -> bool:
        """Could VADER find any valence in `text`? False only when it certainly cannot."""
        if not self._emoji.isdisjoint(text):
            return True
        low = text.lower()
        if not self._words.isdisjoint(_WORD.findall(low)):
            return True
        return self._others is not None and self._others.search(low) is not None


@cache
def sentiment() -> Sentiment:
    """The process's one `Sentiment` (VADER's lexicon loaded once)."""
    return Sentiment()
