"""Every category's cue terms compiled once into one index, matched in one pass over the tokens.

A dict from a term's first token to the terms that start with it makes matching cost about one
lookup per token, however many terms the lexicons hold: the scorer stays close to the cost of
VADER alone (measured in bench/score_speed.py).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from monitor.config import CATEGORIES, LexiconsFile
from monitor.scoring.text import CLAUSE_ENDS, Tokens, mask_unspeakable, quoted_spans, term_tokens

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
# The words of a handle or display name: camelCase, digits, and _ - . separators all split.
_AUTHOR_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


@dataclass(frozen=True, slots=True)
class Hit:
    category: str
    group: str
    term: str
    start: int
    end: int
    factor: float = 1.0  # 1 as said; REPORTED_FACTOR when reported or quoted
    in_author: bool = False  # found in the author's handle or name (start and end are 0)


@dataclass(frozen=True, slots=True)
class _Entry:
    tokens: tuple[str, ...]
    category: str
    group: str
    negatable: bool
    reportable: bool
    modifier: bool


class Lexicon:
    """All categories' cue groups, compiled from lexicons.toml."""

    def __init__(self, lexicons: LexiconsFile) -> None:
        self.lexicons = lexicons
        index: dict[str, list[_Entry]] = defaultdict(list)
        exact: dict[tuple[str, str], list[str]] = defaultdict(list)
        primary: set[str | tuple[str, ...]] = set()
        promotion: set[str | tuple[str, ...]] = set()
        self.modifiers: set[tuple[str, str]] = set()
        # Cues read in who posted, not in what they wrote: (category, group) -> each term's words.
        self._author: dict[tuple[str, str], list[tuple[str, tuple[str, ...]]]] = {}
        for category in CATEGORIES:
            for group_name, group in lexicons.category(category).cues.items():
                if group.modifier:
                    self.modifiers.add((category, group_name))
                if group.read == "author":
                    self._author[(category, group_name)] = [(t, term_tokens(t)) for t in group.terms]
                    continue
                for term in group.terms:
                    if group.exact_case:
                        exact[(category, group_name)].append(term)
                        continue
                    tokens = term_tokens(term)
                    if not tokens:
                        continue
                    index[tokens[0]].append(
                        _Entry(
                            tokens, category, group_name, group.negatable, group.reportable, group.modifier
                        )
                    )
                    if not group.modifier:
                        # One word, or a phrase's first two words: what the quick test looks for.
                        (promotion if category == "disclaimer" else primary).add(
                            tokens[0] if len(tokens) == 1 else tokens[:2]
                        )
        # Every cue that can start a score, as a word or its first two words: a post with none of
        # them (most posts) skips matching altogether. The disclaimer's are checked only for ASV
        # personal accounts, the one kind of author that category is about.
        self._primary = frozenset(primary)
        self._promotion = frozenset(promotion)
        # One-word terms by their word; longer ones by their first two words, so a common first
        # word ("i", "not", "the") costs one failed lookup instead of a check of every phrase.
        self._index: dict[str, list[_Entry]] = {}
        self._index2: dict[tuple[str, str], list[_Entry]] = {}
        for entries in index.values():
            for entry in sorted(entries, key=lambda e: len(e.tokens), reverse=True):
                if len(entry.tokens) == 1:
                    self._index.setdefault(entry.tokens[0], []).append(entry)
                else:
                    self._index2.setdefault(entry.tokens[:2], []).append(entry)
        # Exact-case terms (the misspellings of IOM3) as one regex each, never matching inside a
        # longer word: "IoM3" yes, "IOM3" no, "IoM3s" no.
        self._exact = {key: (_needle(terms), _exact_pattern(terms)) for key, terms in exact.items()}

    def may_start_a_score(self, tokens: Tokens, *, personal: bool) -> bool:
        """False only if no cue that can start a score is in the text: its words and its pairs of
        neighbouring words are tested against the cues' in two C-speed set operations."""
        if tokens.alts is not None:
            return True  # stretched words: let the full match try both spellings
        norms = tokens.norms
        if not self._primary.isdisjoint(norms) or not self._primary.isdisjoint(
            zip(norms, norms[1:], strict=False)
        ):
            return True
        return personal and not (
            self._promotion.isdisjoint(norms)
            and self._promotion.isdisjoint(zip(norms, norms[1:], strict=False))
        )

    def _alternatives(self, found: list[_Entry] | None, tokens: Tokens, i: int) -> list[_Entry] | None:
        """Candidates for a stretched word's single-letter form too ("sooo" -> "so")."""
        norms, alts = tokens.norms, tokens.alts
        assert alts is not None
        extra: list[_Entry] = []
        for first in {norms[i], alts[i]} - {None}:
            if alts[i] is not None and first == alts[i]:
                extra += self._index.get(first, [])
            if i + 1 < len(norms):
                for second in {norms[i + 1], alts[i + 1]} - {None}:
                    if (first, second) != (norms[i], norms[i + 1]):
                        extra += self._index2.get((first, second), [])
        return (found or []) + extra if extra else found

    def author_hits(self, author: str, categories: Collection[str]) -> list[Hit]:
        """The author cues of `categories` in the author's handle and name ("GuardianEnv_Jess"
        reads as guardian, env, jess; a phrase may also be one run-together word: theengineer)."""
        # Most posts with a cue start no category that reads its author: split no handle for them.
        wanted = [(key, terms) for key, terms in self._author.items() if key[0] in categories]
        if not author or not wanted:
            return []
        words = [w.lower() for w in _AUTHOR_WORD.findall(author)]
        single = set(words)
        hits = []
        for (category, group), terms in wanted:
            for term, tokens in terms:
                n = len(tokens)
                if "".join(tokens) in single or any(
                    tuple(words[i : i + n]) == tokens for i in range(len(words) - n + 1)
                ):
                    hits.append(Hit(category, group, term, 0, 0, in_author=True))
        return hits

    def exact_hits(self, text: str) -> list[Hit]:
        """Exact-case cues, outside links, addresses, @handles and #hashtags."""
        hits: list[Hit] = []
        masked: str | None = None
        for (category, group), (needle, pattern) in self._exact.items():
            if needle and needle not in text:
                continue  # a character every one of these terms has is absent: no regex scan
            for m in pattern.finditer(text):
                if masked is None:
                    masked = mask_unspeakable(text)
                if masked[m.start() : m.end()] == m.group():
                    hits.append(Hit(category, group, m.group(), m.start(), m.end()))
        return hits

    def match(self, text: str, tokens: Tokens, *, personal: bool = False) -> list[Hit]:
        """Every cue in the text, negated ones dropped, reported ones discounted.

        Two passes: the first finds candidate cues by their words alone (cheap), the second does
        the checks that need positions (punctuation, negation, quotation) only for cues whose
        category some cue that can start a score has started.
        """
        index, index2 = self._index, self._index2
        norms, alts = tokens.norms, tokens.alts
        count = len(norms)
        candidates: list[tuple[int, _Entry]] = []
        started: set[str] = set()
        for i, word in enumerate(norms):
            found = index.get(word)
            if i + 1 < count:
                pair = index2.get((word, norms[i + 1]))
                if pair:
                    found = (found or []) + pair
            if alts is not None:
                found = self._alternatives(found, tokens, i)
            if not found:
                continue
            for entry in found:
                if entry.category == "disclaimer" and not personal:
                    continue  # asked of ASV personal accounts only
                n = len(entry.tokens)
                if n > 1 and (i + n > count or not _same(tokens, i, entry.tokens)):
                    continue
                candidates.append((i, entry))
                if not entry.modifier:
                    started.add(entry.category)
        hits: list[Hit] = []
        quotes: list[tuple[int, int]] | None = None
        for i, entry in candidates:
            if entry.category not in started:
                continue
            n = len(entry.tokens)
            if n > 1 and _broken(text, tokens, i, n):
                continue
            if entry.negatable and _negated(_clause_before(text, tokens, i, window=8)):
                continue
            spans = tokens.spans
            start, end = spans[i][0], spans[i + n - 1][1]
            factor = 1.0
            if entry.reportable:
                if quotes is None:
                    quotes = quoted_spans(text)
                if any(w in REPORTING for w in _clause_before(text, tokens, i, window=6)) or any(
                    qs <= start and end <= qe for qs, qe in quotes
                ):
                    factor = REPORTED_FACTOR
            hits.append(Hit(entry.category, entry.group, text[start:end], start, end, factor))
        hits.extend(self.exact_hits(text))
        return hits


_CLAUSE_BREAK = re.compile(r"[.,;:!?()\[\]\n]")


def _broken(text: str, tokens: Tokens, i: int, n: int) -> bool:
    """A phrase does not run across punctuation: "my image, credit to" is not "image credit"."""
    spans = tokens.spans
    return any(_CLAUSE_BREAK.search(text, spans[j][1], spans[j + 1][0]) for j in range(i, i + n - 1))


BELIEF = frozenset("think thought believe believed reckon say said suppose feel".split())


def _is_negator(word: str) -> bool:
    return word in NEGATORS or word.endswith("n't")


def _negated(before: list[str]) -> bool:
    """A negator just before the cue ("not a fraud"), or before a verb of belief that governs it
    ("I don't think anyone there is corrupt"). `before` is nearest first."""
    if any(_is_negator(w) for w in before[:3]):
        return True
    return any(
        w in BELIEF and i + 1 < len(before) and _is_negator(before[i + 1]) for i, w in enumerate(before)
    )


def _clause_before(text: str, tokens: Tokens, i: int, window: int) -> list[str]:
    """Up to `window` words before word i, nearest first, stopping at the start of its clause."""
    spans, norms = tokens.spans, tokens.norms
    before: list[str] = []
    for j in range(i - 1, max(-1, i - window - 1), -1):
        if norms[j] in CLAUSE_ENDS or _CLAUSE_BREAK.search(text, spans[j][1], spans[j + 1][0]):
            break
        before.append(norms[j])
    return before


def _exact_pattern(terms: list[str]) -> re.Pattern[str]:
    """Exact-case terms, never inside a longer word: "IoM3" yes, "IOM3" no, "IoM3s" no."""
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    return re.compile(r"(?<![\w.])(?:" + alternatives + r")(?![\w])")


def _needle(terms: list[str]) -> str:
    """A character that every term contains ("3" for the misspellings of IOM3), or ""."""
    common = set(terms[0]).intersection(*terms[1:]) if terms else set()
    return min(common) if common else ""


def _same(tokens: Tokens, i: int, wanted: tuple[str, ...]) -> bool:
    norms, alts = tokens.norms, tokens.alts
    for offset, word in enumerate(wanted):
        if norms[i + offset] != word and (alts is None or alts[i + offset] != word):
            return False
    return True
