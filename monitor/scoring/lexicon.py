"""Every category's cue terms compiled once into one index, matched in one pass over the tokens.

A dict from a term's first token to the terms that start with it makes matching cost about one
lookup per token, however many terms the lexicons hold: the scorer stays close to the cost of
VADER alone (measured in bench/score_speed.py).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from monitor.config import CATEGORIES, LexiconsFile
from monitor.scoring.text import _STRETCH, Token, mask_unspeakable, quoted_spans, term_tokens

_WORDS = re.compile(r"\w+(?:'\w+)*")
_CAMEL_HASHTAG = re.compile(r"#\w*[a-z][A-Z]")

# Words that, up to three tokens before a cue, turn it around ("not a fraud"), or that deny a verb of
# belief governing it in the same clause ("I don't think anyone on the council is corrupt").
NEGATORS = frozenset(
    "not no never nobody none neither nor hardly without isn't wasn't aren't weren't don't doesn't "
    "didn't won't wouldn't cannot can't couldn't shouldn't nothing n't".split()
)
# Words that, up to six tokens before a cue in the same clause, make it someone else's words:
# "they called us a scam".
REPORTING = frozenset(
    "call called calls calling claim claims claimed claiming alleged allegedly alleges allegation "
    "allegations accused accuses accusing accusation accusations says said saying reportedly "
    "according denies denied deny labelled branded dubbed rumour rumours quote quoted".split()
)
REPORTED_FACTOR = 0.2


@dataclass(frozen=True, slots=True)
class Hit:
    category: str
    group: str
    term: str
    start: int
    end: int
    factor: float = 1.0  # 1 as said; REPORTED_FACTOR when reported or quoted


@dataclass(frozen=True, slots=True)
class _Entry:
    tokens: tuple[str, ...]
    category: str
    group: str
    negatable: bool
    reportable: bool


class Lexicon:
    """All categories' cue groups, compiled from lexicons.toml."""

    def __init__(self, lexicons: LexiconsFile) -> None:
        self.lexicons = lexicons
        index: dict[str, list[_Entry]] = defaultdict(list)
        exact: dict[tuple[str, str], list[str]] = defaultdict(list)
        primary: set[str] = set()
        promotion: set[str] = set()
        self.modifiers: set[tuple[str, str]] = set()
        for category in CATEGORIES:
            for group_name, group in lexicons.category(category).cues.items():
                if group.modifier:
                    self.modifiers.add((category, group_name))
                for term in group.terms:
                    if group.exact_case:
                        exact[(category, group_name)].append(term)
                        continue
                    tokens = term_tokens(term)
                    if not tokens:
                        continue
                    index[tokens[0]].append(
                        _Entry(tokens, category, group_name, group.negatable, group.reportable)
                    )
                    if not group.modifier:
                        (promotion if category == "disclaimer" else primary).add(_anchor(tokens))
        # First words of every cue that can start a score: a post with none of them (most posts)
        # skips tokenizing and matching altogether. The disclaimer's are checked only for ASV
        # personal accounts, the one kind of author that category is about.
        self._primary = frozenset(primary)
        self._promotion = frozenset(promotion)
        for entries in index.values():
            entries.sort(key=lambda e: len(e.tokens), reverse=True)
        self._index = dict(index)
        # Exact-case terms (the misspellings of IOM3) as one regex each, never matching inside a
        # longer word: "IoM3" yes, "IOM3" no, "IoM3s" no.
        self._exact = {
            key: re.compile(
                r"(?<![\w.])(?:"
                + "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
                + r")(?![\w])"
            )
            for key, terms in exact.items()
        }

    def might_match(self, text: str, *, personal: bool) -> bool:
        """False only if no cue that can start a score can be in `text` (a cheap C-speed test)."""
        low = text.lower().replace("’", "'")
        if _STRETCH.search(low) or _CAMEL_HASHTAG.search(text):
            return True  # words the quick test cannot see; let the full match decide
        words = set(_WORDS.findall(low))
        if not self._primary.isdisjoint(words):
            return True
        return personal and not self._promotion.isdisjoint(words)

    def exact_hits(self, text: str) -> list[Hit]:
        """Exact-case cues, outside links, addresses, @handles and #hashtags."""
        hits: list[Hit] = []
        masked: str | None = None
        for (category, group), pattern in self._exact.items():
            for m in pattern.finditer(text):
                if masked is None:
                    masked = mask_unspeakable(text)
                if masked[m.start() : m.end()] == m.group():
                    hits.append(Hit(category, group, m.group(), m.start(), m.end()))
        return hits

    def match(self, text: str, tokens: list[Token]) -> list[Hit]:
        """Every cue in the text, negated ones dropped, reported ones discounted."""
        hits: list[Hit] = []
        quotes: list[tuple[int, int]] | None = None
        index = self._index
        count = len(tokens)
        for i, token in enumerate(tokens):
            candidates = index.get(token.norm)
            if token.alt is not None:
                candidates = (candidates or []) + index.get(token.alt, [])
            if not candidates:
                continue
            for entry in candidates:
                n = len(entry.tokens)
                if (
                    i + n > count
                    or not _same(tokens, i, entry.tokens)
                    or (n > 1 and _broken(text, tokens, i, n))
                ):
                    continue
                if entry.negatable and _negated(_clause_before(text, tokens, i, window=8)):
                    continue
                start, end = token.start, tokens[i + n - 1].end
                factor = 1.0
                if entry.reportable:
                    if quotes is None:
                        quotes = quoted_spans(text)
                    if any(t.norm in REPORTING for t in _clause_before(text, tokens, i, window=6)) or any(
                        qs <= start and end <= qe for qs, qe in quotes
                    ):
                        factor = REPORTED_FACTOR
                hits.append(Hit(entry.category, entry.group, text[start:end], start, end, factor))
        hits.extend(self.exact_hits(text))
        return hits


# Common words a term is never recognised by in the quick test (see `_anchor`).
COMMON = frozenset(
    "a an the and or but if of to in on at by for from with about as into over is are was were be "
    "been being am it its it's this that these those there here i me my we our us you your he him "
    "his she her they them their what which who whom why how when where all any some no not can "
    "can't don't do does did have has had will would shall should could may might must just so too "
    "very still again back up down out off more most now then than one two make made get got go "
    "going want say said tell told know think everyone everybody anyone someone people iom3 member "
    "members membership".split()
)


def _anchor(tokens: tuple[str, ...]) -> str:
    """The word a term is recognised by in the quick test: its least common-looking token."""
    return max(tokens, key=lambda word: (word not in COMMON, len(word)))


_CLAUSE_BREAK = re.compile(r"[.,;:!?()\[\]\n]")


def _broken(text: str, tokens: list[Token], i: int, n: int) -> bool:
    """A phrase does not run across punctuation: "my image, credit to" is not "image credit"."""
    return any(_CLAUSE_BREAK.search(text, tokens[j].end, tokens[j + 1].start) for j in range(i, i + n - 1))


BELIEF = frozenset("think thought believe believed reckon say said suppose feel".split())


def _is_negator(token: Token) -> bool:
    return token.norm in NEGATORS or token.norm.endswith("n't")


def _negated(before: list[Token]) -> bool:
    """A negator just before the cue ("not a fraud"), or before a verb of belief that governs it
    ("I don't think anyone there is corrupt"). `before` is nearest first."""
    if any(_is_negator(t) for t in before[:3]):
        return True
    return any(
        t.norm in BELIEF and i + 1 < len(before) and _is_negator(before[i + 1]) for i, t in enumerate(before)
    )


def _clause_before(text: str, tokens: list[Token], i: int, window: int) -> list[Token]:
    """Up to `window` tokens before token i, stopping at the start of its clause."""
    before: list[Token] = []
    for j in range(i - 1, max(-1, i - window - 1), -1):
        if _CLAUSE_BREAK.search(text, tokens[j].end, tokens[j + 1].start):
            break
        before.append(tokens[j])
    return before


def _same(tokens: list[Token], i: int, wanted: tuple[str, ...]) -> bool:
    for offset, word in enumerate(wanted):
        token = tokens[i + offset]
        if token.norm != word and token.alt != word:
            return False
    return True
